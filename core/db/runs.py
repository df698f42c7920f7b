"""Ingest runs: one row per ingestion job, from start to its final report."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import select

from core.db.engine import Database, paginate, utcnow
from core.db.tables import IngestRun
from core.errors import NotFoundError

log = logging.getLogger(__name__)

RunStatus = Literal["running", "succeeded", "failed"]
FinalStatus = Literal["succeeded", "failed"]


@dataclass(frozen=True)
class RunEntry:
    """One ingest run as stored."""

    id: str
    started: datetime
    finished: datetime | None
    status: str
    source: str | None
    report: dict[str, Any] | None
    error: str | None
    error_code: str | None  # the core.errors code of a failed run's error


class RunStore:
    """Records ingest runs; every method is one transaction and returns plain values."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def start(self, source: str | None = None) -> str:
        """Record a new running job (for one source, or all when None); returns its id."""
        run_id = str(uuid.uuid4())
        with self._db.session("start run") as session:
            session.add(IngestRun(id=run_id, started=utcnow(), status="running", source=source))
        log.info("ingest run started", extra={"run_id": run_id, "source": source})
        return run_id

    def finish(
        self,
        run_id: str,
        status: FinalStatus,
        report: dict[str, Any] | None = None,
        error: str | None = None,
        error_code: str | None = None,
    ) -> None:
        """Mark a run finished now, with its final status, report and error (message, code)."""
        if status not in get_args(FinalStatus):
            raise ValueError(f"a run finishes as 'succeeded' or 'failed', not {status!r}")
        with self._db.session("finish run") as session:
            run = session.get(IngestRun, run_id)
            if run is None:
                raise NotFoundError(f"ingest run {run_id!r} not found")
            run.finished = utcnow()
            run.status = status
            run.report = report
            run.error = error
            run.error_code = error_code
        log.info("ingest run finished", extra={"run_id": run_id, "status": status})

    def get(self, run_id: str) -> RunEntry:
        """The run with this id."""
        with self._db.session("get run") as session:
            run = session.get(IngestRun, run_id)
            if run is None:
                raise NotFoundError(f"ingest run {run_id!r} not found")
            return _entry(run)

    def latest(self, limit: int = 20, offset: int = 0) -> list[RunEntry]:
        """The most recently started runs first."""
        stmt = select(IngestRun).order_by(IngestRun.started.desc(), IngestRun.id)
        with self._db.session("list runs") as session:
            return [_entry(r) for r in session.scalars(paginate(stmt, limit, offset))]


def _entry(r: IngestRun) -> RunEntry:
    return RunEntry(
        id=r.id,
        started=r.started,
        finished=r.finished,
        status=r.status,
        source=r.source,
        report=r.report,
        error=r.error,
        error_code=r.error_code,
    )
