"""The database handle: engine setup per dialect, schema creation, transactions, errors.

`Database(url)` opens SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (pre-ping,
connect timeout) and checks its schema revision (core/db/migrate.py): a new database gets every
table, an older one is refused with `SchemaOutdatedError` naming `python -m service db upgrade`
unless opened with `upgrade=True` (what that command does). Every failure of
SQLAlchemy or the driver leaves this layer as a `StorageError` whose message names the
operation and never shows a password.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.expression import GenerativeSelect

import core.db.migrate as migrate
from core.db.tables import SCHEMA_VERSION, Base, SchemaVersion
from core.errors import SchemaOutdatedError, StorageError

log = logging.getLogger(__name__)

_S = TypeVar("_S", bound=GenerativeSelect)
_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_MAX_REASON = 500


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (also for URLs SQLAlchemy cannot parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def paginate(stmt: _S, limit: int, offset: int) -> _S:
    """Apply LIMIT/OFFSET after checking both are non-negative."""
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0, got limit={limit}, offset={offset}")
    return stmt.limit(limit).offset(offset)


def upsert(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
) -> None:
    """Insert rows, or update every non-key column of the rows whose `keys` already exist."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg_stmt = pg_insert(model)
        set_ = {k: pg_stmt.excluded[k] for k in rows[0] if k not in keys}
        session.execute(pg_stmt.on_conflict_do_update(index_elements=keys, set_=set_), rows)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite_stmt = sqlite_insert(model)
        set_ = {k: lite_stmt.excluded[k] for k in rows[0] if k not in keys}
        session.execute(lite_stmt.on_conflict_do_update(index_elements=keys, set_=set_), rows)
    else:  # no native upsert known: select-then-write by primary key
        for row in rows:
            session.merge(model(**row))


def schema_status(url: str, *, connect_timeout_s: float = 10.0) -> migrate.SchemaStatus:
    """Where the database's schema stands, read without creating or changing anything."""
    try:
        engine = _create_engine(url, connect_timeout_s=connect_timeout_s, echo=False)
        try:
            with engine.connect() as conn:
                return migrate.status(conn)
        finally:
            engine.dispose()
    except (SQLAlchemyError, OSError, ImportError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().split("\n[SQL:", 1)[0]
        raise StorageError(f"read schema revision failed ({redact_url(url)}): {reason}") from exc


class Database:
    """One database: engine, schema and transactions; share one instance per process."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout_s: float = 10.0,
        echo: bool = False,
        upgrade: bool = False,
    ) -> None:
        self.url = redact_url(url)
        # Where the schema stood when opened (`db upgrade` reports it); its revision now.
        self.opened_at: migrate.SchemaStatus | None = None
        self.revision = ""
        try:
            self.engine = _create_engine(url, connect_timeout_s=connect_timeout_s, echo=echo)
        except (SQLAlchemyError, OSError, ImportError) as exc:
            raise self._error("open database", exc) from exc
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            version = self._create_schema(upgrade)
        except BaseException:
            self.engine.dispose()
            raise
        log.info(
            "database opened",
            extra={"db_url": self.url, "dialect": self.dialect, "schema_revision": version},
        )

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: 'sqlite', 'postgresql', ..."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, operation: str = "database operation") -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except SQLAlchemyError as exc:
                raise self._error(operation, exc) from exc

    def schema_version(self) -> int:
        """The schema version stored in the database."""
        with self.session("read schema version") as session:
            version = session.scalar(select(SchemaVersion.version))
        if version is None:
            raise StorageError(f"read schema version failed ({self.url}): no version row")
        return version

    def ping(self) -> bool:
        """Whether the database answers a trivial query; the reason is logged when not."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            log.warning(
                "database ping failed",
                extra={"db_url": self.url, "error": self._error("ping", exc).args[0]},
            )
            return False
        return True

    def dispose(self) -> None:
        """Close every pooled connection (the next use reconnects)."""
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    def _create_schema(self, upgrade: bool) -> str:
        """Create a new schema, or upgrade (when asked) or refuse an older one; returns the
        revision. Tables no revision knows yet are created when missing (migrate.py)."""
        found = self._status()
        try:
            with self.engine.begin() as conn:
                found = migrate.status(conn)
                if found.kind == "new":
                    Base.metadata.create_all(conn)
                    conn.execute(
                        insert(SchemaVersion).values(id=1, version=SCHEMA_VERSION, created=utcnow())
                    )
                    migrate.stamp_head(conn)
                elif found.kind == "outdated" and upgrade:
                    migrate.upgrade(conn)
        except SQLAlchemyError as exc:
            # Another process may have created the new schema first: then it is current.
            if found.kind != "new" or self._status().kind != "current":
                raise self._error("open database", exc) from exc
            found = self._status()
        self.opened_at = found
        if found.kind == "outdated" and not upgrade:
            raise SchemaOutdatedError(
                f"database {self.url} is at {found.label}, this Watercooler needs revision "
                f"{found.head}: back it up, then run `{migrate.UPGRADE_COMMAND}`"
            )
        if found.kind == "newer":
            raise StorageError(
                f"database {self.url} is at {found.label}, newer than this Watercooler's "
                f"{found.head}: it was made by a newer version; upgrade Watercooler or point "
                "to another database"
            )
        try:
            Base.metadata.create_all(self.engine)
        except SQLAlchemyError as exc:
            raise self._error("open database", exc) from exc
        self.revision = found.head
        return found.head

    def _status(self) -> migrate.SchemaStatus:
        """Where the schema stands (read in its own transaction)."""
        try:
            with self.engine.connect() as conn:
                return migrate.status(conn)
        except SQLAlchemyError as exc:
            raise self._error("open database", exc) from exc

    def _error(self, operation: str, exc: BaseException) -> StorageError:
        """A StorageError naming the operation, with the driver's reason and no password."""
        reason = str(getattr(exc, "orig", None) or exc).strip()
        # SQLAlchemy appends the SQL, parameters and a help link; keep the reason only.
        reason = reason.split("\n[SQL:", 1)[0].split("\n(Background", 1)[0].strip()
        reason = _PASSWORD_IN_URL.sub(r"\1***@", reason)[:_MAX_REASON]
        return StorageError(f"{operation} failed ({self.url}): {type(exc).__name__}: {reason}")


def _create_engine(url: str, *, connect_timeout_s: float, echo: bool) -> Engine:
    """An engine configured for the URL's dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = max(1, round(connect_timeout_s))
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, echo=echo)

    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or parsed.query.get("mode") == "memory"
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": connect_timeout_s},
        "echo": echo,
    }
    if in_memory:  # the database lives in its one connection: share it, do not pool
        options["poolclass"] = StaticPool
    engine = create_engine(parsed, **options)
    busy_ms = int(connect_timeout_s * 1000)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine
