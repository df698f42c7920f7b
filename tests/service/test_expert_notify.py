"""Ask-an-expert notifications and the service's timer, against real receivers on 127.0.0.1.

The app runs with its own ingested copy of the service corpus, an SMTP server (aiosmtpd) and a
chat webhook (an HTTP server that can be switched to failing), and its background timer every
0.2 s; time is frozen where routing and delivery read it, and moved by the tests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from core.embedding import Embedder
from core.expert_requests import UNVERIFIED
from service.main import create_app
from tests.service.conftest import components, ingest, make_settings
from tests.service.test_digest import Inbox, free_port
from tests.service.test_escalation import ANA, BEN, DEV, FROZEN, as_person

LAGOS_NINE = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # Ben's working day starts
LISBON_NINE = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # Ana's


class Hook:
    """A Slack-compatible webhook receiver that keeps what it gets, or fails when told."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.failing = False
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not hook.failing:
                    hook.received.append(body)
                self.send_response(503 if hook.failing else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [str(r["text"]) for r in self.received]


@dataclass
class Receivers:
    mail: Inbox
    smtp_port: int
    hook: Hook


@pytest.fixture(scope="module")
def receivers() -> Iterator[Receivers]:
    mail, port = Inbox(), free_port()
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    hook = Hook()
    yield Receivers(mail, port, hook)
    hook.server.shutdown()
    controller.stop()


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, receivers: Receivers
) -> Iterator[TestClient]:
    channels = {
        "smtp_host": "127.0.0.1",
        "smtp_port": receivers.smtp_port,
        "webhook_url": receivers.hook.url,
        "backoff_s": 60.0,
    }
    settings = make_settings(
        tmp_path_factory.mktemp("notify-data"),
        moderation=channels,
        escalation={"check_interval_s": 0.2},
    )
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        components(client).expert_requests.clock = lambda: FROZEN
        yield client


def at(app: TestClient, moment: datetime) -> None:
    """Move the app's clock (routing, notifications, the timer's delivery)."""
    components(app).expert_requests.clock = lambda: moment


def eventually(check: Callable[[], Any], timeout_s: float = 20.0) -> Any:
    """Poll until `check` gives something true (the timer runs every 0.2 s)."""
    deadline = time.monotonic() + timeout_s
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError("not within the time limit")
        time.sleep(0.1)
    return result


def mails_to(mail: Inbox, address: str, subject_part: str) -> list[Any]:
    return [m for m in mail.messages if m["To"] == address and subject_part in m["Subject"]]


def escalate(app: TestClient, question: str, body: dict[str, Any] | None = None) -> Any:
    asked = app.post("/ask", json={"question": question}, headers=as_person(ANA)).json()
    sent = app.post(
        f"/questions/{asked['question_id']}/escalate", json=body or {}, headers=as_person(ANA)
    )
    assert sent.status_code == 201, sent.text
    return sent.json()


def test_new_forwarded_and_answered_requests_reach_people_in_their_working_hours(
    app: TestClient, receivers: Receivers
) -> None:
    mail, hook = receivers.mail, receivers.hook
    at(app, FROZEN)
    request = escalate(app, "Where can staff park bicycles at the Lisbon office?")
    assert request["assignee"]["id"] == DEV  # at work in Kolkata
    (new,) = eventually(lambda: mails_to(mail, "dev.patel@example.com", "a question for you"))
    assert new["Subject"] == "Watercooler: a question for you from Ana Silva"
    assert "bicycles" in new.get_payload()
    eventually(lambda: [t for t in hook.texts() if t.startswith("For Dev Patel: Ana Silva asks")])

    bad = app.post(f"/requests/{request['id']}/forward", json={"to": ANA}, headers=as_person(DEV))
    assert bad.status_code == 422 and "person who asked" in bad.text
    not_mine = app.post(
        f"/requests/{request['id']}/forward", json={"to": BEN}, headers=as_person(BEN)
    )
    assert not_mine.status_code == 403
    forwarded = app.post(
        f"/requests/{request['id']}/forward",
        json={"to": BEN, "note": "Ben runs the Lisbon office move"},
        headers=as_person(DEV),
    )
    assert forwarded.status_code == 200, forwarded.text
    step = forwarded.json()["history"][-1]
    assert step["action"] == "forwarded" and step["who"] == DEV and step["person_id"] == BEN
    assert "Ben runs the Lisbon office move" in step["detail"]
    inbox = app.get("/inbox", headers=as_person(BEN)).json()["items"]
    assert request["id"] in [r["id"] for r in inbox]

    # 06:00 in Lagos: Ben's message waits in the outbox for 09:00 his time.
    time.sleep(1.0)
    assert mails_to(mail, "ben.okoro@example.com", "a question for you") == []
    at(app, LAGOS_NINE)
    (ben,) = eventually(lambda: mails_to(mail, "ben.okoro@example.com", "a question for you"))
    assert "Dev Patel forwarded it to you: Ben runs the Lisbon office move" in ben.get_payload()

    text = "Bikes go in the basement bike room; reception hands out the badge."
    answered = app.post(
        f"/requests/{request['id']}/answer",
        json={"text": text, "audience": ["eng"]},
        headers=as_person(BEN),
    )
    assert answered.status_code == 200, answered.text
    c = components(app)
    document_id = answered.json()["document_id"]
    entry = c.manifest.get_document(document_id)
    assert entry is not None and entry.groups == ["eng"]
    (state,) = c.moderation.states_for([document_id])
    assert state.state == "needs_review" and state.reason == UNVERIFIED
    # 08:00 in Lisbon: Ana hears at 09:00 hers.
    time.sleep(1.0)
    assert mails_to(mail, "ana.silva@example.com", "answered") == []
    at(app, LISBON_NINE)
    (told,) = eventually(lambda: mails_to(mail, "ana.silva@example.com", "answered"))
    assert told["Subject"] == "Watercooler: Ben Okoro answered your question"
    assert text in told.get_payload()


def test_a_decline_tells_the_asker_and_the_timer_moves_an_overdue_request(
    app: TestClient, receivers: Receivers
) -> None:
    mail = receivers.mail
    at(app, LISBON_NINE)  # everyone at work: nothing waits
    request = escalate(app, "Which caterer do we use for the Lisbon summer party?", {"to": DEV})
    declined = app.post(
        f"/requests/{request['id']}/decline",
        json={"reason": "not my area"},
        headers=as_person(DEV),
    ).json()
    told = eventually(lambda: mails_to(mail, "ana.silva@example.com", "passed on"))
    assert "Dev Patel declined your question" in told[-1].get_payload()
    assert "not my area" in told[-1].get_payload()
    successor = (declined["assignee"] or {}).get("id")

    overdue = escalate(app, "Who signs off on the office plant budget?")
    first = overdue["assignee"]["id"]
    # Monday 09:30 UTC: everyone at work, more than 8 working hours later in every zone;
    # nobody opens an inbox.
    at(app, datetime(2026, 12, 7, 9, 30, tzinfo=UTC))

    def moved() -> Any:
        got = app.get(f"/requests/{overdue['id']}", headers=as_person(ANA)).json()
        return got if got["history"][-1]["action"] == "reassigned" else None

    after = eventually(moved)
    assert after["assignee"]["id"] not in (first, ANA)
    assert after["history"][-1]["detail"].startswith("no answer within 8")
    people = components(app).people.get_many([first, after["assignee"]["id"]])
    old, new = people[first], people[after["assignee"]["id"]]
    eventually(lambda: mails_to(mail, old.email or "", "was reassigned"))
    eventually(
        lambda: [
            m
            for m in mails_to(mail, new.email or "", "a question for you")
            if "Reassigned: no answer within 8" in m.get_payload()
        ]
    )
    assert successor != DEV


def test_a_failing_webhook_is_retried_visible_to_admins_and_blocks_nothing(
    app: TestClient, receivers: Receivers
) -> None:
    hook = receivers.hook
    moment = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # Tuesday: Lisbon, Lagos, Paris at work
    at(app, moment)
    hook.failing = True
    try:
        request = escalate(app, "Can I bring my dog to the Lisbon office?", {"to": BEN})
        assert request["assignee"]["id"] == BEN
        _, admin_key = components(app).keys.create("notify-admin", [], "admin")
        admin = {"Authorization": f"Bearer {admin_key}"}
        assert app.get("/experts/notifications", headers=as_person(BEN)).status_code == 403

        def failed_hook() -> Any:
            items = app.get("/experts/notifications", headers=admin).json()["items"]
            return [
                i
                for i in items
                if i["channel"] == "webhook"
                and i["recipient"] == BEN
                and i["attempts"] >= 1
                and i["sent"] is None
            ]

        (item,) = eventually(failed_hook)
        assert item["sent"] is None and "503" in item["last_error"]
        inbox = app.get("/inbox", headers=as_person(BEN)).json()["items"]
        assert request["id"] in [r["id"] for r in inbox]
    finally:
        hook.failing = False
    at(app, moment + timedelta(minutes=2))  # past the first backoff (60 s)
    eventually(lambda: [t for t in hook.texts() if "dog" in t and t.startswith("For Ben Okoro")])
