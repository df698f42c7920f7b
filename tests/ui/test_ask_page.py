"""The Ask page: a streamed, cited answer, its sources, who to contact, feedback, abstention."""

from __future__ import annotations

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
    assert label == "Postmortem: 47-minute SCORM player outage…"


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


def test_an_example_question_is_asked(ui_env: Service) -> None:
    at = app().run()
    at.pills(key="ask_example").set_value(MEAL_QUESTION).run()
    no_exception(at)
    assert at.text_input(key="ask_question").value == MEAL_QUESTION
    assert esc("Expense and Travel Policy 2025") in html(at)
