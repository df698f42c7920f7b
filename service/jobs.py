"""Ingestion jobs run inside the service: one at a time, on a worker thread.

The service owns the index (the embedded Edge shard admits one process), so ingestion runs
here over the same index, embedder and database the queries use. Each job is a RunStore
row (status, report, error message and code); while it runs, its stage counters live in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.config import Settings
from core.db import Database, RunStore
from core.db.runs import FinalStatus
from core.embedding import Embedder
from core.errors import ConfigError, WatercoolerError, error_code
from core.index.base import VectorIndex
from core.sources import SourcesConfig, load_sources
from ingest.job import build_pipeline
from service.worker import BackgroundRun, JobRunningError

__all__ = ["IngestJobs", "JobRunningError", "StageCounter"]

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the service stopped while it ran"
INTERRUPTED_CODE = "interrupted"


@dataclass
class StageCounter:
    """Progress of one pipeline stage: items done, and the total when known."""

    done: int = 0
    total: int | None = None


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
        self._worker = BackgroundRun("ingestion job {run} is still running; wait until it finishes")
        self._lock = self._worker.lock
        self._progress: dict[str, dict[str, StageCounter]] = {}
        self.on_finish: Callable[[], None] | None = None  # e.g. clear caches of index data

    def start(self, source: str | None = None, config: Path | None = None) -> str:
        """Start a job over the sources of `config` (default ingest.config), or one; the run id."""
        with self._lock:
            self._worker.check_idle()
            sources = load_sources(config or self.settings.ingest.config)
            names = [s.name for s in sources.sources]
            if source is not None and source not in names:
                raise ConfigError(
                    f"no source named {source!r}; the sources are: {', '.join(names)}"
                )
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

        log.info("ingest job started", extra={"run_id": run_id, "source": only})
        try:
            pipeline = build_pipeline(
                self.settings, sources, index=self.index, embedder=self.embedder, db=self.db
            )
            report = pipeline.run(only=only, progress=hook)
        except Exception as exc:  # the job ends either way; its error is the run's record
            if not isinstance(exc, WatercoolerError):
                log.exception("ingest job crashed", extra={"run_id": run_id})
            self._finish(run_id, error=exc)
            return
        self._finish(run_id, report=report.to_dict())

    def _finish(
        self,
        run_id: str,
        report: dict[str, object] | None = None,
        error: Exception | None = None,
    ) -> None:
        status: FinalStatus = "failed" if error else "succeeded"
        message = code = None
        if error is not None:
            code = error_code(error)
            message = str(error) or type(error).__name__
        if self.on_finish:  # a failed job may have written part of its work too
            self.on_finish()
        try:
            self.runs.finish(run_id, status, report=report, error=message, error_code=code)
        except WatercoolerError as exc:
            log.error(
                "cannot record the end of an ingest job",
                extra={"run_id": run_id, "error": str(exc)},
            )
        log.info(
            "ingest job finished",
            extra={"run_id": run_id, "status": status, "error": message, "error_code": code},
        )

    def fail_interrupted(self) -> int:
        """Mark runs left 'running' by a previous service process as failed; returns how many."""
        stale = [r for r in self.runs.latest(limit=100) if r.status == "running"]
        for run in stale:
            self.runs.finish(run.id, "failed", error=INTERRUPTED, error_code=INTERRUPTED_CODE)
        return len(stale)
