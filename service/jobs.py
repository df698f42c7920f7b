"""Ingestion jobs run inside the service: one at a time, on a worker thread.

The in-process JobLauncher (core/queue.py): with the embedded Edge index (which admits one
process) the service owns the index, so ingestion runs here over the same index, embedder and
database the queries use. Each job is a RunStore row (status, report, error message and code);
while it runs, its stage counters live in memory. With the queue, service/queue.py instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from core.config import Settings
from core.db import Database, RunStore
from core.db.runs import FinalStatus
from core.embedding import Embedder
from core.errors import ConfigError, WatercoolerError, error_code
from core.index.base import VectorIndex
from core.queue import StageCounter
from core.sources import SourcesConfig, load_sources
from ingest.job import build_pipeline
from ingest.pipeline import ProgressHook
from service.worker import BackgroundRun, JobRunningError

__all__ = [
    "BUSY",
    "IngestJobs",
    "JobRunningError",
    "StageCounter",
    "check_source",
    "record_end",
    "run_pipeline",
]

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the service stopped while it ran"
INTERRUPTED_CODE = "interrupted"
BUSY = "ingestion job {run} is still running; wait until it finishes"


def check_source(sources: SourcesConfig, source: str | None) -> None:
    """Refuse a source name the sources file does not hold."""
    names = [s.name for s in sources.sources]
    if source is not None and source not in names:
        raise ConfigError(f"no source named {source!r}; the sources are: {', '.join(names)}")


class IngestJobs:
    """Starts ingestion jobs on a worker thread and reports their progress."""

    def __init__(
        self,
        settings: Settings,
        *,
        index: VectorIndex,
        embedder: Embedder,
        db: Database,
        runs: RunStore,
    ) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.db = db
        self.runs = runs
        self._worker = BackgroundRun(BUSY)
        self._lock = self._worker.lock
        self._progress: dict[str, dict[str, StageCounter]] = {}
        self.on_finish: Callable[[], None] | None = None  # e.g. clear caches of index data

    def start(self, source: str | None = None, config: Path | None = None) -> str:
        """Start a job over the sources of `config` (default ingest.config), or one; the run id."""
        with self._lock:
            self._worker.check_idle()
            sources = load_sources(config or self.settings.ingest.config)
            check_source(sources, source)
            run_id = self.runs.start(source)
            self._progress = {run_id: {}}
            self._worker.launch(
                run_id, self._run, run_id, sources, source, name=f"ingest-{run_id[:8]}"
            )
        return run_id

    def running(self) -> str | None:
        """The id of the running job, if any."""
        return self._worker.running()

    def progress(self, run_id: str) -> dict[str, StageCounter]:
        """Stage counters of a job this service ran since it started ({} otherwise)."""
        with self._lock:
            stages = self._progress.get(run_id, {})
            return {name: StageCounter(c.done, c.total) for name, c in stages.items()}

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the running job to end; True when none is running any more."""
        return self._worker.wait(timeout_s)

    def _run(self, run_id: str, sources: SourcesConfig, only: str | None) -> None:
        def hook(stage: str, advance: int, total: int | None) -> None:
            with self._lock:
                counter = self._progress[run_id].setdefault(stage, StageCounter())
                if total is not None:
                    counter.total = (counter.total or 0) + total
                counter.done += advance

        report, error = run_pipeline(
            self.settings,
            run_id,
            sources,
            only,
            index=self.index,
            embedder=self.embedder,
            db=self.db,
            progress=hook,
        )
        record_end(self.runs, run_id, report, error, on_finish=self.on_finish)

    def fail_interrupted(self) -> int:
        """Mark runs left 'running' by a previous service process as failed; returns how many."""
        stale = [r for r in self.runs.latest(limit=100) if r.status == "running"]
        for run in stale:
            self.runs.finish(run.id, "failed", error=INTERRUPTED, error_code=INTERRUPTED_CODE)
        return len(stale)


def run_pipeline(
    settings: Settings,
    run_id: str,
    sources: SourcesConfig,
    only: str | None,
    *,
    index: VectorIndex,
    embedder: Embedder,
    db: Database,
    progress: ProgressHook,
) -> tuple[dict[str, object] | None, Exception | None]:
    """Run a job's pipeline: its report, or the error that ended it (both launchers' jobs)."""
    log.info("ingest job started", extra={"run_id": run_id, "source": only})
    try:
        pipeline = build_pipeline(settings, sources, index=index, embedder=embedder, db=db)
        return pipeline.run(only=only, progress=progress).to_dict(), None
    except Exception as exc:  # the job ends either way; its error is the run's record
        if not isinstance(exc, WatercoolerError):
            log.exception("ingest job crashed", extra={"run_id": run_id})
        return None, exc


def record_end(
    runs: RunStore,
    run_id: str,
    report: dict[str, object] | None = None,
    error: Exception | None = None,
    on_finish: Callable[[], None] | None = None,
) -> None:
    """Record a job's end: succeeded with its report, or failed with its message and code."""
    status: FinalStatus = "failed" if error else "succeeded"
    message = code = None
    if error is not None:
        code = error_code(error)
        message = str(error) or type(error).__name__
    if on_finish:  # a failed job may have written part of its work too
        on_finish()
    try:
        runs.finish(run_id, status, report=report, error=message, error_code=code)
    except WatercoolerError as exc:
        log.error(
            "cannot record the end of an ingest job",
            extra={"run_id": run_id, "error": str(exc)},
        )
    log.info(
        "ingest job finished",
        extra={"run_id": run_id, "status": status, "error": message, "error_code": code},
    )
