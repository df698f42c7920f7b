"""ConflictStore on SQLite and PostgreSQL: one row per pair (both ways), counted when seen
again, resolved when a trainer decides on the document, never reopened by a repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db import ConflictStore, Database, ModerationStore


def test_a_pair_is_recorded_once_both_ways_and_counted(db: Database) -> None:
    store = ConflictStore(db)
    store.record("a", "b", question_id="q1", detail="[1] says 70, [2] says 80")
    store.record("b", "a", question_id="q2", detail="[1] says 80, [2] says 70")
    store.record("a", "a", question_id="q3", detail=None)  # a document never disagrees alone
    got = {(c.document_id, c.other_id): c for c in store.open_conflicts()}
    assert set(got) == {("a", "b"), ("b", "a")}
    assert got["a", "b"].seen == 2 and got["a", "b"].detail == "[1] says 80, [2] says 70"
    assert got["a", "b"].first_seen <= got["a", "b"].last_seen
    assert [c.other_id for c in store.open_conflicts(["b"])] == ["a"]


def test_a_trainers_decision_resolves_the_documents_disagreements(db: Database) -> None:
    store = ConflictStore(db)
    store.record("a", "b", question_id=None, detail=None)
    store.record("a", "c", question_id=None, detail=None)
    later = datetime.now(UTC) + timedelta(days=30)
    ModerationStore(db).change("a", "needs_review", "tess", reason="look")  # not a decision
    assert len(store.open_conflicts(["a"])) == 2
    ModerationStore(db).change("a", "verified", "tess", expires_at=later)
    assert store.open_conflicts(["a"]) == []
    assert [c.other_id for c in store.open_conflicts(["b", "c"])] == ["a", "a"]
    store.record("a", "b", question_id=None, detail=None)  # seen again: stays resolved
    assert store.open_conflicts(["a"]) == []
