"""Ask an expert in the UI: a demo identity escalates an abstention; the expert's Inbox shows
it and declines it (the answer path is covered end to end in tests/service/test_escalation.py,
which keeps this session's sample index unchanged)."""

from __future__ import annotations

import pytest

from core.client import WatercoolerClient
from core.schema import Principal
from examples.tools import expert_requests
from tests.ui.conftest import UNANSWERABLE, Service, app, html, no_exception, open_page
from ui.session import DEMO_PERSON


def _person(env: Service, name: str) -> str:
    return env.server.components.people.list(query=name)[0].id


def test_an_abstention_goes_to_an_expert_who_sees_it_in_the_inbox(ui_env: Service) -> None:
    asker = _person(ui_env, "Priya Natarajan")
    at = app()
    at.session_state[DEMO_PERSON] = asker
    at.run()
    no_exception(at)
    assert "DEMO · acting as <b>Priya Natarajan</b>" in html(at)
    at.text_input(key="ask_question").input(UNANSWERABLE)
    at.button[0].click().run()
    assert at.session_state["ask_result"].result.abstained
    at.button(key="escalate").click().run()
    no_exception(at)
    escalated = at.session_state["ask_result"].escalated
    assert escalated and escalated.startswith("Sent to")

    requests = ui_env.server.components.expert_requests.store.asked_by(asker)
    request = requests[0]
    assert request.assignee_id and request.assignee_id != asker
    expert = app()
    expert.session_state[DEMO_PERSON] = request.assignee_id
    open_page(expert, "views/inbox.py")
    no_exception(expert)
    page = html(expert)
    assert UNANSWERABLE in page and "from Priya Natarajan" in page
    expert.text_input(key=f"reason-{request.id}").input("Not my field")
    expert.button(key=f"decline-{request.id}").click().run()
    no_exception(expert)
    history = ui_env.server.components.expert_requests.store.get(request.id).history
    assert [s.action for s in history][:3] == ["created", "routed", "declined"]
    assert history[2].detail == "Not my field"


def test_a_guest_is_offered_demo_identities_and_has_no_person(ui_env: Service) -> None:
    at = app().run()
    no_exception(at)
    picker = [s for s in at.selectbox if s.label == "Demo identity"]
    assert picker and picker[0].value == "" and len(picker[0].options) > 10
    assert "DEMO · acting as" not in html(at)


def test_the_sample_requests_show_the_loop_at_once(
    ui_env: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    assert expert_requests.main(["--service-url", ui_env.url]) == 0
    store = ui_env.server.components.expert_requests.store
    waiting = store.inbox(expert_requests.WAITING)
    assert [r.question for r in waiting] == [expert_requests.OPEN_QUESTION]
    with WatercoolerClient(ui_env.url) as http:
        answer = http.ask("Where do I leave my bike at the London office?")
    assert answer.citations and answer.citations[0].kind == "answer"
    assert answer.people[0].person.id == expert_requests.ANSWERER
    assert expert_requests.main(["--service-url", ui_env.url, "--if-empty"]) == 0
    assert "sample requests exist" in capsys.readouterr().out


def test_the_expert_forwards_then_the_next_answers_for_chosen_groups(ui_env: Service) -> None:
    c = ui_env.server.components
    asker, first, second = (
        _person(ui_env, n) for n in ("Priya Natarajan", "Tomás Ferreira", "Aisha Okafor")
    )
    logged = c.questions.record(
        user_id=asker,
        groups=[],
        question="How do I borrow the inbox-test projector?",
        filters={},
        generator="extractive",
        answer="",
        cited_document_ids=[],
        people_ids=[],
        confidence=0.0,
        abstained=True,
        timings_ms={},
    )
    caller = Principal(user_id=asker, groups=[], person_id=asker)
    target = c.people.get_many([first])[first]
    request, _ = c.expert_requests.escalate(caller, c.questions.get(logged), target, None)

    expert = app()
    expert.session_state[DEMO_PERSON] = first
    open_page(expert, "views/inbox.py")
    no_exception(expert)
    expert.selectbox(key=f"forward-to-{request.id}").set_value(second)
    expert.text_input(key=f"forward-note-{request.id}").input("Aisha keeps the AV kit")
    expert.button(key=f"forward-{request.id}").click().run()
    no_exception(expert)
    step = c.expert_requests.store.get(request.id).history[-1]
    assert (step.action, step.who, step.person_id) == ("forwarded", first, second)
    assert step.detail and "Aisha keeps the AV kit" in step.detail

    answerer = app()
    answerer.session_state[DEMO_PERSON] = second
    open_page(answerer, "views/inbox.py")
    assert "How do I borrow the inbox-test projector?" in html(answerer)
    answerer.radio(key=f"audience-{request.id}").set_value("groups").run()
    answerer.text_input(key=f"groups-{request.id}").input("inbox-test-group")
    answerer.text_area(key=f"answer-{request.id}").input("Reception lends it for a day.")
    answerer.button(key=f"send-{request.id}").click().run()
    no_exception(answerer)
    done = c.expert_requests.store.get(request.id)
    assert done.status == "answered" and done.document_id
    entry = c.manifest.get_document(done.document_id)
    assert entry is not None and entry.groups == ["inbox-test-group"]
    # Leave the session's sample index as it was.
    c.expert_requests.retract(Principal(user_id=second, groups=[], person_id=second), request.id)
