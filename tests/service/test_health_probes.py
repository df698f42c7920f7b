"""/health/live and /health/ready: probes for orchestrators, beside today's /health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import (
    POSTGRES_URL,
    components,
    make_settings,
    scratch_postgres_database,
)


def test_probes_answer_without_a_key_and_say_nothing_of_the_content(
    keys_client: TestClient,
) -> None:
    live = keys_client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = keys_client.get("/health/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ok", "problems": []}
    assert set(keys_client.get("/health").json()) == {"status", "auth_mode"}  # as before


def test_an_index_built_with_another_model_is_not_ready(tmp_path: Path, embedder: Embedder) -> None:
    with TestClient(create_app(make_settings(tmp_path), embedder=embedder)) as client:
        components(client).index_problem = "the index was built with another-model"
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["problems"] == ["the index was built with another-model"]
        assert client.get("/health/live").status_code == 200


@pytest.fixture
def doomed_database() -> Iterator[tuple[str, str]]:
    """A PostgreSQL database of its own (the test drops it while the service runs)."""
    with scratch_postgres_database("deploy_auth_ops_ready") as (name, url):
        yield name, url


@pytest.mark.integration
def test_a_database_that_stops_answering_makes_the_service_unready_but_alive(
    tmp_path: Path, embedder: Embedder, doomed_database: tuple[str, str]
) -> None:
    name, url = doomed_database
    settings = make_settings(tmp_path, db={"url": url})
    with TestClient(create_app(settings, embedder=embedder)) as client:
        assert client.get("/health/ready").status_code == 200
        admin = create_engine(POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert any(name in p and "does not answer" in p for p in ready.json()["problems"])
        assert client.get("/health/live").status_code == 200
