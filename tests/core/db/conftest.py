"""Database fixtures: every test runs on a SQLite file and on PostgreSQL (own schema each).

PostgreSQL is the server at `WATERCOOLER_TEST_POSTGRES_URL` (default: the local one, trust
auth); when it does not answer within 2 s the PostgreSQL params are skipped with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.db import Database, ManifestStore, PeopleStore, RunStore

POSTGRES_URL = os.environ.get(
    "WATERCOOLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the test server, or a skip when it does not answer."""
    engine = create_engine(
        POSTGRES_URL,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 2},
    )
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        where = make_url(POSTGRES_URL)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        pytest.skip(f"PostgreSQL not reachable at {where.host}:{where.port or 5432}: {reason}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A URL whose connections see only a fresh schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with postgres_admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/watercooler.db"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An opened database, disposed after the test."""
    database = Database(db_url, connect_timeout_s=2)
    yield database
    database.dispose()


@pytest.fixture
def manifest(db: Database) -> ManifestStore:
    """The manifest store on the test database."""
    return ManifestStore(db)


@pytest.fixture
def people(db: Database) -> PeopleStore:
    """The people store on the test database."""
    return PeopleStore(db)


@pytest.fixture
def runs(db: Database) -> RunStore:
    """The run store on the test database."""
    return RunStore(db)
