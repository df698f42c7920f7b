"""Service fixtures: a real corpus ingested through the pipeline, the app over it, callers.

The corpus (tests/service/corpus) is a small Markdown wiki: an expense policy, quiz standards
2022 (superseded) and 2025, an on-call runbook, password rules, and one page restricted to
the `hr` group holding a distinctive fact (the merit budget, "Project Heron"). It is ingested
once per session into a temporary data directory; the app is built over it with the real
embedder, index, database and generators (the LLM one pointed at a local stub server).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from core.config import Settings, get_settings
from core.db import Database
from core.embedding import Embedder
from core.index.factory import open_index
from core.sources import load_sources
from ingest.job import build_pipeline
from service.components import Components
from service.main import create_app
from tests.core.generation.llm_stub import LLMStub, serve

CORPUS = Path(__file__).parent / "corpus"
SOURCES = CORPUS / "sources.yaml"
RESTRICTED_TITLE = "Compensation review 2026 – working notes"
RESTRICTED_FACT = "Heron"
HR_AUTHOR = "Chloe Martin"


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Test settings: a temporary data dir, the test corpus, open mode unless overridden."""
    return get_settings(data_dir=data_dir, ingest={"config": SOURCES}, **overrides)


def ingest(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """Ingest the corpus for real (the pipeline owns the index while it runs)."""
    return ingest_sources(settings, embedder, SOURCES)


def ingest_sources(settings: Settings, embedder: Embedder, sources: Path) -> dict[str, Any]:
    """Ingest a sources file for real; the job's report."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(sources), index=index, embedder=embedder, db=db
        )
        return pipeline.run().to_dict()
    finally:
        index.close()
        db.dispose()


@dataclass
class Callers:
    """Headers of the test callers (anonymous sends none)."""

    anonymous: dict[str, str]
    reader: dict[str, str]  # no groups
    hr: dict[str, str]  # reader in the hr group
    admin: dict[str, str]


def components(client: TestClient) -> Components:
    """The components of the app behind a test client."""
    app: FastAPI = client.app  # type: ignore[assignment]
    built: Components = app.state.components
    return built


@pytest.fixture(scope="session")
def llm_server() -> Iterator[LLMStub]:
    """An OpenAI-compatible LLM stub on a loopback port."""
    yield from serve(LLMStub())


@pytest.fixture(scope="session")
def corpus_settings(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, llm_server: LLMStub
) -> Settings:
    """Settings of a data dir holding the ingested corpus; the LLM generator uses the stub."""
    settings = make_settings(
        tmp_path_factory.mktemp("service-data"),
        llm={
            "base_url": f"{llm_server.url}/v1",
            "model": "stub-model",
            "timeout_s": 1.0,
            "max_retries": 0,
        },
    )
    report = ingest(settings, embedder)
    assert report["totals"]["new"] == 6 and not report["failures"]
    return settings


@pytest.fixture(scope="session")
def client(corpus_settings: Settings, embedder: Embedder) -> Iterator[TestClient]:
    """The app over the ingested corpus (open mode), started and stopped with its lifespan."""
    with TestClient(create_app(corpus_settings, embedder=embedder)) as test_client:
        yield test_client


def make_callers(client: TestClient) -> Callers:
    """Keys for a reader without groups, an hr reader and an admin."""
    keys = components(client).keys
    _, reader = keys.create("bob", [], "reader")
    _, hr = keys.create("alice", ["hr"], "reader")
    _, admin = keys.create("root", [], "admin")
    return Callers(
        anonymous={},
        reader={"Authorization": f"Bearer {reader}"},
        hr={"X-API-Key": hr},
        admin={"Authorization": f"Bearer {admin}"},
    )


@pytest.fixture(scope="session")
def keys_client(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[TestClient]:
    """The app over its own copy of the ingested corpus in keys mode (no key: 401)."""
    settings = make_settings(tmp_path_factory.mktemp("keys-data"), service={"auth_mode": "keys"})
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def callers(client: TestClient) -> Callers:
    """The test callers on the open-mode app."""
    return make_callers(client)


@pytest.fixture(scope="session")
def keys_callers(keys_client: TestClient) -> Callers:
    """The test callers on the keys-mode app (anonymous sends no key)."""
    return make_callers(keys_client)


@pytest.fixture
def llm_stub(llm_server: LLMStub) -> LLMStub:
    """The stub, reset to a well-behaved server."""
    llm_server.reset()
    return llm_server


class LiveServer:
    """An app served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, app: FastAPI, log_level: str = "warning") -> None:
        self.app = app
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        host, port = self._sock.getsockname()[:2]
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the service did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    @property
    def components(self) -> Components:
        """The running app's components."""
        built: Components = self.app.state.components
        return built


def wait_for_job(get: Any, job_id: str, headers: dict[str, str], timeout_s: float = 60) -> Any:
    """Poll an ingest job until it is no longer running; its last state."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = get(f"/ingest/jobs/{job_id}", headers=headers).json()
        if job["status"] != "running":
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"ingest job {job_id} still running after {timeout_s} s")
        time.sleep(0.1)


POSTGRES_URL = os.environ.get(
    "WATERCOOLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[tuple[str, str]]:
    """A database of its own on the test PostgreSQL server (name, URL), dropped afterwards."""
    admin = create_engine(
        POSTGRES_URL,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 2},
    )
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # any failure to reach the server is a skip
        admin.dispose()
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield name, make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
