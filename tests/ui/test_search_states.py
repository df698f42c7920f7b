"""The Search page's moderation facet: the states as chips with the service's counts, and
choosing one narrows the results (a service over the sample with its moderation state)."""

from __future__ import annotations

import httpx
import pytest

from tests.ui.conftest import Service, app, html, no_exception, open_page

QUERY = "travel expense policy"
VERIFIED = "Expense and Travel Policy 2025"  # verified in the sample's moderation state
OUTDATED = "Facilitator Onboarding 2023"


@pytest.fixture
def env(moderated_service: Service, monkeypatch: pytest.MonkeyPatch) -> Service:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", moderated_service.url)
    return moderated_service


def test_the_state_chips_show_the_services_counts_and_filter(env: Service) -> None:
    facets = httpx.get(f"{env.url}/search", params={"q": QUERY}, timeout=30).json()["facets"]
    counts = {f["value"]: f["count"] for f in facets["states"]}
    assert counts["verified"] > 0 and counts["outdated"] > 0 and counts["unreviewed"] > 0

    at = open_page(app(), "views/search.py")
    at.text_input(key="search_query").input(QUERY).run()
    no_exception(at)
    chips = at.pills(key="search_states")
    assert chips.options == ["Verified", "Needs review", "Outdated", "Unreviewed"]
    shown = " ".join(c.value for c in at.caption)
    assert f"Verified **{counts['verified']}**" in shown
    assert f"Unreviewed **{counts['unreviewed']}**" in shown
    assert VERIFIED in html(at)

    chips.set_value(["verified"]).run()
    no_exception(at)
    page = html(at)
    assert page.count('class="wc-hit"') >= 1 and VERIFIED in page
    assert page.count('class="wc-hit"') == page.count('class="wc-kind wc-verified"')

    at.pills(key="search_states").set_value(["outdated"]).run()
    at.text_input(key="search_query").input("facilitator onboarding").run()
    page = html(at)
    assert OUTDATED in page and 'class="wc-kind wc-verified"' not in page
