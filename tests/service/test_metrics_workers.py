"""`serve --workers 2`: /metrics counts the requests of both uvicorn workers, whichever answers.

The API runs as it does for a team (server index backend, job queue on the real Redis,
PostgreSQL); the Qdrant server is not running (none can run here), which the request
metrics do not need.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.service.conftest import scratch_postgres_database

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get(
    "WATERCOOLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = "redis://127.0.0.1:6379/11"  # this helper's database number

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def database() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    with scratch_postgres_database("deploy_auth_ops_workers") as (_, url):
        yield url


def served_live(url: str) -> int:
    """The /health/live 200s in one scrape of /metrics."""
    body = httpx.get(f"{url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            labels = s.labels
            if (
                s.name == "watercooler_http_requests_total"
                and labels.get("route") == "/health/live"
                and labels.get("status") == "200"
            ):
                return int(s.value)
    return 0


def test_every_scrape_counts_the_requests_of_both_workers(tmp_path: Path, database: str) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    port = free_port()
    env = {
        **os.environ,
        "WATERCOOLER_DATA_DIR": str(tmp_path / "data"),
        "WATERCOOLER_DB__URL": database,
        "WATERCOOLER_INDEX__BACKEND": "server",
        "WATERCOOLER_INDEX__URL": f"http://127.0.0.1:{free_port()}",
        "WATERCOOLER_INDEX__TIMEOUT_S": "1",
        "WATERCOOLER_QUEUE__REDIS_URL": REDIS_URL,
        "WATERCOOLER_QUEUE__NAME": f"deploy-auth-ops-{uuid.uuid4().hex[:8]}",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        ready = 0
        while ready < 5:  # a few answers in a row: both workers are likely up
            try:
                ready = ready + 1 if httpx.get(f"{url}/health/live").status_code == 200 else 0
            except httpx.HTTPError:
                ready = 0
            assert process.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.5 if ready == 0 else 0)
        time.sleep(20)  # the second worker loads its model
        before = served_live(url)
        for _ in range(40):  # a new connection each: the kernel spreads them over the workers
            assert httpx.get(f"{url}/health/live").status_code == 200
        counts = {served_live(url) for _ in range(8)}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()
    assert counts == {before + 40}, counts
