"""Outdated documents say so wherever they appear: citations, search hits, profiles."""

from __future__ import annotations

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import Service, app, html, no_exception, open_page

OLD_QUIZ, NEW_QUIZ = "Quiz and assessment standards (2022)", "Quiz and assessment standards (2025)"
OLD_POLICY_QUESTION = "What was the meal allowance in the 2023 expense policy?"
NEW_POLICY = "Expense and Travel Policy 2025"


def _links(at: AppTest) -> list[str]:
    return [str(link.proto.label) for link in at.main.get("page_link")]


def test_an_outdated_citation_names_the_newer_document(ui_env: Service) -> None:
    at = app().run()
    at.text_input(key="ask_question").input(OLD_POLICY_QUESTION)
    at.button[0].click().run()
    no_exception(at)
    titles = [c.title for c in at.session_state["ask_result"].result.citations]
    assert "Expense Policy 2023" in titles
    assert html(at).count('class="wc-kind wc-outdated"') == 1  # only the superseded source
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
