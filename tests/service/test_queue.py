"""The job queue for real: Redis, PostgreSQL and two `python -m service worker` processes.

The workers use the embedded Edge index, opened only while a job runs (no Qdrant server can
run here; with one, workers share it the same way). Each test drives the queue the way the
API does, through QueueLauncher, and reads runs, progress and attempts as the API would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job

from core.config import Settings, get_settings
from core.db import Database, ManifestStore, RunEntry, RunStore
from core.embedding import Embedder
from core.errors import ConfigError, JobRunningError
from core.index.edge import EdgeIndex
from core.index.factory import open_index
from core.queue import uses_queue
from core.sources import load_sources, parse_interval
from ingest.job import build_pipeline
from service.queue import IndexGeneration, QueueKeys, QueueLauncher, connect
from service.queue_worker import Scheduler, WorkerContext, set_context
from tests.service import queue_support
from tests.service.queue_support import (
    QUEUE,
    REDIS_URL,
    Processes,
    queue_env,
    wait_until,
    workers_ready,
    write_corpus,
)

# The shared fixtures (real Redis database, PostgreSQL schema, subprocesses).
redis_db = queue_support.redis_db
postgres_schema_url = queue_support.postgres_schema_url
processes = queue_support.processes
workdir = queue_support.workdir

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

PAGES = 120
WORKER = ["-m", "service", "worker", "--name"]


def queue_settings(data_dir: Path, db_url: str, config: Path, **queue: Any) -> Settings:
    """The settings the API side of the test uses (the workers get the same through env)."""
    return get_settings(
        data_dir=data_dir,
        db={"url": db_url},
        ingest={"config": config},
        queue={
            "enabled": True, "redis_url": REDIS_URL, "name": QUEUE, "heartbeat_s": 3,
            "scheduler_interval_s": 1, **queue,
        },
    )  # fmt: skip


@pytest.fixture(scope="module")
def corpus(workdir: Path) -> Path:
    """The sources file of a wiki big enough that a job runs for several seconds."""
    return write_corpus(workdir / "corpus", PAGES)


@pytest.fixture(scope="module")
def settings(workdir: Path, postgres_schema_url: str, corpus: Path) -> Settings:
    """The API side's settings: queue on, Edge index under a fresh data dir, PostgreSQL."""
    return queue_settings(workdir / "data", postgres_schema_url, corpus)


@pytest.fixture(scope="module")
def runs(settings: Settings) -> Iterator[RunStore]:
    """The runs as the API reads them."""
    db = Database(settings.database_url)
    yield RunStore(db)
    db.dispose()


@pytest.fixture(scope="module")
def launcher(settings: Settings, runs: RunStore, redis_db: Redis) -> QueueLauncher:
    """What the API uses to start jobs."""
    return QueueLauncher(settings, runs, connect(settings))


@pytest.fixture(scope="module")
def workers(settings: Settings, processes: Processes, redis_db: Redis, corpus: Path) -> Processes:
    """Two worker processes on the test queue, ready."""
    env = queue_env(settings.data_dir, settings.database_url, corpus)
    for name in ("w1", "w2"):
        processes.start(name, [*WORKER, name], env)
    workers_ready(redis_db, {"w1", "w2"}, processes)
    return processes


def wait_run(runs: RunStore, run_id: str, timeout_s: float = 300) -> RunEntry:
    """The run once it is no longer running."""
    return wait_until(
        lambda: (r := runs.get(run_id)).status != "running" and r, timeout_s, f"run {run_id}"
    )


def attempts(redis: Redis, run_id: str) -> int:
    """How many times a worker started the run's job."""
    return int(redis.get(QueueKeys(QUEUE).attempts(run_id)) or 0)


def snapshot(settings: Settings) -> tuple[int, dict[str, Any]]:
    """The index's point count and each manifest chunk's stored text and document."""
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        ids = [c for d in ManifestStore(db).documents_for_source("wiki") for c in d.chunk_ids]
        hits = index.retrieve(ids)
        stored = {h.id: (h.payload.get("text"), h.payload.get("document_id")) for h in hits}
        return index.count(), stored
    finally:
        index.close()
        db.dispose()


def reference(tmp: Path, corpus: Path, embedder: Embedder) -> tuple[int, dict[str, Any]]:
    """The index of an uninterrupted run in this process, on its own data dir (SQLite)."""
    settings = get_settings(data_dir=tmp, ingest={"config": corpus})
    tmp.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(corpus), index=index, embedder=embedder, db=db
        )
        pipeline.run()
    finally:
        index.close()
        db.dispose()
    return snapshot(settings)


def embedding_started(launcher: QueueLauncher, run_id: str) -> bool:
    """The job has written its first embedded chunks (it is in mid-job)."""
    embed = launcher.progress(run_id).get("embed")
    return embed is not None and embed.done >= 16


def holder(redis: Redis, run_id: str) -> str:
    """The name of the worker running the job."""
    job = Job.fetch(run_id, connection=redis)
    return wait_until(lambda: job.refresh() or job.worker_name, 30, "the job's worker")  # type: ignore[func-returns-value]


def test_a_worker_killed_mid_job_leaves_the_index_an_uninterrupted_run_does(
    workers: Processes,
    launcher: QueueLauncher,
    runs: RunStore,
    redis_db: Redis,
    settings: Settings,
    corpus: Path,
    embedder: Embedder,
    workdir: Path,
) -> None:
    run_id = launcher.start()
    assert launcher.running() == run_id
    with pytest.raises(JobRunningError, match=run_id):  # one job at a time, across processes
        launcher.start()
    wait_until(lambda: embedding_started(launcher, run_id), 300, "the job to embed")
    victim = holder(redis_db, run_id)
    workers.kill(victim)
    survivor = ({"w1", "w2"} - {victim}).pop()
    # A replacement joins meanwhile (the later tests want two workers again).
    workers.start(
        "w3", [*WORKER, "w3"], queue_env(settings.data_dir, settings.database_url, corpus)
    )
    run = wait_run(runs, run_id)
    assert run.status == "succeeded", run.error
    assert attempts(redis_db, run_id) == 2
    assert Job.fetch(run_id, connection=redis_db).worker_name in {survivor, "w3"}
    totals = run.report["totals"] if run.report else {}
    assert totals["new"] + totals["unchanged"] == PAGES and totals["failed"] == 0
    assert launcher.running() is None
    expected = reference(workdir / "reference", corpus, embedder)
    assert snapshot(settings) == expected
    assert expected[0] > PAGES  # several chunks a page: the comparison covers them all
    workers_ready(redis_db, {survivor, "w3"}, workers)


def test_a_job_is_processed_once_with_progress_the_api_reads(
    workers: Processes, launcher: QueueLauncher, runs: RunStore, redis_db: Redis, corpus: Path
) -> None:
    wiki = corpus.parent / "wiki"
    first = sorted(wiki.iterdir())[0]
    first.write_text(first.read_text() + "\nA new closing paragraph.\n", encoding="utf-8")
    for n in range(3):
        (wiki / f"added-{n}.md").write_text(f"# Added {n}\n\nAdded page {n}.\n", encoding="utf-8")
    generation = int(redis_db.get(QueueKeys(QUEUE).generation) or 0)
    run_id = launcher.start("wiki")
    run = wait_run(runs, run_id)
    assert run.status == "succeeded", run.error
    assert run.source == "wiki"
    assert attempts(redis_db, run_id) == 1
    totals = run.report["totals"] if run.report else {}
    assert (totals["new"], totals["changed"], totals["unchanged"]) == (3, 1, PAGES - 1)
    progress = launcher.progress(run_id)
    assert progress["parse"].done == progress["parse"].total == PAGES + 3
    assert int(redis_db.get(QueueKeys(QUEUE).generation) or 0) == generation + 1
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        launcher.start("nope")
    assert launcher.running() is None


def test_a_failed_job_reports_the_same_error_code_as_in_process(
    workers: Processes, launcher: QueueLauncher, runs: RunStore, settings: Settings
) -> None:
    held = EdgeIndex(settings.index_path)  # this process holds the embedded index...
    try:
        run_id = launcher.start()
        run = wait_run(runs, run_id)
    finally:
        held.close()
    assert run.status == "failed"
    assert run.error_code == "index_locked"  # ...so the worker cannot open it
    assert run.error
    assert launcher.running() is None  # the slot is free again
    again = wait_run(runs, launcher.start())
    assert again.status == "succeeded", again.error


def test_a_job_whose_retries_are_spent_fails_as_interrupted(
    workers: Processes,
    runs: RunStore,
    redis_db: Redis,
    settings: Settings,
    corpus: Path,
) -> None:
    no_retry = queue_settings(settings.data_dir, settings.database_url, corpus, retries=0)
    launcher = QueueLauncher(no_retry, runs, connect(no_retry))
    for page in sorted((corpus.parent / "wiki").iterdir())[:60]:  # work to be killed in
        page.write_text(page.read_text() + "\nRevised.\n", encoding="utf-8")
    run_id = launcher.start()
    wait_until(lambda: embedding_started(launcher, run_id), 300, "the job to embed")
    workers.kill(holder(redis_db, run_id))
    run = wait_run(runs, run_id, timeout_s=120)
    assert run.status == "failed"
    assert run.error_code == "interrupted"
    assert "retries are spent" in (run.error or "")
    assert launcher.running() is None


def test_the_scheduler_starts_due_syncs_once_across_workers(
    workers: Processes,
    runs: RunStore,
    redis_db: Redis,
    settings: Settings,
    corpus: Path,
    embedder: Embedder,
) -> None:
    sync = corpus.parent / "sync.yaml"
    sync.write_text(
        "sources:\n  - {name: wiki, kind: wiki, format: markdown, path: wiki, sync_every: 1h}\n"
    )
    contexts = []
    for _ in range(2):  # two workers' schedulers, here in-process
        scheduled = queue_settings(settings.data_dir, settings.database_url, sync)
        db = Database(scheduled.database_url)
        redis = connect(scheduled)
        keys = QueueKeys(QUEUE)
        ctx = WorkerContext(
            scheduled, db, RunStore(db), embedder, redis, keys, IndexGeneration(redis, keys)
        )
        contexts.append(Scheduler(ctx, Queue(QUEUE, connection=redis)))
    set_context(contexts[0].ctx)
    try:
        lock = QueueKeys(QUEUE).maintenance

        def turn(scheduler: Scheduler) -> list[str] | None:
            # The running workers' schedulers take the lock every second too: free it and
            # tick at once, so this one wins the round (almost always on the first try).
            redis_db.delete(lock)
            return scheduler.tick()

        started = wait_until(lambda: turn(contexts[0]), 30, "a tick that wins the lock")
        assert len(started) == 1
        assert contexts[1].tick() is None  # the lock is held: the other one does nothing
        run = wait_run(runs, started[0])
        assert run.status == "succeeded", run.error
        assert run.source == "wiki"
        assert run.report and run.report["totals"]["unchanged"] > 0
        # Its next winning tick: nothing is due again for an hour.
        won = wait_until(lambda: (r := turn(contexts[1])) is not None and (r,), 30, "a tick")
        assert won == ([],)
        assert redis_db.get(QueueKeys(QUEUE).last_sync("wiki")) is not None
    finally:
        set_context(None)
        for scheduler in contexts:
            scheduler.ctx.db.dispose()


def test_sync_intervals_and_when_jobs_use_the_queue(tmp_path: Path) -> None:
    assert parse_interval("90s") == timedelta(seconds=90)
    assert parse_interval("6h") == timedelta(hours=6)
    assert parse_interval(" 2d ") == timedelta(days=2)
    for bad in ("0h", "6 hours", "-1m", ""):
        with pytest.raises(ValueError, match="not an interval"):
            parse_interval(bad)
    (tmp_path / "wiki").mkdir()
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - {name: w, kind: wiki, path: wiki, sync_every: 6 hours}\n")
    with pytest.raises(ConfigError, match="not an interval"):
        load_sources(config)
    config.write_text("sources:\n  - {name: w, kind: wiki, path: wiki, sync_every: 30m}\n")
    assert load_sources(config).sources[0].sync_every == timedelta(minutes=30)
    assert not uses_queue(get_settings())
    assert uses_queue(get_settings(index={"backend": "server", "url": "http://127.0.0.1:1"}))
    assert uses_queue(get_settings(queue={"enabled": True}))
    server = {"backend": "server", "url": "http://127.0.0.1:1"}
    assert not uses_queue(get_settings(index=server, queue={"enabled": False}))
