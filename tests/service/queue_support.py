"""Fixtures for the queue and multi-process tests: the real Redis and PostgreSQL, worker and
API processes started as subprocesses, and a corpus big enough to kill a worker in mid-job.

Redis: database 14 of the local server (`WATERCOOLER_TEST_QUEUE_REDIS`), flushed before and
after each module and used by nothing else. PostgreSQL: a fresh schema per module.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

REDIS_URL = os.environ.get("WATERCOOLER_TEST_QUEUE_REDIS", "redis://127.0.0.1:6379/14")
POSTGRES_URL = os.environ.get(
    "WATERCOOLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ROOT = Path(__file__).resolve().parents[2]
QUEUE = "wc-test"


@pytest.fixture(scope="module")
def redis_db() -> Iterator[Redis]:
    """The test's own Redis database, empty, or a skip when Redis does not answer."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections see only a fresh PostgreSQL schema, dropped afterwards."""
    admin = create_engine(
        POSTGRES_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 2},
    )  # fmt: skip
    schema = f"dq_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except SQLAlchemyError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable: {str(exc).splitlines()[0]}")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def queue_env(data_dir: Path, db_url: str, config: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker or API process on the test queue."""
    env = {
        **os.environ,
        "WATERCOOLER_DATA_DIR": str(data_dir),
        "WATERCOOLER_DB__URL": db_url,
        "WATERCOOLER_INGEST__CONFIG": str(config),
        "WATERCOOLER_QUEUE__ENABLED": "true",
        "WATERCOOLER_QUEUE__REDIS_URL": REDIS_URL,
        "WATERCOOLER_QUEUE__NAME": QUEUE,
        "WATERCOOLER_QUEUE__HEARTBEAT_S": "3",
        "WATERCOOLER_QUEUE__SCHEDULER_INTERVAL_S": "1",
        "WATERCOOLER_EMBEDDING__BATCH_SIZE": "8",  # small batches: progress moves often
    }
    env.update(extra)
    return env


@dataclass
class Processes:
    """Subprocesses started by a test, each with its log file; all stopped at the end."""

    logs: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start `python <args>` in the repository root, its output in logs/<name>.log."""
        with (self.logs / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.running[name] = proc
        return proc

    def log(self, name: str) -> str:
        """What a process wrote so far."""
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def kill(self, name: str) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        proc = self.running.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        """SIGTERM each (warm shutdown), then SIGKILL what is left after 20 s."""
        for proc in self.running.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.running.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.running.clear()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """The module's own temporary folder: pytest's numbered ones are pruned by concurrent
    pytest sessions on this machine, which would pull data from under running workers."""
    with tempfile.TemporaryDirectory(prefix="wc-queue-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def processes(workdir: Path) -> Iterator[Processes]:
    """Starts and, at the end, stops the module's subprocesses."""
    (workdir / "logs").mkdir()
    procs = Processes(workdir / "logs")
    yield procs
    procs.stop_all()


def wait_until(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll `check` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.2)


def workers_ready(redis: Redis, names: set[str], procs: Processes, timeout_s: float = 240) -> None:
    """Wait until RQ lists these workers on the test queue (they loaded the model)."""
    queue = Queue(QUEUE, connection=redis)

    def ready() -> bool:
        for name in names:
            proc = procs.running.get(name)
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"worker {name} exited:\n{procs.log(name)[-3000:]}")
        return names <= {w.name for w in Worker.all(queue=queue)}

    wait_until(ready, timeout_s, f"workers {sorted(names)}")


def write_corpus(folder: Path, pages: int) -> Path:
    """A Markdown wiki of `pages` distinct pages and its sources file; the file's path."""
    wiki = folder / "wiki"
    wiki.mkdir(parents=True, exist_ok=True)
    topics = ["expenses", "on-call", "quizzes", "passwords", "travel", "hiring", "laptops"]
    for n in range(pages):
        topic = topics[n % len(topics)]
        paragraphs = [
            f"Page {n} explains {topic} rule {n}.{k}: teams record item {n * 7 + k} in the "
            f"register, check it against budget line {k * 13 + n} and ask the {topic} owner "
            "when the amount or the deadline is unclear."
            for k in range(8)
        ]
        (wiki / f"{topic}-{n:04d}.md").write_text(
            f"# {topic.title()} note {n}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
    config = folder / "sources.yaml"
    config.write_text(
        "sources:\n  - {name: wiki, kind: wiki, format: markdown, path: wiki}\n", encoding="utf-8"
    )
    return config
