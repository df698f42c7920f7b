"""`python -m service worker`: runs queued ingestion jobs and the scheduled syncs.

Each worker process loads the embedding model once and runs jobs one at a time in the process
itself (RQ's SimpleWorker: no fork after torch is loaded). A job opens the index only while it
runs, so with the embedded index several workers take turns; with a Qdrant server they share
it. While a job runs, a thread renews its heartbeat every `queue.heartbeat_s / 3`; a worker
killed mid-job stops renewing, and within `queue.heartbeat_s` another worker's maintenance tick
hands the job back to the queue (RQ's retries, `queue.retries`): ingestion is idempotent, so
the re-run leaves the index an uninterrupted run would. When the retries are spent, the run
fails as `interrupted`.

Every `queue.scheduler_interval_s`, one worker (a Redis lock) sweeps dead jobs and starts the
sources whose `sync_every` has passed, through the same one-job slot as the API.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import AbandonedJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.timeouts import TimerDeathPenalty

from core.config import Settings
from core.db import Database, RunStore
from core.embedding import Embedder, SentenceTransformerEmbedder
from core.errors import JobRunningError, WatercoolerError
from core.index.factory import open_index
from core.sources import load_sources
from service.jobs import INTERRUPTED_CODE, record_end, run_pipeline
from service.queue import (
    PROGRESS_TTL_S,
    IndexGeneration,
    QueueKeys,
    QueueLauncher,
    connect,
    release_slot,
)

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    """What a worker process builds once and its jobs use."""

    settings: Settings
    db: Database
    runs: RunStore
    embedder: Embedder
    redis: Redis
    keys: QueueKeys
    generation: IndexGeneration


# RQ calls a job by its import path, so the job reaches the worker's model and database
# through this, set once by run_worker() in the worker process (and by tests that run jobs).
_context: WorkerContext | None = None


def set_context(context: WorkerContext | None) -> None:
    """Install the context this process's jobs run with."""
    global _context
    _context = context


def _current() -> WorkerContext:
    if _context is None:
        raise RuntimeError("queued jobs run in `python -m service worker` processes")
    return _context


def ingest_job(run_id: str, source: str | None, config: str | None) -> None:
    """One attempt of a queued job: open the index, run the pipeline, record the end."""
    ctx = _current()
    progress_key = ctx.keys.progress(run_id)
    with ctx.redis.pipeline() as pipe:
        pipe.delete(progress_key)  # a retried attempt counts from zero again
        pipe.incr(ctx.keys.attempts(run_id))
        pipe.expire(ctx.keys.attempts(run_id), PROGRESS_TTL_S)
        attempt = pipe.execute()[1]
    log.info("ingest job attempt", extra={"run_id": run_id, "attempt": attempt})

    def hook(stage: str, advance: int, total: int | None) -> None:
        try:
            with ctx.redis.pipeline() as pipe:
                if total is not None:
                    pipe.hincrby(progress_key, f"total:{stage}", total)
                pipe.hincrby(progress_key, f"done:{stage}", advance)
                pipe.expire(progress_key, PROGRESS_TTL_S)
                pipe.execute()
        except RedisError as exc:  # progress is for people watching; the job goes on
            log.warning("cannot record job progress", extra={"run_id": run_id, "error": str(exc)})

    report: dict[str, object] | None = None
    error: Exception | None = None
    try:
        sources = load_sources(Path(config) if config else ctx.settings.ingest.config)
        index = open_index(ctx.settings)
    except WatercoolerError as exc:
        error = exc
    else:
        try:
            report, error = run_pipeline(
                ctx.settings,
                run_id,
                sources,
                source,
                index=index,
                embedder=ctx.embedder,
                db=ctx.db,
                progress=hook,
            )
        finally:
            try:
                index.close()
            except WatercoolerError as exc:  # the run's outcome stands; the next job reopens
                log.warning("closing the index failed", extra={"run_id": run_id, "error": str(exc)})
    # The index is closed and the slot free before the run reads as ended, so a job started
    # the moment it does finds both available.
    release_slot(ctx.redis, ctx.keys, run_id)
    record_end(ctx.runs, run_id, report, error, on_finish=ctx.generation.bump)


def on_job_failure(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | Any,
) -> None:
    """RQ's failure callback: a job whose worker died and has no retries left fails its run."""
    if job.retries_left:  # RQ re-queues it right after this callback
        log.warning("ingest job's worker died; retrying", extra={"run_id": job.id})
        return
    ctx = _current()
    what = "its worker stopped" if isinstance(exc, AbandonedJobError) else type(exc).__name__
    error = WorkerLostError(f"interrupted: {what} while it ran, and its retries are spent")
    record_end(ctx.runs, job.id, error=error, on_finish=ctx.generation.bump)
    release_slot(ctx.redis, ctx.keys, job.id)


class WorkerLostError(WatercoolerError):
    """A queued job's worker died (killed, out of memory) more often than it is retried."""

    code = INTERRUPTED_CODE


class IngestWorker(SimpleWorker):
    """A SimpleWorker whose running job sends heartbeats often, so a dead one is seen soon."""

    heartbeat_s = 30

    def get_heartbeat_ttl(self, job: Job) -> int:
        """The job counts as abandoned when silent this long."""
        return self.heartbeat_s

    def subscribe(self) -> None:
        """Listen for RQ's commands on a thread that polls every second.

        RQ's own thread sleeps up to 60 s inside each poll, and closing the subscription on
        shutdown waits for it: an idle worker then took up to a minute to stop on SIGTERM.
        """
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        # RQ declares the attribute as None (its __init__ value), hence the ignore.
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job here, renewing its heartbeat on a thread while it runs."""
        with self._beating(job):
            super().execute_job(job, queue)

    @contextmanager
    def _beating(self, job: Job) -> Iterator[None]:
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(self.heartbeat_s / 3):
                try:
                    if self.execution is not None:
                        self.maintain_heartbeats(job)
                except RedisError as exc:
                    log.warning("heartbeat failed", extra={"job": job.id, "error": str(exc)})

        thread = threading.Thread(target=beat, name=f"heartbeat-{job.id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


class Scheduler:
    """Each tick, in one worker at a time: re-queue dead jobs, start the syncs that are due."""

    def __init__(self, ctx: WorkerContext, queue: Queue) -> None:
        self.ctx = ctx
        self.queue = queue
        self.launcher = QueueLauncher(ctx.settings, ctx.runs, ctx.redis)
        self.interval_s = ctx.settings.queue.scheduler_interval_s

    def tick(self) -> list[str] | None:
        """One round if this worker wins the lock (the runs it started), else None."""
        lock = max(1, int(self.interval_s * 0.8))  # expires before the next round
        if not self.ctx.redis.set(self.ctx.keys.maintenance, "1", nx=True, ex=lock):
            return None
        # Abandoned jobs → retried, or failed through on_job_failure. This runs on a thread:
        # the callback's time limit must not use SIGALRM (main thread only).
        StartedJobRegistry(queue=self.queue, death_penalty_class=TimerDeathPenalty).cleanup()
        return self._due_syncs()

    def _due_syncs(self) -> list[str]:
        try:
            sources = load_sources(self.ctx.settings.ingest.config)
        except WatercoolerError as exc:
            log.warning("scheduled syncs skipped", extra={"error": str(exc)})
            return []
        started = []
        now = time.time()
        for source in sources.sources:
            if source.sync_every is None:
                continue
            key = self.ctx.keys.last_sync(source.name)
            last = self.ctx.redis.get(key)
            if last is not None and now - float(last) < source.sync_every.total_seconds():
                continue
            try:
                run_id = self.launcher.start(source.name, self.ctx.settings.ingest.config)
            except JobRunningError:
                break  # one job at a time: the others wait for a later tick
            self.ctx.redis.set(key, str(now))
            log.info("scheduled sync started", extra={"source": source.name, "run_id": run_id})
            started.append(run_id)
        return started

    def loop(self, stop: threading.Event) -> None:
        """Tick until `stop` is set; a failed tick is logged and the next one tried."""
        while not stop.wait(self.interval_s):
            try:
                self.tick()
            except (RedisError, WatercoolerError) as exc:
                log.warning("scheduler tick failed", extra={"error": str(exc)})
            except Exception:  # a bug in one tick must not end the scheduling for good
                log.exception("scheduler tick crashed")


def build_context(settings: Settings, embedder: Embedder | None = None) -> WorkerContext:
    """Open the database and Redis and load the model (once per worker process)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    redis = connect(settings)
    keys = QueueKeys(settings.queue.name)
    return WorkerContext(
        settings=settings,
        db=db,
        runs=RunStore(db),
        embedder=embedder or SentenceTransformerEmbedder(settings.embedding),
        redis=redis,
        keys=keys,
        generation=IndexGeneration(redis, keys),
    )


def run_worker(settings: Settings, *, burst: bool = False, name: str | None = None) -> None:
    """Work the queue until stopped (SIGTERM/SIGINT: after the running job) or, with
    `burst`, until it is empty."""
    ctx = build_context(settings)
    set_context(ctx)
    queue = Queue(settings.queue.name, connection=ctx.redis)
    worker = IngestWorker([queue], connection=ctx.redis, name=name)
    worker.heartbeat_s = settings.queue.heartbeat_s
    stop = threading.Event()
    scheduler = Scheduler(ctx, queue)
    thread = threading.Thread(target=scheduler.loop, args=(stop,), name="scheduler", daemon=True)
    thread.start()
    log.info("worker ready", extra={"queue": settings.queue.name, "worker": worker.name})
    try:
        worker.work(burst=burst, logging_level="WARNING", with_scheduler=False)
    finally:
        stop.set()
        set_context(None)
        ctx.db.dispose()
