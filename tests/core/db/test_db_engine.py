"""Database: schema and version, transactions, health check, and errors as StorageError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.engine import make_url

from core.db import SCHEMA_VERSION, Database, KeyStore, RunStore, redact_url
from core.db.tables import IngestRun, SchemaVersion, SourceFile
from core.errors import SchemaOutdatedError, StorageError
from tests.core.db.conftest import POSTGRES_URL


def _source_file(path: str = "a.md") -> SourceFile:
    return SourceFile(
        source="wiki",
        path=path,
        file_hash="f",
        context_hash="c",
        document_ids=[],
        last_seen=datetime.now(UTC),
        status="ok",
    )


def test_ping(db: Database) -> None:
    assert db.ping() is True


def test_schema_version_is_recorded_once(db: Database, db_url: str) -> None:
    assert db.schema_version() == SCHEMA_VERSION
    db.dispose()
    reopened = Database(db_url)
    with reopened.session() as session:
        rows = session.scalars(select(SchemaVersion)).all()
    assert [(r.id, r.version) for r in rows] == [(1, SCHEMA_VERSION)]
    assert rows[0].created.tzinfo is not None
    reopened.dispose()


def test_newer_schema_version_is_refused(db: Database, db_url: str) -> None:
    with db.session() as session:
        session.execute(update(SchemaVersion).values(version=SCHEMA_VERSION + 1))
    db.dispose()
    with pytest.raises(StorageError, match="newer than this Watercooler"):
        Database(db_url)


def test_a_version_1_database_gains_the_job_error_code_when_opened(
    db: Database, db_url: str
) -> None:
    with db.session() as session:
        session.execute(text("ALTER TABLE ingest_runs DROP COLUMN error_code"))
        session.execute(text("ALTER TABLE api_keys DROP COLUMN person_id"))  # added in 4
        session.execute(text("DROP TABLE alembic_version"))  # it came with 5
        session.execute(text("DROP TABLE moderation_conflicts"))
        session.execute(update(SchemaVersion).values(version=1))
    db.dispose()
    with pytest.raises(SchemaOutdatedError, match="python -m service db upgrade"):
        Database(db_url)
    reopened = Database(db_url, upgrade=True)
    try:
        assert reopened.schema_version() == SCHEMA_VERSION
        runs = RunStore(reopened)
        run_id = runs.start()
        runs.finish(run_id, "failed", error="index is closed", error_code="index_unavailable")
        assert runs.get(run_id).error_code == "index_unavailable"
    finally:
        reopened.dispose()


def test_a_version_3_database_gains_the_key_person_when_opened(db: Database, db_url: str) -> None:
    with db.session() as session:
        session.execute(text("ALTER TABLE api_keys DROP COLUMN person_id"))
        session.execute(text("DROP TABLE alembic_version"))  # it came with 5
        session.execute(text("DROP TABLE moderation_conflicts"))
        session.execute(update(SchemaVersion).values(version=3))
    db.dispose()
    reopened = Database(db_url, upgrade=True)
    try:
        assert reopened.schema_version() == SCHEMA_VERSION
        entry, plain = KeyStore(reopened).create("ana", [], "reader", person_id="ana-1")
        found = KeyStore(reopened).authenticate(plain)
        assert found is not None and found.id == entry.id and found.person_id == "ana-1"
    finally:
        reopened.dispose()


def test_session_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.session() as session:
        session.add(_source_file("kept.md"))
    with pytest.raises(RuntimeError), db.session() as session:
        session.add(_source_file("dropped.md"))
        session.flush()
        raise RuntimeError("boom")
    with db.session() as session:
        assert session.scalars(select(SourceFile.path)).all() == ["kept.md"]


def test_unique_source_and_path_gives_storage_error(db: Database) -> None:
    with db.session() as session:
        session.add(_source_file())
    with (
        pytest.raises(StorageError, match=r"^record twice failed .*IntegrityError"),
        db.session("record twice") as session,
    ):
        session.add(_source_file())
    with db.session() as session:
        assert len(session.scalars(select(SourceFile)).all()) == 1


def test_datetimes_come_back_aware_and_equal(db: Database) -> None:
    started = datetime(2024, 3, 9, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with db.session() as session:
        session.add(IngestRun(id="r", started=started, status="running"))
    with db.session() as session:
        run = session.get(IngestRun, "r")
        assert run is not None
        assert run.started == started
        assert run.started.utcoffset() == timedelta(0)
        assert run.started.day == 10  # stored in UTC, not as the local wall time


def test_naive_datetimes_are_taken_as_utc(db: Database) -> None:
    with db.session() as session:
        session.add(IngestRun(id="r", started=datetime(2024, 1, 1, 12), status="running"))
    with db.session() as session:
        run = session.get(IngestRun, "r")
        assert run is not None
        assert run.started == datetime(2024, 1, 1, 12, tzinfo=UTC)


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/nested/dir/w.db")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    assert (tmp_path / "nested" / "dir" / "w.db").exists()
    db.dispose()


def test_sqlite_in_memory_is_shared_across_sessions() -> None:
    db = Database("sqlite://")
    with db.session() as session:
        session.add(_source_file())
    with db.session() as session:
        assert session.scalars(select(SourceFile.path)).all() == ["a.md"]
    assert db.schema_version() == SCHEMA_VERSION
    db.dispose()


def test_redact_url_hides_passwords() -> None:
    assert redact_url("postgresql+psycopg://bob:s3cret@db:5432/wc") == (
        "postgresql+psycopg://bob:***@db:5432/wc"
    )
    assert redact_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert "s3cret" not in redact_url("not a url://bob:s3cret@db")


def test_unreachable_server_gives_storage_error_without_password() -> None:
    url = "postgresql+psycopg://bob:s3cret@127.0.0.1:1/wc"
    with pytest.raises(StorageError) as info:
        Database(url, connect_timeout_s=2)
    message = str(info.value)
    assert "s3cret" not in message
    assert "bob:***@127.0.0.1:1/wc" in message
    assert message.startswith("open database failed")
    assert "OperationalError" in message


@pytest.mark.parametrize(
    "url", ["not a url", "nosuchdialect://bob:s3cret@host/db", "postgresql+nodriver://h/db"]
)
def test_bad_url_gives_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match=r"^open database failed") as info:
        Database(url)
    assert "s3cret" not in str(info.value)


def test_unwritable_sqlite_path_gives_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match=r"^open database failed"):
        Database(f"sqlite:///{blocker}/sub/w.db")


def test_corrupt_sqlite_file_gives_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="file is not a database"):
        Database(f"sqlite:///{path}")


@pytest.mark.integration
def test_ping_fails_and_operations_raise_when_the_database_is_gone(
    postgres_admin: Engine,
) -> None:
    name = f"wc_gone_{datetime.now(UTC):%H%M%S%f}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    db = Database(url, connect_timeout_s=2)
    try:
        db.dispose()
        with postgres_admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name}"))
        assert db.ping() is False
        with pytest.raises(StorageError, match=f"^read schema version failed .*{name}"):
            db.schema_version()
    finally:
        db.dispose()
        with postgres_admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
