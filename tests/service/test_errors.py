"""Errors become the right HTTP answers: one test per mapping, on real broken components."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import core.errors
from core.auth import local_key_path, read_local_key
from core.embedding import Embedder
from core.errors import (
    AuthenticationError,
    ConfigError,
    DatasetError,
    EmbeddingError,
    GenerationError,
    GenerationTimeout,
    IndexLockedError,
    IndexMismatchError,
    JobRunningError,
    JudgeError,
    JudgeTimeout,
    NotFoundError,
    PermissionDeniedError,
    QueueUnavailableError,
    SchemaOutdatedError,
    SourceError,
    StorageError,
    VectorIndexError,
    WatercoolerError,
)
from core.index.base import CHUNKER_VERSION, IndexMeta
from core.index.edge import EdgeIndex
from ingest.__main__ import EXIT_INDEX, exit_status
from service.errors import error_status
from service.main import create_app
from tests.service.conftest import components, make_settings, wait_for_job

# Every kind of the tree, its HTTP status and code: a new kind must be added here on purpose.
HTTP: dict[type[WatercoolerError], tuple[int, str]] = {
    WatercoolerError: (500, "internal"),
    NotFoundError: (404, "not_found"),
    AuthenticationError: (401, "unauthenticated"),
    PermissionDeniedError: (403, "forbidden"),
    JobRunningError: (409, "job_running"),
    ConfigError: (400, "bad_request"),
    SourceError: (400, "bad_request"),
    DatasetError: (400, "dataset_invalid"),
    IndexMismatchError: (503, "index_mismatch"),
    IndexLockedError: (503, "index_locked"),
    VectorIndexError: (503, "index_unavailable"),
    QueueUnavailableError: (503, "queue_unavailable"),
    SchemaOutdatedError: (503, "schema_outdated"),
    StorageError: (503, "database_unavailable"),
    EmbeddingError: (503, "embedding_unavailable"),
    GenerationTimeout: (504, "generator_timeout"),
    GenerationError: (502, "generator_failed"),
    JudgeError: (502, "judge_failed"),
    JudgeTimeout: (502, "judge_timeout"),
}


@pytest.fixture
def scratch(tmp_path: Path, embedder: Embedder) -> Iterator[TestClient]:
    """A fresh app over an empty data directory."""
    with TestClient(create_app(make_settings(tmp_path), embedder=embedder)) as client:
        yield client


def test_every_error_kind_has_its_status_and_code() -> None:
    tree = {
        kind
        for kind in vars(core.errors).values()
        if isinstance(kind, type) and issubclass(kind, WatercoolerError)
    }
    assert tree == set(HTTP)
    for kind, expected in HTTP.items():
        error = kind("a.md", "broken") if kind in (SourceError, DatasetError) else kind("broken")
        assert error_status(error) == expected, kind.__name__


def test_a_failed_ingest_job_stores_its_error_code(tmp_path: Path, embedder: Embedder) -> None:
    index = EdgeIndex(tmp_path / "index")
    index.ensure(IndexMeta("some-other-model", 768, CHUNKER_VERSION))
    index.close()
    with TestClient(create_app(make_settings(tmp_path), embedder=embedder)) as client:
        key = read_local_key(local_key_path(components(client).settings))
        admin = {"Authorization": f"Bearer {key}"}
        started = client.post("/ingest/jobs", json={}, headers=admin)
        assert started.status_code == 202
        job = wait_for_job(client.get, started.json()["id"], admin)
    assert (job["status"], job["error_code"]) == ("failed", "index_mismatch")
    assert "some-other-model" in job["error"] and "IndexMismatchError" not in job["error"]
    assert exit_status(job["error_code"]) == EXIT_INDEX


def test_a_malformed_body_is_422_with_a_readable_message(client: TestClient) -> None:
    response = client.post(
        "/ask", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"
    assert response.json()["detail"]
    wrong_type = client.post("/ask", json={"question": ["a", "list"]})
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"] == [
        {"field": "question", "message": "Input should be a valid string"}
    ]


def test_an_unknown_route_is_a_json_404(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "http_error", "detail": "Not Found"}


def test_an_index_built_with_another_model_is_503_with_the_reason(
    tmp_path: Path, embedder: Embedder
) -> None:
    index = EdgeIndex(tmp_path / "index")
    index.ensure(IndexMeta("some-other-model", 768, CHUNKER_VERSION))
    index.close()
    with TestClient(create_app(make_settings(tmp_path), embedder=embedder)) as client:
        for response in (
            client.get("/search", params={"q": "quiz"}),
            client.post("/ask", json={"question": "What is the pass mark?"}),
            client.get("/experts", params={"q": "quiz"}),
            client.get("/documents/0123456789abcdef"),
        ):
            assert response.status_code == 503
            assert response.json()["error"] == "index_mismatch"
            assert "some-other-model" in response.json()["detail"]
        health = client.get("/health")
        assert health.status_code == 503
        report = health.json()
        assert report["status"] == "unavailable"
        assert report["index"]["model"] == "some-other-model"
        assert any("some-other-model" in p for p in report["problems"])


def test_an_unavailable_index_is_503_with_the_reason(scratch: TestClient) -> None:
    assert scratch.get("/health").status_code == 200
    components(scratch).index.close()
    response = scratch.get("/search", params={"q": "quiz"})
    assert response.status_code == 503
    assert response.json()["error"] == "index_unavailable"
    assert "is closed" in response.json()["detail"]
    health = scratch.get("/health").json()
    assert health["status"] == "unavailable" and "is closed" in health["problems"][0]


def test_a_failing_database_is_503_with_the_reason(scratch: TestClient) -> None:
    db = components(scratch).db
    database = Path(db.engine.url.database or "")
    db.dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)  # tables gone under the service
    response = scratch.get("/people")
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "database_unavailable"
    assert "people failed" in body["detail"] and "no such table" in body["detail"]
    health = scratch.get("/health")
    assert health.status_code == 503
    assert any("database" in p for p in health.json()["problems"])


def test_an_unexpected_error_is_a_500_without_internals(
    scratch: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internals at /srv/watercooler")

    monkeypatch.setattr(components(scratch).people, "list", broken)
    with caplog.at_level(logging.ERROR, logger="service.errors"):
        response = scratch.get("/people")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal"
    assert body["detail"].startswith("internal server error (reference ")
    assert "secret" not in response.text and "Traceback" not in response.text
    logged = [r for r in caplog.records if r.getMessage() == "unexpected error"]
    assert logged and logged[0].exc_info is not None  # the traceback goes to the log
    assert getattr(logged[0], "reference", "") in body["detail"]
