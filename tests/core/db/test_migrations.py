"""Schema migrations: a database made by the last release before Alembic (schema 4, dumps in
tests/fixtures/db/ made by that code with rows in every table) is refused until upgraded, then
upgraded in place with every row kept, on SQLite and PostgreSQL; the revisions build exactly
the tables the code declares; schemas 1-3 still upgrade; a newer revision is refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

import core.db.insights  # noqa: F401  (its tables are part of schema 4)
from core.db import SCHEMA_VERSION, ConflictStore, Database, ModerationStore, RunStore
from core.db.migrate import alembic_config, head
from core.db.tables import Base
from core.errors import SchemaOutdatedError, StorageError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "db"
RELEASE_SCHEMA = "wc_release"  # the schema name the PostgreSQL dump was taken from


def load_release(db_url: str, version: int = 4) -> None:
    """Restore the release's dump into the empty database at `db_url`."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        dump = (FIXTURES / f"schema{version}.sqlite.sql").read_text(encoding="utf-8")
        with sqlite3.connect(str(url.database)) as conn:
            conn.executescript(dump)
        return
    schema = str(url.query["options"]).split("search_path=", 1)[1]
    lines = (FIXTURES / f"schema{version}.postgresql.sql").read_text(encoding="utf-8").splitlines()
    script = "\n".join(
        line.replace(f"{RELEASE_SCHEMA}.", f"{schema}.")
        for line in lines
        if not line.startswith("\\") and line != f"CREATE SCHEMA {RELEASE_SCHEMA};"
    )
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(script)
    engine.dispose()


def snapshot(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    engine = create_engine(db_url)
    meta = MetaData()
    meta.reflect(engine)
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    engine.dispose()
    return out


@pytest.fixture
def release_url(db_url: str) -> Iterator[str]:
    """A database the schema-4 release made, rows in every table."""
    load_release(db_url)
    yield db_url


def test_a_release_4_database_is_refused_until_upgraded(release_url: str) -> None:
    before = snapshot(release_url)
    with pytest.raises(SchemaOutdatedError, match="python -m service db upgrade") as refused:
        Database(release_url)
    assert "schema 4 (before Alembic)" in str(refused.value)
    assert snapshot(release_url) == before  # refusing changed nothing


def test_a_release_4_database_upgrades_in_place_with_every_row_kept(release_url: str) -> None:
    before = snapshot(release_url)
    assert len(before) >= 18 and all(
        len(rows) == 2 for n, rows in before.items() if n != "schema_version"
    )
    db = Database(release_url, upgrade=True)
    try:
        assert db.opened_at is not None and db.opened_at.legacy_version == 4
        assert db.revision == head() == f"{SCHEMA_VERSION:04d}"
        assert db.schema_version() == SCHEMA_VERSION
        with db.session() as session:
            assert session.scalar(text("SELECT version_num FROM alembic_version")) == head()
    finally:
        db.dispose()
    after = snapshot(release_url)
    for name, rows in before.items():
        kept = after[name] if name != "schema_version" else [r[:1] + r[2:] for r in after[name]]
        want = rows if name != "schema_version" else [r[:1] + r[2:] for r in rows]
        assert kept == want, name
    assert {"moderation_conflicts", "alembic_version"} <= set(after) - set(before)

    # Today's code writes to the upgraded database, old rows and new tables alike.
    reopened = Database(release_url)
    try:
        conflicts = ConflictStore(reopened)
        conflicts.record("documents.id.1·é", "documents.id.2·é", question_id=None, detail="x")
        assert [c.other_id for c in conflicts.open_conflicts(["documents.id.1·é"])] == [
            "documents.id.2·é"
        ]
        store = ModerationStore(reopened)
        later = datetime.now(UTC) + timedelta(days=30)
        store.change("documents.id.1·é", "verified", "priya", expires_at=later)
        assert conflicts.open_conflicts(["documents.id.1·é"]) == []  # the trainer decided
        assert len(store.history("moderation_events.document_id.1·é")) == 1  # the old event
        runs = RunStore(reopened)
        assert runs.get("ingest_runs.id.1·é").error_code == "ingest_runs.error_code.1·é"
    finally:
        reopened.dispose()


def test_the_revisions_build_the_tables_the_code_declares(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    # A new table needs no revision (created when missing); anything else must match.
    assert [d for d in diffs if not (isinstance(d, tuple) and d[0] == "add_table")] == []


@pytest.mark.parametrize("version", [1, 2, 3])
def test_older_schemas_still_upgrade(release_url: str, version: int) -> None:
    engine = create_engine(release_url)
    with engine.begin() as conn:  # take the release back to what schema N held
        conn.execute(text("ALTER TABLE api_keys DROP COLUMN person_id"))  # added in 4
        for name in ("escalations", "escalation_events", "expert_status"):
            conn.execute(text(f"DROP TABLE {name}"))
        if version < 3:
            for name in ("moderation_states", "moderation_events", "moderation_flags"):
                conn.execute(text(f"DROP TABLE {name}"))
        if version < 2:
            conn.execute(text("ALTER TABLE ingest_runs DROP COLUMN error_code"))
        conn.execute(text(f"UPDATE schema_version SET version = {version}"))
    engine.dispose()
    with pytest.raises(SchemaOutdatedError, match=f"schema {version} "):
        Database(release_url)
    db = Database(release_url, upgrade=True)
    try:
        names = set(inspect(db.engine).get_table_names())
        assert {"escalations", "moderation_states", "moderation_conflicts"} <= names
        columns = {c["name"] for c in inspect(db.engine).get_columns("api_keys")}
        assert "person_id" in columns
        with db.session() as session:  # the release's rows are all there
            assert session.scalar(text("SELECT count(*) FROM api_keys")) == 2
            assert session.scalar(text("SELECT count(*) FROM documents")) == 2
        runs = RunStore(db)
        run_id = runs.start()
        runs.finish(run_id, "failed", error="index is closed", error_code="index_unavailable")
        assert runs.get(run_id).error_code == "index_unavailable"
    finally:
        db.dispose()


def test_a_new_database_is_created_at_the_newest_revision(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert db.opened_at is not None and db.opened_at.kind == "new"
        assert db.revision == head()
    finally:
        db.dispose()
    again = Database(db_url)
    try:
        assert again.opened_at is not None and again.opened_at.kind == "current"
    finally:
        again.dispose()


def test_a_revision_from_a_newer_watercooler_is_refused(db_url: str) -> None:
    Database(db_url).dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for upgrade in (False, True):
        with pytest.raises(StorageError, match="revision 9999, newer than"):
            Database(db_url, upgrade=upgrade)
