"""Ask an expert end to end: abstain → escalate → routed to who is at work → answer → cited.

The app runs over its own copy of the service corpus (the answer it writes must not leak
into the shared session app), with the real model, index, database and ingestion writer;
time is frozen where routing reads it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from core.embedding import Embedder
from core.schema import person_id_for
from service.__main__ import main as service_cli
from service.main import create_app
from tests.service.conftest import Callers, components, ingest, make_settings, wait_for_job

# Wednesday 3 Dec 2026, 05:00 UTC: 10:30 in Kolkata (Dev at work); Lisbon 05:00, Paris and
# Lagos 06:00 (everyone else before work).
FROZEN = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)
ANA = person_id_for("Ana Silva", "ana.silva@example.com")
BEN = person_id_for("Ben Okoro", "ben.okoro@example.com")
DEV = person_id_for("Dev Patel", "dev.patel@example.com")
QUESTION = "Where can staff park bicycles at the Lisbon office?"
PARAPHRASE = "Where do I leave my bike at the Lisbon office?"
ANSWER = (
    "Bicycles go in the basement bike room of the Lisbon office, next to the lifts. "
    "Reception issues the badge that opens the bike room door."
)


def as_person(person_id: str) -> dict[str, str]:
    """Headers of an open-mode demo identity."""
    return {"X-Demo-Person": person_id}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    """An open-mode app over its own ingested corpus, routing with a frozen clock."""
    settings = make_settings(tmp_path_factory.mktemp("escalation-data"))
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        components(client).expert_requests.clock = lambda: FROZEN
        yield client


def _ask(app: TestClient, question: str, person: str) -> dict[str, object]:
    response = app.post("/ask", json={"question": question}, headers=as_person(person))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_me_names_the_demo_person_and_anonymous_has_none(app: TestClient) -> None:
    me = app.get("/me", headers=as_person(ANA)).json()
    assert me["person"]["name"] == "Ana Silva" and me["demo"] and me["user_id"] == ANA
    assert app.get("/me").json()["person"] is None
    unknown = app.get("/me", headers=as_person("nobody-123"))
    assert unknown.status_code == 401 and "nobody-123" in unknown.json()["detail"]


def test_the_loop_from_abstention_to_a_cited_expert_answer(app: TestClient) -> None:
    asked = _ask(app, QUESTION, ANA)
    assert asked["abstained"], asked["text"]
    sent = app.post(f"/questions/{asked['question_id']}/escalate", json={}, headers=as_person(ANA))
    assert sent.status_code == 201, sent.text
    request = sent.json()
    assert request["assignee"]["id"] == DEV, request["history"]
    assert request["expected"] == "Dev is at work now (Asia/Kolkata)"
    assert [s["action"] for s in request["history"]] == ["created", "routed"]

    inbox = app.get("/inbox", headers=as_person(DEV)).json()["items"]
    assert [r["id"] for r in inbox] == [request["id"]]
    assert inbox[0]["asker"]["name"] == "Ana Silva" and inbox[0]["abstained"]
    assert app.get("/inbox", headers=as_person(BEN)).json()["items"] == []

    answered = app.post(
        f"/requests/{request['id']}/answer", json={"text": ANSWER}, headers=as_person(DEV)
    )
    saved = time.perf_counter()
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered" and answered.json()["document_id"]

    again = _ask(app, PARAPHRASE, BEN)
    elapsed = time.perf_counter() - saved
    assert not again["abstained"], again["text"]
    citations = again["citations"]
    assert isinstance(citations, list) and citations[0]["kind"] == "answer"
    assert citations[0]["document_id"] == answered.json()["document_id"]
    people = again["people"]
    assert isinstance(people, list) and people[0]["person"]["id"] == DEV
    assert elapsed < 2.0, elapsed
    asker_view = app.get(f"/requests/{request['id']}", headers=as_person(ANA)).json()
    assert asker_view["answer"] == ANSWER and asker_view["answered_by"]["name"] == "Dev Patel"
    assert app.get("/inbox", headers=as_person(DEV)).json()["items"] == []

    # Re-ingestion keeps the answer: it belongs to its own source, not to a sources-file folder.
    _, admin_key = components(app).keys.create("root", [], "admin")
    admin = {"Authorization": f"Bearer {admin_key}"}
    job = app.post("/ingest/jobs", json={}, headers=admin)
    assert job.status_code == 202, job.text
    assert wait_for_job(app.get, job.json()["id"], admin)["status"] == "succeeded"
    kept = _ask(app, PARAPHRASE, ANA)
    cited = kept["citations"]
    assert isinstance(cited, list) and cited[0]["document_id"] == answered.json()["document_id"]


def test_decline_routes_to_the_next_candidate(app: TestClient) -> None:
    asked = _ask(app, "How do I book the rooftop terrace for a team lunch?", ANA)
    request = app.post(
        f"/questions/{asked['question_id']}/escalate", json={}, headers=as_person(ANA)
    ).json()
    first = request["assignee"]["id"]
    declined = app.post(
        f"/requests/{request['id']}/decline",
        json={"reason": "not my area"},
        headers=as_person(first),
    )
    assert declined.status_code == 200, declined.text
    after = declined.json()
    actions = [s["action"] for s in after["history"]]
    assert actions[:3] == ["created", "routed", "declined"]
    assert after["assignee"] is None or after["assignee"]["id"] not in (first, ANA)
    again = app.post(
        f"/requests/{request['id']}/decline", json={"reason": "x"}, headers=as_person(first)
    )
    assert again.status_code == 403


def test_bad_input_is_refused_with_a_clear_status(app: TestClient) -> None:
    asked = _ask(app, "Who approves a new laptop for a contractor?", ANA)
    url = f"/questions/{asked['question_id']}/escalate"
    assert app.post(url, json={}, headers=as_person(BEN)).status_code == 403
    assert app.post(url, json={}).status_code == 403  # anonymous: no person
    unknown = app.post(url, json={"to": "nobody-123"}, headers=as_person(ANA))
    assert unknown.status_code == 422 and "not a person of the directory" in unknown.text
    assert app.post(url, json={"to": ANA}, headers=as_person(ANA)).status_code == 422
    sent = app.post(
        url, json={"to": BEN, "note": "you wrote the quiz rules"}, headers=as_person(ANA)
    )
    assert sent.status_code == 201 and sent.json()["assignee"]["id"] == BEN
    answer = f"/requests/{sent.json()['id']}/answer"
    for text in ("", "   ", "x" * 100_001):
        refused = app.post(answer, json={"text": text}, headers=as_person(BEN))
        assert refused.status_code == 422, text[:5]
    assert app.post(answer, json={"text": "ok"}, headers=as_person(DEV)).status_code == 403


def test_a_key_stands_for_its_person_and_keys_mode_has_no_demo_identities(
    keys_client: TestClient, keys_callers: Callers
) -> None:
    _, plain = components(keys_client).keys.create("ana", [], "reader", person_id=ANA)
    me = keys_client.get("/me", headers={"X-API-Key": plain}).json()
    assert me["person"]["id"] == ANA and not me["demo"] and me["auth_mode"] == "keys"
    assert keys_client.get("/me", headers=keys_callers.reader).json()["person"] is None
    assert keys_client.get("/me", headers=as_person(ANA)).status_code == 401
    assert keys_client.get("/inbox", headers=keys_callers.reader).status_code == 403


def test_a_request_unanswered_past_the_target_moves_to_the_next_candidate(
    app: TestClient,
) -> None:
    asked = _ask(app, "Which caterer do we use for the Lisbon summer party?", ANA)
    request = app.post(
        f"/questions/{asked['question_id']}/escalate", json={}, headers=as_person(ANA)
    ).json()
    assert request["assignee"]["id"] == DEV
    requests = components(app).expert_requests
    # Friday 05:00 UTC: Dev worked 6.5 h on Wednesday and 8 h on Thursday (target 8 h).
    requests.clock = lambda: datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    try:
        waiting = app.get("/inbox", headers=as_person(DEV)).json()["items"]
        assert request["id"] not in [r["id"] for r in waiting]
    finally:
        requests.clock = lambda: FROZEN
    moved = app.get(f"/requests/{request['id']}", headers=as_person(ANA)).json()
    assert moved["assignee"]["id"] not in (DEV, ANA)
    last = moved["history"][-1]
    assert last["action"] == "reassigned" and last["detail"].startswith("no answer within 8")


def test_request_stats_are_for_trainers_and_count_answers(app: TestClient) -> None:
    assert app.get("/experts/requests/stats", headers=as_person(DEV)).status_code == 403
    _, admin_key = components(app).keys.create("stats-admin", [], "admin")
    got = app.get("/experts/requests/stats", headers={"Authorization": f"Bearer {admin_key}"})
    assert got.status_code == 200, got.text
    stats = got.json()
    dev = next(p for p in stats["people"] if p["person_id"] == DEV)
    assert dev["answered"] >= 1 and dev["assigned"] >= dev["answered"]
    assert stats["answered"] >= 1 and any(t["name"] == "Platform" for t in stats["teams"])
    assert app.get("/experts/requests/stats?days=0", headers=as_person(DEV)).status_code == 422


def test_the_author_edits_then_retracts_an_answer(app: TestClient) -> None:
    asked = _ask(app, "Is there a quiet room at the Lisbon office?", ANA)
    sent = app.post(
        f"/questions/{asked['question_id']}/escalate", json={"to": DEV}, headers=as_person(ANA)
    ).json()
    url = f"/requests/{sent['id']}/answer"
    first = app.post(
        url, json={"text": "Yes, room 2.14 on the second floor."}, headers=as_person(DEV)
    )
    document_id = first.json()["document_id"]
    c = components(app)
    edited = "Yes, room 2.14 on the second floor; book it at reception."
    assert app.post(url, json={"text": edited}, headers=as_person(ANA)).status_code == 403
    again = app.post(url, json={"text": edited}, headers=as_person(DEV))
    assert again.status_code == 200 and again.json()["answer"] == edited
    assert c.manifest.load_document(document_id).text == edited
    entry = c.manifest.get_document(document_id)
    chunk_ids = entry.chunk_ids if entry else []
    assert len(c.index.retrieve(chunk_ids)) == len(chunk_ids) > 0
    assert app.delete(url, headers=as_person(ANA)).status_code == 403
    retracted = app.delete(url, headers=as_person(DEV))
    assert retracted.status_code == 200 and retracted.json()["status"] == "retracted"
    assert retracted.json()["history"][-1]["action"] == "retracted"
    assert chunk_ids and c.index.retrieve(chunk_ids) == []
    assert c.manifest.get_document(document_id) is None


def test_keys_create_person_names_a_directory_person_by_email(
    app: TestClient, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", str(components(app).settings.data_dir))
    argv = ["keys", "create", "--user", "dev", "--person", "DEV.PATEL@example.com"]
    assert service_cli(argv) == 0
    key = capsys.readouterr().out.strip()
    assert app.get("/me", headers={"X-API-Key": key}).json()["person"]["id"] == DEV
    assert service_cli([*argv[:-1], "nobody@example.com"]) == 2
    assert "no person with email 'nobody@example.com'" in capsys.readouterr().err
