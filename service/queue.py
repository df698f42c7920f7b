"""Ingestion jobs on a Redis queue (RQ): what the API does, and the keys API and workers share.

With the queue (core.queue.uses_queue), the API only records a run (RunStore), takes the
one-job slot and enqueues; `python -m service worker` processes run the job
(service/queue_worker.py). Keys under `queue.name`:

    {name}:ingest:active           the run id of the job queued or running (one at a time)
    {name}:ingest:progress:{run}   its stage counters, a hash every API process reads
    {name}:ingest:attempts:{run}   how many times a worker started it (retries after a death)
    {name}:index:generation        bumped when a job ends: API processes drop cached facets
    {name}:maintenance             held by the worker doing this tick's syncs and sweep
    {name}:timer                   held by the API process running the service timer's tick
    {name}:sync:{source}           when the scheduler last started that source's sync

The slot keeps today's contract (one job at a time, 409 otherwise) across processes; it
outlives a killed worker, whose job RQ re-runs under the same run id.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from redis import Redis
from redis.exceptions import LockError, RedisError
from rq import Callback, Queue, Retry

from core.config import Settings
from core.db import RunStore
from core.errors import JobRunningError, QueueUnavailableError, error_code
from core.queue import StageCounter
from core.sources import load_sources
from service.jobs import BUSY, check_source

log = logging.getLogger(__name__)

INGEST_JOB = "service.queue_worker.ingest_job"
ON_FAILURE = "service.queue_worker.on_job_failure"
PROGRESS_TTL_S = 7 * 86400  # progress stays readable a week, like a finished job's report
STARTING = "starting:"  # the slot's value between taking it and recording the run


class QueueKeys:
    """The Redis keys of one queue (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.active = f"{name}:ingest:active"
        self.generation = f"{name}:index:generation"
        self.maintenance = f"{name}:maintenance"
        self.timer = f"{name}:timer"

    def progress(self, run_id: str) -> str:
        """The hash of a run's stage counters."""
        return f"{self.name}:ingest:progress:{run_id}"

    def attempts(self, run_id: str) -> str:
        """How many times a worker started the run's job (more than 1: a worker died)."""
        return f"{self.name}:ingest:attempts:{run_id}"

    def last_sync(self, source: str) -> str:
        """When the scheduler last started `source`'s sync (epoch seconds)."""
        return f"{self.name}:sync:{source}"


def connect(settings: Settings) -> Redis:
    """A client of the queue's Redis with bounded timeouts (nothing is sent yet)."""
    return Redis.from_url(
        settings.queue.redis_url.get_secret_value(),
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=30,
    )


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Turn a Redis failure into QueueUnavailableError (message without the URL's password)."""
    try:
        yield
    except RedisError as exc:
        raise QueueUnavailableError(f"job queue: cannot {action}: {type(exc).__name__}") from exc


def slot_ttl_s(settings: Settings) -> int:
    """How long the one-job slot can outlive every attempt of its job (a backstop)."""
    return settings.queue.job_timeout_s * (settings.queue.retries + 1) + 600


class QueueLauncher:
    """JobLauncher that enqueues ingestion jobs for queue workers; progress from Redis."""

    def __init__(self, settings: Settings, runs: RunStore, redis: Redis) -> None:
        self.settings = settings
        self.runs = runs
        self.redis = redis
        self.keys = QueueKeys(settings.queue.name)
        self.queue = Queue(settings.queue.name, connection=redis)

    def start(self, source: str | None = None, config: Path | None = None) -> str:
        """Record a run, take the slot and enqueue the job; 409 while another is active."""
        check_source(load_sources(config or self.settings.ingest.config), source)
        token = f"{STARTING}{uuid.uuid4()}"
        ttl = slot_ttl_s(self.settings)
        with redis_errors("take the job slot"):
            if not self.redis.set(self.keys.active, token, nx=True, ex=ttl):
                raise JobRunningError(BUSY.format(run=self.running()))
        run_id: str | None = None
        try:
            run_id = self.runs.start(source)
            with redis_errors("enqueue the job"):
                self.redis.set(self.keys.active, run_id, ex=ttl)
                self.queue.enqueue(
                    INGEST_JOB,
                    run_id,
                    source,
                    str(config) if config else None,
                    job_id=run_id,
                    job_timeout=self.settings.queue.job_timeout_s,
                    retry=Retry(max=self.settings.queue.retries)
                    if self.settings.queue.retries
                    else None,
                    on_failure=Callback(ON_FAILURE),
                    result_ttl=PROGRESS_TTL_S,
                    failure_ttl=PROGRESS_TTL_S,
                    description=f"ingest {source or 'all sources'}",
                )
        except Exception as exc:
            self._abandon(token, run_id, exc)
            raise
        log.info("ingest job queued", extra={"run_id": run_id, "source": source})
        return run_id

    def _abandon(self, token: str, run_id: str | None, exc: Exception) -> None:
        """Undo a start that failed half-way: the run fails with the reason, the slot frees."""
        if run_id is not None:
            self.runs.finish(run_id, "failed", error=str(exc), error_code=error_code(exc))
        release_slot(self.redis, self.keys, token, run_id)

    def running(self) -> str | None:
        """The run id holding the slot (queued or running), if any."""
        try:
            value = self.redis.get(self.keys.active)
        except RedisError as exc:  # /health still answers; starting a job says what is wrong
            log.warning("cannot read the job slot", extra={"error": str(exc)})
            return None
        text = value.decode() if isinstance(value, bytes) else value
        return None if text is None or text.startswith(STARTING) else str(text)

    def progress(self, run_id: str) -> dict[str, StageCounter]:
        """The stage counters the worker left in Redis ({} if unknown or Redis is down)."""
        try:
            raw = self.redis.hgetall(self.keys.progress(run_id))
        except RedisError as exc:
            log.warning("cannot read job progress", extra={"run_id": run_id, "error": str(exc)})
            return {}
        return parse_progress(raw)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Nothing runs in this process: workers do."""
        return True


def parse_progress(raw: Mapping[bytes | str, bytes | str]) -> dict[str, StageCounter]:
    """Stage counters from the hash fields `done:<stage>` and `total:<stage>`."""
    stages: dict[str, StageCounter] = {}
    for field, value in raw.items():
        name = field.decode() if isinstance(field, bytes) else field
        kind, _, stage = name.partition(":")
        counter = stages.setdefault(stage, StageCounter())
        if kind == "done":
            counter.done = int(value)
        elif kind == "total":
            counter.total = int(value)
    return stages


_RELEASE = """local v = redis.call('get', KEYS[1])
for _, holder in ipairs(ARGV) do
  if v == holder then return redis.call('del', KEYS[1]) end
end
return 0"""


def release_slot(redis: Redis, keys: QueueKeys, *holders: str | None) -> None:
    """Free the one-job slot if one of `holders` still holds it (never another job's)."""
    names = [h for h in holders if h]
    try:
        redis.eval(_RELEASE, 1, keys.active, *names)  # compare and delete in one step
    except RedisError as exc:  # the slot then expires by itself
        log.warning("cannot free the job slot", extra={"error": str(exc)})


class IndexGeneration:
    """A counter in Redis bumped whenever a job may have changed the index."""

    def __init__(self, redis: Redis, keys: QueueKeys) -> None:
        self.redis = redis
        self.key = keys.generation

    def bump(self) -> None:
        """The index changed: every API process drops its cached facets."""
        try:
            self.redis.incr(self.key)
        except RedisError as exc:  # caches then expire by their TTL
            log.warning("cannot bump the index generation", extra={"error": str(exc)})

    def current(self) -> int | None:
        """The generation now, or None when Redis cannot be read."""
        try:
            value = self.redis.get(self.key)
        except RedisError as exc:
            log.warning("cannot read the index generation", extra={"error": str(exc)})
            return None
        return int(value) if value is not None else 0


def one_at_a_time(
    redis: Redis, key: str, tick: Callable[[], None], hold_s: float = 600
) -> Callable[[], None]:
    """`tick`, run only while this process holds `key` (skipped while another one runs it).

    Several API processes each have the service timer; without this, two of them could
    reassign the same overdue request or send the same notification at once.
    """

    def guarded() -> None:
        lock = redis.lock(key, timeout=hold_s, blocking=False)
        try:
            if not lock.acquire():
                return
        except RedisError as exc:  # no lock, no tick: the next round tries again
            log.warning("timer tick skipped", extra={"error": str(exc)})
            return
        try:
            tick()
        finally:
            with suppress(RedisError, LockError):  # expired meanwhile: nothing to release
                lock.release()

    return guarded
