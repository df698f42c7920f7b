"""Outdated documents say so wherever they appear: citations, search hits, profiles."""

from __future__ import annotations

import httpx
from streamlit.testing.v1 import AppTest

from core.client import WatercoolerClient
from core.schema import Citation
from tests.ui.conftest import Service, app, html, no_exception, open_page
from ui.session import AskView

OLD_QUIZ, NEW_QUIZ = "Quiz and assessment standards (2022)", "Quiz and assessment standards (2025)"
NEW_POLICY = "Expense and Travel Policy 2025"


def _links(at: AppTest) -> list[str]:
    return [str(link.proto.label) for link in at.main.get("page_link")]


def test_an_outdated_citation_names_the_newer_document(ui_env: Service) -> None:
    # The answer composer rarely cites a superseded passage now, so the Ask page is handed a
    # real answer whose citation is a real passage of the superseded policy.
    with WatercoolerClient(ui_env.url) as http:
        hits = http.search("Expense Policy 2023 meal allowance", limit=20).passages
        hit = next(h for h in hits if h.title == "Expense Policy 2023")
        answer = http.ask("What was the meal allowance in the 2023 expense policy?")
        document = http.document(hit.document_id)
    fields = ("chunk_id", "document_id", "title", "kind", "text", "start", "end")
    citation = Citation(marker=1, **{f: getattr(hit, f) for f in fields})
    result = answer.model_copy(update={"text": "Meals: EUR 40 a day [1].", "citations": [citation]})
    at = app().run()
    at.session_state["ask_result"] = AskView(result, {hit.document_id: document})
    at.run()
    no_exception(at)
    assert html(at).count('class="wc-kind wc-outdated"') == 1
    assert f"Outdated — see {NEW_POLICY}" in _links(at)


def test_an_outdated_search_hit_names_the_newer_document(ui_env: Service) -> None:
    at = open_page(app(), "views/search.py")
    at.text_input(key="search_query").input("quiz standards 2022 pass mark").run()
    no_exception(at)
    assert OLD_QUIZ in html(at) and 'class="wc-kind wc-outdated"' in html(at)
    assert f"Outdated — see {NEW_QUIZ}" in _links(at)


def test_an_outdated_profile_document_names_the_newer_document(ui_env: Service) -> None:
    people = httpx.get(f"{ui_env.url}/people", params={"q": "Tomas"}).json()["items"]
    at = open_page(app(), "views/people.py", person=people[0]["id"])
    no_exception(at)
    links = _links(at)
    assert OLD_QUIZ in links and f"Outdated — see {NEW_QUIZ}" in links
    assert 'class="wc-kind wc-outdated"' in html(at)
