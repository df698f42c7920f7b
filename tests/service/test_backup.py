"""`python -m service backup` / `restore`: a round trip on SQLite + Edge and on PostgreSQL.

The CLI runs as a subprocess on a data directory holding the ingested test corpus; what changed
after the backup (a key created, the index lost) is gone after the restore, and what the
restore replaced is kept aside.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from core.db import Database, KeyStore, PeopleStore
from core.embedding import Embedder
from core.index.edge import EdgeIndex
from tests.service.conftest import ingest, make_settings, scratch_postgres_database

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "WATERCOOLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WATERCOOLER_DATA_DIR": str(settings.data_dir),
        "WATERCOOLER_DB__URL": settings.db.url or "",
    }
    if not settings.db.url:
        env.pop("WATERCOOLER_DB__URL")
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def key_users(settings: Settings) -> set[str]:
    db = Database(settings.database_url)
    try:
        return {e.user_id for e in KeyStore(db).list()}
    finally:
        db.dispose()


def people(settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        return PeopleStore(db).count()
    finally:
        db.dispose()


def points(path: Path) -> int:
    index = EdgeIndex(path)
    try:
        return index.count()
    finally:
        index.close()


def round_trip(settings: Settings, dest: Path, database: str) -> None:
    """Back up, lose data, restore, and check what came back."""
    before_people, before_points = people(settings), points(settings.index_path)
    assert before_people > 0 and before_points > 0
    made = cli(settings, "backup", str(dest))
    assert made.returncode == 0, made.stderr
    assert f"{database} database, edge index ({before_points} passages)" in made.stdout
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["database"] == database and manifest["points"] == before_points

    db = Database(settings.database_url)
    KeyStore(db).create("after-backup", [], "reader")
    db.dispose()
    shutil.rmtree(settings.index_path)  # the disk lost the index

    restored = cli(settings, "restore", str(dest))
    assert restored.returncode == 0, restored.stderr
    assert "after-backup" not in key_users(settings)
    assert people(settings) == before_people
    assert points(settings.index_path) == before_points
    aside = Path(restored.stdout.strip().rsplit(" ", 1)[-1])
    assert aside.parent == settings.data_dir and aside.name.startswith("before-restore-")
    if database == "sqlite":  # what the restore replaced is kept
        replaced = Database(f"sqlite:///{aside / 'database.sqlite'}")
        assert "after-backup" in {e.user_id for e in KeyStore(replaced).list()}
        replaced.dispose()
    else:
        assert (aside / "database.pgdump").stat().st_size > 0


def test_round_trip_on_sqlite_and_edge(tmp_path: Path, embedder: Embedder) -> None:
    settings = make_settings(tmp_path / "data")
    ingest(settings, embedder)
    round_trip(settings, tmp_path / "backup", "sqlite")


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own on the local PostgreSQL server, dropped afterwards."""
    with scratch_postgres_database("deploy_auth_ops_backup") as (_, url):
        yield url


@pytest.mark.integration
def test_round_trip_on_postgresql(
    tmp_path: Path, embedder: Embedder, postgres_database: str
) -> None:
    settings = make_settings(tmp_path / "data", db={"url": postgres_database})
    ingest(settings, embedder)
    round_trip(settings, tmp_path / "backup", "postgresql")


def test_refusals_are_clear(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir()
    Database(settings.database_url).dispose()
    full = tmp_path / "full"
    full.mkdir()
    (full / "something").write_text("x")
    made = cli(settings, "backup", str(full))
    assert made.returncode == 2 and "is not empty" in made.stderr
    no_index = cli(settings, "backup", str(tmp_path / "b1"))
    assert no_index.returncode == 2 and "run ingestion first" in no_index.stderr
    not_backup = cli(settings, "restore", str(full))
    assert not_backup.returncode == 2 and "is not a Watercooler backup" in not_backup.stderr
    assert "Traceback" not in made.stderr + no_index.stderr + not_backup.stderr


def test_a_held_index_is_refused(tmp_path: Path, embedder: Embedder) -> None:
    settings = make_settings(tmp_path / "data")
    ingest(settings, embedder)
    held = EdgeIndex(settings.index_path)  # as the running service holds it
    try:
        made = cli(settings, "backup", str(tmp_path / "backup"))
    finally:
        held.close()
    assert made.returncode == 1 and "is the service running?" in made.stderr
    assert "Traceback" not in made.stderr


def test_a_backup_of_one_kind_is_not_restored_into_another(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = make_settings(tmp_path / "data")
    ingest(settings, embedder)
    assert cli(settings, "backup", str(tmp_path / "backup")).returncode == 0
    manifest = tmp_path / "backup" / "manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "database": "postgresql"}))
    refused = cli(settings, "restore", str(tmp_path / "backup"))
    assert refused.returncode == 2 and "holds a postgresql database" in refused.stderr
