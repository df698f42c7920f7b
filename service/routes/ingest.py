"""Ingestion jobs, run by the service or, with the queue, by workers (admins only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, status

from core.db import RunEntry
from core.queue import JobLauncher
from service.deps import AdminDep, JobsDep, RunsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.schemas import IngestJob, IngestJobList, IngestJobRequest, StageProgress

router = APIRouter(prefix="/ingest", tags=["ingestion"])


@router.post(
    "/jobs",
    response_model=IngestJob,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start an ingestion job",
    description="Ingests the configured sources (or one of them, or those of another sources "
    "file on the service's machine) on a worker thread of the service, which owns the embedded "
    "index, or, with the job queue, in a `python -m service worker` process. "
    "Poll `GET /ingest/jobs/{id}` for progress and the report.",
    responses={
        **ERROR_RESPONSES,
        409: {"model": ErrorBody, "description": "A job is already running"},
    },
)
def start_job(body: IngestJobRequest, admin: AdminDep, jobs: JobsDep, runs: RunsDep) -> IngestJob:
    """Start a job; 409 while another one runs."""
    run_id = jobs.start(body.source, Path(body.config) if body.config else None)
    return job_view(runs.get(run_id), jobs)


@router.get(
    "/jobs",
    response_model=IngestJobList,
    summary="Recent ingestion jobs",
    responses=ERROR_RESPONSES,
)
def list_jobs(
    admin: AdminDep,
    jobs: JobsDep,
    runs: RunsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> IngestJobList:
    """The most recent jobs first."""
    return IngestJobList(items=[job_view(r, jobs) for r in runs.latest(limit=limit)])


@router.get(
    "/jobs/{job_id}",
    response_model=IngestJob,
    summary="An ingestion job's status, progress and report",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "No such job"}},
)
def get_job(job_id: str, admin: AdminDep, jobs: JobsDep, runs: RunsDep) -> IngestJob:
    """One job."""
    return job_view(runs.get(job_id), jobs)


def job_view(run: RunEntry, jobs: JobLauncher) -> IngestJob:
    """A run with the live progress this service holds for it."""
    stages = jobs.progress(run.id)
    progress = {name: StageProgress(done=c.done, total=c.total) for name, c in stages.items()}
    return IngestJob(
        id=run.id,
        status=run.status,
        source=run.source,
        started=run.started,
        finished=run.finished,
        progress=progress,
        report=run.report,
        error=run.error,
        error_code=run.error_code,
    )
