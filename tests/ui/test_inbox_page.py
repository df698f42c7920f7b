"""Ask an expert in the UI: a demo identity escalates an abstention; the expert's Inbox shows
it and declines it (the answer path is covered end to end in tests/service/test_escalation.py,
which keeps this session's sample index unchanged)."""

from __future__ import annotations

import pytest

from core.client import WatercoolerClient
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
