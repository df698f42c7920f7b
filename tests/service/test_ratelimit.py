"""Per-caller rate limits: 429 with Retry-After, per key, shared across processes through Redis."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.embedding import Embedder
from core.errors import ConfigError
from service.main import create_app
from tests.service.conftest import components, make_settings

REDIS = "redis://127.0.0.1:6379/11"  # this helper's database number


def limited(tmp_path: Path, embedder: Embedder, **service: Any) -> TestClient:
    settings = make_settings(tmp_path, service={"rate_limit": "3/minute", **service})
    return TestClient(create_app(settings, embedder=embedder))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    with limited(tmp_path_factory.mktemp("ratelimit"), embedder) as test_client:
        yield test_client


def key(client: TestClient) -> dict[str, str]:
    _, plain = components(client).keys.create(f"caller-{uuid.uuid4().hex[:6]}", [], "reader")
    return {"Authorization": f"Bearer {plain}"}


def test_a_caller_over_the_limit_gets_429_with_retry_after(client: TestClient) -> None:
    first, second = key(client), key(client)
    for _ in range(3):
        assert client.get("/me", headers=first).status_code == 200
    refused = client.get("/me", headers=first)
    assert refused.status_code == 429
    assert refused.json() == {
        "error": "rate_limited",
        "detail": refused.json()["detail"],
    }
    assert "the limit is 3 per 1 minute" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/me", headers=second).status_code == 200  # per key, not global


def test_probes_and_metrics_are_never_limited(client: TestClient) -> None:
    for _ in range(6):
        assert client.get("/health/live").status_code == 200
        assert client.get("/health/ready").status_code == 200
        assert client.get("/metrics").status_code == 200
    samples = client.get("/metrics").text
    assert 'status="429"' in samples  # a refusal is counted like any answer


def test_a_bad_limit_is_refused_at_start(tmp_path: Path, embedder: Embedder) -> None:
    with pytest.raises(ConfigError, match="is not a rate"):
        create_app(make_settings(tmp_path, service={"rate_limit": "lots"}), embedder=embedder)


def _redis_up() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.mark.integration
@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_processes_sharing_redis_share_one_budget(tmp_path: Path, embedder: Embedder) -> None:
    with (
        limited(tmp_path / "a", embedder, rate_limit_storage=REDIS) as one,
        limited(tmp_path / "b", embedder, rate_limit_storage=REDIS) as two,
    ):
        credential = {"X-API-Key": f"wc_shared-{uuid.uuid4().hex}"}  # counted before auth
        answers = [c.get("/me", headers=credential).status_code for c in (one, two, one, two)]
    assert answers == [401, 401, 401, 429]


def test_a_storage_that_does_not_answer_lets_requests_through(
    tmp_path: Path, embedder: Embedder
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    with limited(tmp_path, embedder, rate_limit_storage=dead) as client:
        for _ in range(5):
            assert client.get("/health").status_code == 200
            assert client.get("/me").status_code == 200
