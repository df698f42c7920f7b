"""Schema revisions: where a database stands, and bringing it up to date with Alembic.

The revisions live in core/db/migrations/versions/ (one module each, named after the schema
version it brings; `SCHEMA_VERSION` in tables.py is the newest). A database says where it is
in `alembic_version`; one made before Alembic (schema 1 to 4) has only `schema_version`, and
its pre-Alembic steps below run before the Alembic baseline 0004, which creates what is
missing. Upgrading runs in one transaction: on PostgreSQL a failed step changes nothing.

    new        no Watercooler schema yet: Database creates every table and stamps the newest
    current    at the newest revision
    outdated   an older revision (or schema 1-4): `python -m service db upgrade` upgrades it
    newer      a revision this Watercooler does not know (made by a newer one): refused

A table no revision knows yet is created when missing (Database calls create_all after
this), so a new table needs no revision; a change to an existing table does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Literal

from sqlalchemy import Connection, Engine, inspect, text

log = logging.getLogger(__name__)


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs at INFO each plugin it loads and each context it opens: keep that out of
    every database open."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


with _quiet_alembic():
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

UPGRADE_COMMAND = "python -m service db upgrade"
BASELINE = "0004"  # the schema of the last release before Alembic
# The pre-Alembic steps from schema N to N + 1 that the baseline cannot do (it only creates
# missing tables): (table, column, type) added to a table that already existed.
LEGACY_STEPS: dict[int, tuple[tuple[str, str, str], ...]] = {
    1: (("ingest_runs", "error_code", "VARCHAR(32)"),),
    2: (),  # the moderation tables: created by the baseline
    3: (("api_keys", "person_id", "VARCHAR(255)"),),  # + the escalation tables
}

Kind = Literal["new", "current", "outdated", "newer"]


@dataclass(frozen=True)
class SchemaStatus:
    """Where a database stands against this Watercooler's revisions."""

    kind: Kind
    revision: str | None  # its Alembic revision; None before Alembic or when new
    legacy_version: int | None  # its schema_version when made before Alembic
    head: str  # the newest revision this Watercooler knows

    @property
    def label(self) -> str:
        """The revision as a user reads it."""
        if self.revision is not None:
            return f"revision {self.revision}"
        if self.legacy_version is not None:
            return f"schema {self.legacy_version} (before Alembic)"
        return "empty"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration of the packaged revisions, on `connection` when given."""
    cfg = Config()
    cfg.set_main_option("script_location", "core.db:migrations")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this Watercooler knows."""
    found = _scripts().get_current_head()
    if found is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError("no schema revisions found in core/db/migrations")
    return found


def status(conn: Connection) -> SchemaStatus:
    """Read where the database on `conn` stands (reads only)."""
    newest = head()
    tables = set(inspect(conn).get_table_names())
    revision = None
    if "alembic_version" in tables:
        with _quiet_alembic():
            revision = MigrationContext.configure(conn).get_current_revision()
    legacy = None
    if "schema_version" in tables:
        legacy = conn.execute(text("SELECT version FROM schema_version")).scalar()
    if revision is None and legacy is None:
        return SchemaStatus("new", None, None, newest)
    if revision is None:
        kind: Kind = "outdated" if legacy is not None and legacy <= int(BASELINE) else "newer"
        return SchemaStatus(kind, None, legacy, newest)
    known = {s.revision for s in _scripts().walk_revisions()}
    if revision not in known or (legacy is not None and legacy > int(newest)):
        return SchemaStatus("newer", revision, None, newest)
    return SchemaStatus("current" if revision == newest else "outdated", revision, None, newest)


def upgrade(conn: Connection) -> SchemaStatus:
    """Bring an outdated database to the newest revision in the caller's transaction."""
    before = status(conn)
    if before.kind != "outdated":
        return before
    if before.revision is None and before.legacy_version is not None:
        _legacy_steps(conn, before.legacy_version)
    command.upgrade(alembic_config(conn), "head")
    log.info(
        "database schema upgraded",
        extra={"from_revision": before.label, "to_revision": before.head},
    )
    return before


def stamp_head(conn: Connection) -> None:
    """Record the newest revision in a database whose tables were just created."""
    with _quiet_alembic():
        command.stamp(alembic_config(conn), "head")


def _legacy_steps(conn: Connection, version: int) -> None:
    """The pre-Alembic column additions from `version` to the baseline, where still missing."""
    for step in range(version, int(BASELINE)):
        for table, column, sql_type in LEGACY_STEPS.get(step, ()):
            names = inspect(conn).get_table_names()
            if table in names and column not in {
                c["name"] for c in inspect(conn).get_columns(table)
            }:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def upgrade_engine(engine: Engine) -> SchemaStatus:
    """`upgrade` in its own transaction; returns where the database stood before."""
    with engine.begin() as conn:
        return upgrade(conn)
