"""The review queue through the API: reasons, impact order, one reviewer, reassign, snooze,
resolve; trainers only, and never a document the trainer may not see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.embedding import Embedder
from core.moderation import CONTENT_CHANGED
from core.review import rotation
from service.main import create_app
from tests.service.conftest import components, ingest, make_settings
from tests.service.test_moderation import EXPENSES, PASSWORDS, QUIZ_2025, RESTRICTED, person


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    """The app (open mode) over its own copy of the corpus."""
    settings = make_settings(tmp_path_factory.mktemp("review-data"))
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


@pytest.fixture(scope="module")
def who(app: TestClient) -> dict[str, dict[str, str]]:
    keys = components(app).keys

    def key(user: str, role: str, groups: list[str] | None = None) -> dict[str, str]:
        _, plain = keys.create(user, groups or [], role)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {plain}"}

    return {
        "dev": key(person(app, "Dev"), "trainer"),  # wrote the password rules
        "tess": key("tess", "trainer"),
        "hr_trainer": key("hanna", "trainer", ["hr"]),
        "reader": key("bob", "reader"),
        "carol": key("carol", "reader"),
        "alice": key("alice", "reader", ["hr"]),
    }


def queue(app: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = app.get("/review/queue", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return {i["document_id"]: i for i in r.json()["items"]} | {"_order": r.json()["items"]}


def test_the_queue_lists_reasons_by_impact_with_one_reviewer(
    app: TestClient, who: dict[str, dict[str, str]]
) -> None:
    c = components(app)
    dev = person(app, "Dev")
    soon = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert app.post(
        f"/documents/{EXPENSES}/verify", json={"expires_at": soon}, headers=who["dev"]
    ).is_success
    # An expired verification (the API refuses a past expiry, so the store sets it).
    c.moderation.change(QUIZ_2025, "verified", dev, expires_at=datetime.now(UTC) - timedelta(5))
    for reader in ("reader", "carol"):
        app.post(f"/documents/{PASSWORDS}/flags", json={"kind": "wrong"}, headers=who[reader])
    app.post(f"/documents/{RESTRICTED}/flags", json={"kind": "unclear"}, headers=who["alice"])
    # Answers that cite the expense policy, one rated "wrong citation".
    for _ in range(3):
        question = {"question": "How much are meals reimbursed per day?"}
        answer = app.post("/ask", json=question, headers=who["reader"])
        assert EXPENSES in {x["document_id"] for x in answer.json()["citations"]}
    rated = {"question_id": answer.json()["question_id"], "rating": "wrong_citation"}
    assert app.post("/feedback", json=rated, headers=who["reader"]).is_success

    assert app.get("/review/queue", headers=who["reader"]).status_code == 403
    items = queue(app, who["dev"])
    order = [i["document_id"] for i in items["_order"]]
    assert set(order) == {EXPENSES, QUIZ_2025, PASSWORDS}  # not the hr page Dev cannot see
    impacts = [i["impact"] for i in items["_order"]]
    assert impacts == sorted(impacts, reverse=True)
    # Unverified since its last edit (2025-02-14, over a year: the age factor is capped).
    assert items[PASSWORDS]["impact"] == pytest.approx(1 * (1 + 2) * (1 + 365 / 90), rel=1e-3)
    assert order.index(EXPENSES) < order.index(QUIZ_2025)  # cited, rated down vs unused
    expenses = items[EXPENSES]
    assert "verification expires in 2 days" in expenses["reasons"]
    assert "1 negative ratings on answers citing it in 30 days" in expenses["reasons"]
    assert (expenses["cited_30d"], expenses["negative_30d"]) == (3, 1)
    assert expenses["impact"] == pytest.approx((1 + 3) * (1 + 2) * (1 + 0 / 90), rel=0.05)
    assert items[QUIZ_2025]["reasons"] == ["verification expired 5 days ago"]
    assert items[QUIZ_2025]["impact"] == pytest.approx(1.0)  # unused, and it just changed
    assert items[PASSWORDS]["reasons"] == ["flagged by 2 people (wrong)"]
    assert items[PASSWORDS]["reviewer"] == dev and items[PASSWORDS]["reviewer_name"] == "Dev Patel"
    assert items[EXPENSES]["reviewer"] == rotation(EXPENSES, sorted([dev, "tess", "hanna"]))
    assert RESTRICTED in queue(app, who["hr_trainer"])
    mine = queue(app, who["dev"], reviewer=dev)
    assert PASSWORDS in mine and all(i["reviewer"] == dev for i in mine["_order"])


def test_reassign_snooze_and_resolve(app: TestClient, who: dict[str, dict[str, str]]) -> None:
    dev = who["dev"]
    r = app.post(f"/review/{EXPENSES}/assign", json={"reviewer": "tess"}, headers=dev)
    assert r.status_code == 200 and r.json()["reviewer"] == "tess"
    r = app.post(f"/review/{EXPENSES}/assign", json={"reviewer": "bob"}, headers=dev)
    assert r.status_code == 422 and "no trainer or admin key" in r.text

    snoozed = app.post(
        f"/review/{PASSWORDS}/snooze", json={"days": 3, "reason": "Dev is on leave"}, headers=dev
    )
    assert snoozed.status_code == 200 and snoozed.json()["snooze_reason"] == "Dev is on leave"
    assert PASSWORDS not in queue(app, dev)
    assert queue(app, dev, include_snoozed="true")[PASSWORDS]["snooze_reason"] == (
        "Dev is on leave"
    )
    bad = app.post(f"/review/{PASSWORDS}/snooze", json={"days": 0, "reason": "x"}, headers=dev)
    assert bad.status_code == 422

    r = app.post(f"/review/{QUIZ_2025}/resolve", json={"action": "verify"}, headers=dev)
    assert r.status_code == 200 and r.json()["state"] == "verified"
    assert QUIZ_2025 not in queue(app, dev)

    body = {"action": "edit_request", "note": "the hotel caps changed"}
    r = app.post(f"/review/{EXPENSES}/resolve", json=body, headers=who["tess"])
    assert r.status_code == 200 and r.json()["state"] == "needs_review"
    assert EXPENSES not in queue(app, dev)  # resolved: back only when something new happens
    history = app.get(f"/documents/{EXPENSES}/history").json()["events"]
    assert history[-1]["note"] == "edit requested from the owners: the hotel caps changed"
    app.post(f"/documents/{EXPENSES}/flags", json={"kind": "outdated"}, headers=who["carol"])
    assert "flagged by 1 person (outdated)" in queue(app, dev)[EXPENSES]["reasons"]


def test_a_lapsed_verification_is_queued_as_content_changed(
    app: TestClient, who: dict[str, dict[str, str]]
) -> None:
    c = components(app)
    doc = c.manifest.load_document(PASSWORDS)
    assert app.post(f"/documents/{PASSWORDS}/verify", json={}, headers=who["dev"]).is_success
    entry = c.manifest.get_document(PASSWORDS)
    assert entry is not None
    changed = doc.model_copy(update={"text": doc.text + " Rotate vault keys yearly."})
    c.manifest.put_document(changed, entry.chunk_ids, entry.author_ids, entry.owner_ids, None)
    item = queue(app, who["dev"], include_snoozed="true")[PASSWORDS]
    assert CONTENT_CHANGED in item["reasons"]
