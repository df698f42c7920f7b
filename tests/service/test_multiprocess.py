"""Several API processes, one database, one queue: nothing a request needs lives in one process.

Two API processes as uvicorn subprocesses (`serve --workers 2` on one port, a plain `serve`
on another, each with its own data dir, like replicas on two machines) share PostgreSQL and
Redis. The index is a Qdrant server that is not running: no Qdrant server can run here and
the embedded stores admit one process, so searches (and so facets over HTTP) cannot be
exercised across processes; the facet caches' cross-process invalidation is tested on the
real Redis with two caches instead. Jobs, their progress, the one-job rule and failures are
tested over HTTP end to end, with a `worker --burst` process running the job.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from core.db import generate_key
from service.facets import FacetCache
from service.queue import IndexGeneration, QueueKeys, one_at_a_time
from tests.service import queue_support
from tests.service.queue_support import QUEUE, ROOT, Processes, queue_env, wait_until

redis_db = queue_support.redis_db
postgres_schema_url = queue_support.postgres_schema_url
processes = queue_support.processes
workdir = queue_support.workdir

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

CORPUS = ROOT / "tests" / "service" / "corpus" / "sources.yaml"


def free_port() -> int:
    """A loopback port nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def admin_key() -> str:
    """The bootstrap admin key both API processes accept."""
    return generate_key()


@pytest.fixture(scope="module")
def env_for(workdir: Path, postgres_schema_url: str, redis_db: Redis, admin_key: str) -> Any:
    """The environment of a process with its own data dir, on the shared database and queue."""
    dead_qdrant = f"http://127.0.0.1:{free_port()}"

    def env(name: str) -> dict[str, str]:
        return queue_env(
            workdir / name,
            postgres_schema_url,
            CORPUS,
            WATERCOOLER_INDEX__BACKEND="server",
            WATERCOOLER_INDEX__URL=dead_qdrant,
            WATERCOOLER_INDEX__TIMEOUT_S="1",
            WATERCOOLER_SERVICE__AUTH_MODE="keys",
            WATERCOOLER_SERVICE__BOOTSTRAP_ADMIN_KEY=admin_key,
        )

    return env


@pytest.fixture(scope="module")
def apis(processes: Processes, env_for: Any, admin_key: str) -> Iterator[list[httpx.Client]]:
    """Two API processes (the first itself two uvicorn workers), ready; a client for each."""
    ports = [free_port(), free_port()]
    serve = ["-m", "service", "serve", "--host", "127.0.0.1", "--port"]
    processes.start("api-a", [*serve, str(ports[0]), "--workers", "2"], env_for("api-a"))
    processes.start("api-b", [*serve, str(ports[1])], env_for("api-b"))
    headers = {"Authorization": f"Bearer {admin_key}"}
    clients = [
        httpx.Client(base_url=f"http://127.0.0.1:{p}", headers=headers, timeout=30) for p in ports
    ]
    for name, client in zip(("api-a", "api-b"), clients, strict=True):
        wait_until(lambda c=client, n=name: _live(c, processes, n), 300, f"{name} to serve")
    yield clients
    for client in clients:
        client.close()


def _live(client: httpx.Client, procs: Processes, name: str) -> bool:
    if procs.running[name].poll() is not None:
        raise AssertionError(f"{name} exited:\n{procs.log(name)[-3000:]}")
    try:
        return client.get("/health/live").status_code == 200
    except httpx.TransportError:
        return False


def test_a_job_started_on_one_api_process_is_seen_refused_and_ended_on_the_other(
    apis: list[httpx.Client], processes: Processes, env_for: Any, redis_db: Redis
) -> None:
    a, b = apis
    started = a.post("/ingest/jobs", json={})
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    seen = b.get(f"/ingest/jobs/{job_id}").json()
    assert (seen["id"], seen["status"]) == (job_id, "running")
    assert job_id in [j["id"] for j in b.get("/ingest/jobs").json()["items"]]
    refused = b.post("/ingest/jobs", json={"source": "wiki"})  # one job at a time, everywhere
    assert refused.status_code == 409 and job_id in refused.json()["detail"]
    assert b.get("/health").json()["ingest_job"] == job_id
    assert b.post("/ingest/jobs", json={"source": "nope"}).status_code == 400
    generation = int(redis_db.get(QueueKeys(QUEUE).generation) or 0)

    # A worker runs the queue dry; the index is down, so the job fails with its error code.
    worker = [sys.executable, "-m", "service", "worker", "--burst", "--name", "burst"]
    done = subprocess.run(worker, cwd=ROOT, env=env_for("worker"), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    for client in (a, b):
        job = client.get(f"/ingest/jobs/{job_id}").json()
        assert job["status"] == "failed"
        assert job["error_code"] == "index_unavailable"
        assert job["error"]
    assert int(redis_db.get(QueueKeys(QUEUE).generation) or 0) == generation + 1
    assert b.get("/health").json()["ingest_job"] is None
    again = b.post("/ingest/jobs", json={"source": "wiki"})
    assert again.status_code == 202, again.text
    assert a.get(f"/ingest/jobs/{again.json()['id']}").json()["source"] == "wiki"


def test_facet_caches_in_two_processes_refresh_when_a_job_ends(redis_db: Redis) -> None:
    keys = QueueKeys(QUEUE)
    counts = {"value": 1}

    def compute() -> int:
        return counts["value"]

    caches = [FacetCache[int](generation=IndexGeneration(redis_db, keys).current) for _ in "ab"]
    assert [c.get_or_compute("k", compute) for c in caches] == [1, 1]
    counts["value"] = 2  # the index changed, the caches do not know yet
    assert [c.get_or_compute("k", compute) for c in caches] == [1, 1]
    IndexGeneration(redis_db, keys).bump()  # what a worker does when a job ends
    assert [c.get_or_compute("k", compute) for c in caches] == [2, 2]
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    cache = FacetCache[int](generation=IndexGeneration(unreachable, keys).current)
    assert cache.get_or_compute("k", compute) == 2  # Redis down: the TTL alone expires it


def test_api_processes_and_workers_are_refused_with_the_embedded_index(workdir: Path) -> None:
    env = queue_env(workdir / "edge", "sqlite:///" + str(workdir / "edge.db"), CORPUS)
    env.pop("WATERCOOLER_QUEUE__ENABLED")
    serve = [sys.executable, "-m", "service", "serve", "--workers", "2"]
    done = subprocess.run(serve, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 2
    assert b"the embedded index admits one process" in done.stderr
    worker = [sys.executable, "-m", "service", "worker"]
    done = subprocess.run(worker, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert done.returncode == 2
    assert b"the worker runs queued jobs" in done.stderr


def test_the_service_timer_runs_in_one_api_process_at_a_time(redis_db: Redis) -> None:
    key = QueueKeys(QUEUE).timer
    inside, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow() -> None:
        ran.append("a")
        inside.set()
        release.wait(10)

    first = one_at_a_time(redis_db, key, slow)  # process A's timer
    second = one_at_a_time(redis_db, key, lambda: ran.append("b"))  # process B's
    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    second()  # A's tick is still running: B skips this round
    release.set()
    thread.join(10)
    second()  # A is done: B runs its next round
    assert ran == ["a", "b"]
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    one_at_a_time(unreachable, key, lambda: ran.append("c"))()  # no lock, no tick
    assert ran == ["a", "b"]
