"""ModerationStore on SQLite and PostgreSQL: states, history, flags, lapses, the schema step."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select, text, update

from core.db import SCHEMA_VERSION, Database, ManifestStore, ModerationStore
from core.db.moderation import INGESTION
from core.db.tables import Base, SchemaVersion
from core.moderation import CONTENT_CHANGED, text_hash
from tests.core.db.test_db_manifest import make_doc

MODERATION_TABLES = {
    "moderation_states",
    "moderation_events",
    "moderation_flags",
    "review_assignments",
}
LATER = datetime.now(UTC) + timedelta(days=30)


def test_change_records_every_step_of_the_history(db: Database) -> None:
    store = ModerationStore(db)
    store.change("d1", "verified", "priya", note="checked", expires_at=LATER, text_hash="h")
    store.change("d1", "outdated", "sam", replaced_by="d2", note="policy 2026 replaces it")
    (state,) = store.states_for(["d1"])
    assert (state.state, state.by, state.replaced_by) == ("outdated", "sam", "d2")
    history = store.history("d1")
    assert [(e.who, e.from_state, e.to_state, e.note) for e in history] == [
        ("priya", None, "verified", "checked"),
        ("sam", "verified", "outdated", "policy 2026 replaces it"),
    ]
    assert history[0].at.tzinfo is not None and history[0].at <= history[1].at


def test_a_passage_state_is_kept_apart_from_its_document(db: Database) -> None:
    store = ModerationStore(db)
    store.change("d1", "verified", "priya", expires_at=LATER)
    store.change("d1", "needs_review", "lee", chunk_id="c7", reason="figures look old")
    states = {s.chunk_id: s.state for s in store.states_for(["d1", "other"])}
    assert states == {"": "verified", "c7": "needs_review"}


def test_flags_count_people_and_a_decision_resolves_them(db: Database) -> None:
    store = ModerationStore(db)
    store.flag("d1", "c1", "ann", "wrong", "the rate is 0.30 now")
    store.flag("d1", "c2", "ann", "unclear", None)
    store.flag("d1", "c1", "bob", "outdated", None)
    store.flag("d2", "c9", "bob", "unclear", None)
    assert store.flag_counts(["d1", "d2", "d3"]) == {"d1": 2, "d2": 1}
    store.change("d1", "needs_review", "lee", reason="flagged")
    assert store.flag_counts(["d1"]) == {"d1": 2}  # a review request answers nothing yet
    store.change("d1", "verified", "lee", expires_at=LATER)
    assert store.flag_counts(["d1", "d2"]) == {"d2": 1}
    assert [f.user_id for f in store.open_flags()] == ["bob"]


def test_concurrent_changes_are_serialized_and_all_in_the_history(db: Database) -> None:
    store = ModerationStore(db)
    barrier = threading.Barrier(8)

    def change(i: int) -> None:
        barrier.wait()
        store.change("d1", "verified" if i % 2 else "needs_review", f"t{i}", reason="r")

    threads = [threading.Thread(target=change, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = store.history("d1")
    assert len(history) == 8
    # Each change saw the one before it: the chain from → to is unbroken.
    assert history[0].from_state is None
    for before, after in itertools.pairwise(history):
        assert after.from_state == before.to_state
    (state,) = store.states_for(["d1"])
    assert state.by == history[-1].who  # the last one wins


def test_reingesting_changed_text_lapses_the_verification(db: Database) -> None:
    manifest, store = ManifestStore(db), ModerationStore(db)
    doc = make_doc()
    manifest.put_document(doc, ["c1", "c2"], [], [], None)
    store.change(doc.id, "verified", "priya", expires_at=LATER, text_hash=text_hash(doc.text))
    store.change(doc.id, "verified", "priya", chunk_id="c1", expires_at=LATER)
    store.change(doc.id, "verified", "priya", chunk_id="c2", expires_at=LATER)

    manifest.put_document(doc, ["c1", "c2"], [], [], None)  # unchanged: nothing lapses
    assert {s.state for s in store.states_for([doc.id])} == {"verified"}

    changed = doc.model_copy(update={"text": doc.text + " New rule."})
    manifest.put_document(changed, ["c1", "c3"], [], [], None)
    states = {s.chunk_id: (s.state, s.reason, s.by) for s in store.states_for([doc.id])}
    assert states == {
        "": ("needs_review", CONTENT_CHANGED, INGESTION),
        "c1": ("verified", None, "priya"),  # its passage is still there, unchanged
        "c2": ("needs_review", CONTENT_CHANGED, INGESTION),
    }
    lapses = [e for e in store.history(doc.id) if e.who == INGESTION]
    assert [(e.chunk_id, e.from_state, e.to_state, e.note) for e in lapses] == [
        ("", "verified", "needs_review", CONTENT_CHANGED),
        ("c2", "verified", "needs_review", CONTENT_CHANGED),
    ]


def test_assignments_replace_each_other(db: Database) -> None:
    store = ModerationStore(db)
    store.assign("d1", reviewer="priya")
    until = datetime.now(UTC) + timedelta(days=3)
    store.assign("d1", reviewer="sam", snoozed_until=until, snooze_reason="owner on leave")
    (entry,) = store.assignments().values()
    assert (entry.reviewer, entry.snooze_reason) == ("sam", "owner on leave")
    assert entry.snoozed_until == until


def test_a_version_2_database_is_upgraded_in_place_with_nothing_lost(
    db: Database, db_url: str
) -> None:
    manifest = ManifestStore(db)
    doc = make_doc()
    manifest.put_document(doc, ["c1"], ["zoe-1"], [], None)
    db.dispose()
    # Make it what the release before moderation left: no moderation tables, version 2.
    with db.engine.begin() as conn:
        for name in MODERATION_TABLES:
            conn.execute(text(f"DROP TABLE {name}"))
        conn.execute(text("ALTER TABLE api_keys DROP COLUMN person_id"))  # added in 4
        conn.execute(text("DROP TABLE alembic_version"))  # it came with 5
        conn.execute(text("DROP TABLE moderation_conflicts"))
        conn.execute(update(SchemaVersion).values(version=2))
    assert not MODERATION_TABLES & set(inspect(db.engine).get_table_names())
    db.engine.dispose()

    reopened = Database(db_url, upgrade=True)
    try:
        assert reopened.schema_version() == SCHEMA_VERSION
        assert set(inspect(reopened.engine).get_table_names()) >= MODERATION_TABLES
        kept = ManifestStore(reopened).get_document(doc.id)
        assert kept is not None and kept.author_ids == ["zoe-1"]
        assert ManifestStore(reopened).load_document(doc.id).text == doc.text
        store = ModerationStore(reopened)
        store.change(doc.id, "verified", "priya", expires_at=LATER)
        assert store.history(doc.id)[0].to_state == "verified"
        with reopened.session() as session:
            assert session.scalar(select(SchemaVersion.version)) == SCHEMA_VERSION
        assert set(Base.metadata.tables) >= MODERATION_TABLES
    finally:
        reopened.dispose()
