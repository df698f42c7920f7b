"""`python -m service backup DEST` / `restore SRC`: the database and the embedded index.

A backup is a folder:

    manifest.json      what is inside: the database kind, the index kind, counts, when
    database.sqlite    SQLite: a consistent online copy (SQLite's backup API)
    database.pgdump    PostgreSQL: `pg_dump --format=custom` (needs the PostgreSQL client tools)
    index/             the Qdrant Edge folder, copied while no process holds it
    index.snapshot     or, with a Qdrant server, a snapshot of the collection (service/snapshots.py)

The embedded index has one writer, so backup and restore refuse while the service (or an
ingest job) holds it: stop the service first. A Qdrant server snapshots its collection while
it serves; stop ingestion while backing up so the database and the index agree.

Restore checks that the backup's kinds match the current settings, moves what it replaces to
`<data_dir>/before-restore-<time>/` (nothing is lost by a wrong restore), then puts the copy in
place. PostgreSQL is restored with `pg_restore --clean --if-exists --single-transaction`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from core.config import Settings
from core.errors import ConfigError, IndexLockedError, StorageError
from core.index.edge import EdgeIndex
from service.snapshots import recover_snapshot, save_snapshot

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
PG_FILE = "database.pgdump"
INDEX_DIR = "index"
SNAPSHOT_FILE = "index.snapshot"
FORMAT = 1
PG_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds (also its manifest)."""

    database: str  # sqlite | postgresql
    index: str  # edge | server
    points: int | None  # passages in an Edge index
    created: str
    snapshot_bytes: int | None = None  # size of a server collection's snapshot (0: none)

    def to_json(self) -> dict[str, Any]:
        """The manifest's content."""
        return {"format": FORMAT, **self.__dict__}


def backup(settings: Settings, dest: Path) -> BackupReport:
    """Write a backup of the database and the embedded index to `dest` (new or empty)."""
    if dest.exists() and any(dest.iterdir()):
        raise ConfigError(f"{dest} is not empty: back up into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    kind = _database_kind(settings)
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(settings), dest / SQLITE_FILE)
    else:
        _pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(dest / PG_FILE)], settings)
    points = snapshot = None
    if settings.index.backend == "edge":
        _copy_index(settings.index_path, dest / INDEX_DIR)
        points = _count(dest / INDEX_DIR)
    else:
        snapshot = save_snapshot(settings, dest / SNAPSHOT_FILE)
    report = BackupReport(kind, settings.index.backend, points, _now(), snapshot)
    (dest / MANIFEST).write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
    log.info("backup written", extra={"dest": str(dest), "points": points})
    return report


def restore(settings: Settings, src: Path) -> tuple[BackupReport, Path]:
    """Put the backup at `src` in place; returns it and where the replaced data went."""
    report = read_manifest(src)
    kind = _database_kind(settings)
    if report.database != kind or report.index != settings.index.backend:
        raise ConfigError(
            f"the backup holds a {report.database} database and a {report.index} index; this "
            f"configuration uses {kind} and {settings.index.backend}"
        )
    aside = settings.data_dir / f"before-restore-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    aside.mkdir(parents=True)
    if settings.index.backend == "edge":
        _free(settings.index_path)  # refuse before anything moves
        if settings.index_path.exists():
            shutil.move(settings.index_path, aside / INDEX_DIR)
        shutil.copytree(src / INDEX_DIR, settings.index_path)
    elif (src / SNAPSHOT_FILE).exists():
        save_snapshot(settings, aside / SNAPSHOT_FILE)
        recover_snapshot(settings, src / SNAPSHOT_FILE)
    if kind == "sqlite":
        target = _sqlite_path(settings)
        if target.exists():
            _sqlite_copy(target, aside / SQLITE_FILE)
        _sqlite_copy(src / SQLITE_FILE, target)
    else:
        _pg(["pg_dump", "--format=custom", "--no-owner", "--file", str(aside / PG_FILE)], settings)
        restore_args = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
        ]
        _pg([*restore_args, str(src / PG_FILE)], settings, database_flag="--dbname")
    log.info("backup restored", extra={"src": str(src), "replaced": str(aside)})
    return report, aside


def read_manifest(src: Path) -> BackupReport:
    """The manifest of a backup folder; ConfigError when it is not one."""
    try:
        data = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        if data.pop("format") != FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return BackupReport(**data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConfigError(f"{src} is not a Watercooler backup ({MANIFEST}: {exc})") from exc


def _database_kind(settings: Settings) -> str:
    backend = make_url(settings.database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database_url).database
    if not database or database == ":memory:":
        raise ConfigError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, even while another process writes to it."""
    if not source.exists():
        raise ConfigError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):  # a stale log beside the target would be replayed onto it
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.Error as exc:
        raise StorageError(f"copying the database {source} failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _pg(args: list[str], settings: Settings, database_flag: str = "--dbname") -> None:
    """Run a PostgreSQL client tool against the configured database (password by env)."""
    url = make_url(settings.database_url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string()
    command = [args[0], f"{database_flag}={conninfo}", *args[1:]]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_S, check=False
        )
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{args[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client)"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise StorageError(f"{args[0]} did not finish in {PG_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise StorageError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


def _free(index_path: Path) -> None:
    """Refuse while another process holds the embedded index."""
    if not index_path.exists():
        return
    try:
        EdgeIndex(index_path).close()
    except IndexLockedError as exc:
        raise IndexLockedError(
            "the index is in use (is the service running?): stop the service, then retry"
        ) from exc


def _copy_index(source: Path, target: Path) -> None:
    if not source.exists():
        raise ConfigError(f"no index at {source}: run ingestion first")
    _free(source)
    shutil.copytree(source, target)


def _count(path: Path) -> int:
    """Points in a copied index: opening it proves the copy loads."""
    index = EdgeIndex(path)
    try:
        return index.count()
    finally:
        index.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
