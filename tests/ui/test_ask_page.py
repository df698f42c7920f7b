"""The Ask page: a streamed, cited answer, its sources, who to contact, feedback, abstention."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import streamlit as st

from core.config import get_settings
from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import LiveServer
from tests.ui.conftest import (
    MEAL_AUTHOR,
    MEAL_QUESTION,
    UNANSWERABLE,
    Service,
    app,
    html,
    no_exception,
)
from ui.markup import esc


def test_a_question_gets_a_cited_answer_sources_and_contacts(ui_env: Service) -> None:
    at = app().run()
    no_exception(at)
    assert "Ask Watercooler" in html(at)
    at.text_input(key="ask_question").input(MEAL_QUESTION)
    at.button[0].click().run()
    no_exception(at)
    view = at.session_state["ask_result"]
    assert "[1]" in view.result.text and not view.result.abstained
    page = html(at)
    assert 'class="wc-cite" href="#wc-source-1"' in page  # [1] drawn as a citation marker
    assert 'id="wc-source-1"' in page and "Expense and Travel Policy 2025" in page
    assert "<mark>" in page  # the cited sentence is highlighted in its passage
    assert "EUR 55" in page
    assert page.count('class="wc-person-name"') >= 2
    assert MEAL_AUTHOR in page and "mailto:" in page
    links = [str(link.proto.page) for link in at.main.get("page_link")]
    assert any("document" in link for link in links)


def test_a_long_why_title_is_cut_with_an_ellipsis(ui_env: Service) -> None:
    at = app().run()
    at.text_input(key="ask_question").input("What caused the SCORM player outage in 2024?")
    at.button[0].click().run()
    no_exception(at)
    links = {str(link.proto.help): str(link.proto.label) for link in at.main.get("page_link")}
    label = links["Postmortem: 47-minute SCORM player outage on 12 November 2024 (author)"]
    assert label == "Postmortem: 47-minute SCORM…"


def test_feedback_is_posted(ui_env: Service) -> None:
    at = app().run()
    at.text_input(key="ask_question").input(MEAL_QUESTION)
    at.button[0].click().run()
    at.button(key="rate-helpful").click().run()
    no_exception(at)
    assert any("Feedback sent: helpful" in c.value for c in at.caption)
    question_id = at.session_state["ask_result"].result.question_id
    stored = ui_env.server.components.questions.feedback(question_id)
    assert [f.rating for f in stored] == ["helpful"]


def test_abstention_says_so_and_still_names_people(ui_env: Service) -> None:
    at = app().run()
    at.text_input(key="ask_question").input(UNANSWERABLE)
    at.button[0].click().run()
    no_exception(at)
    page = html(at)
    assert "No answer found" in page and 'class="wc-cite"' not in page
    assert page.count('class="wc-person-name"') >= 1
    closest = at.session_state["ask_result"].result.closest
    assert closest, "an abstention carries the nearest passages"
    assert "Closest I found" in page
    for passage in closest:
        assert esc(passage.title) in page


def test_examples_come_from_the_content_and_one_is_asked(ui_env: Service) -> None:
    for _ in range(2):  # asked twice: one of the questions most asked
        httpx.post(f"{ui_env.url}/ask", json={"question": MEAL_QUESTION}, timeout=60)
    served = httpx.get(f"{ui_env.url}/examples").json()["questions"]
    assert MEAL_QUESTION in served
    st.cache_data.clear()  # the page keeps examples for a minute
    at = app().run()
    assert at.pills(key="ask_example").options == served
    at.pills(key="ask_example").set_value(MEAL_QUESTION).run()
    no_exception(at)
    assert at.text_input(key="ask_question").value == MEAL_QUESTION
    assert esc("Expense and Travel Policy 2025") in html(at)


@pytest.fixture(scope="module")
def empty_service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """A service with nothing ingested: nothing to suggest."""
    data_dir = tmp_path_factory.mktemp("ui-empty") / "data"
    with LiveServer(create_app(get_settings(data_dir=data_dir), embedder=embedder)) as live:
        yield live.url


def test_no_examples_when_nothing_is_ingested(
    empty_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", empty_service)
    at = app().run()
    no_exception(at)
    assert "Ask Watercooler" in html(at) and not at.get("button_group")
