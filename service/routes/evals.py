"""Eval runs, started and read through the service (trainers and admins).

    GET  /evals/datasets                   the datasets a run can name
    POST /evals/runs                       start a run on a worker thread (one at a time: 409)
    GET  /evals/runs                       the runs in the runs folder, newest first
    GET  /evals/runs/{id}                  a run's status and report.json (null until done)
    GET  /evals/runs/{id}/charts/{name}    one of its PNG charts

Runs live in `eval.runs_dir`, one folder each (`eval.runner`), so runs started from the CLI
are listed too. Reports hold golden questions about restricted documents and the answers
given to users who may see them, so every endpoint needs the trainer role or higher.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from core.auth import require_role
from core.config import Settings
from core.embedding import Embedder
from core.errors import ConfigError, NotFoundError
from core.generation.factory import GENERATORS
from core.schema import Principal
from eval.observe import RETRIEVERS
from eval.runner import RunRequest, new_run_dir, run_eval
from eval.suites import Kind, dataset_spec, list_datasets
from service.deps import CallerDep, ComponentsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.worker import BackgroundRun

log = logging.getLogger(__name__)

router = APIRouter(prefix="/evals", tags=["evals"])

_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_CHART = re.compile(r"^[a-z0-9_]+\.png$")
RunStatus = Literal["running", "succeeded", "failed"]


class EvalDataset(BaseModel):
    """A dataset a run can name."""

    name: str
    kind: Kind
    items: int


class EvalRunRequest(BaseModel):
    """What to run."""

    dataset: str = Field(examples=["golden-smoke"])
    retrievers: list[str] = Field(default_factory=lambda: list(RETRIEVERS))
    generators: list[str] = Field(default_factory=lambda: ["extractive"])
    limit: int | None = Field(None, ge=1)


class EvalRunSummary(BaseModel):
    """A run as listed."""

    id: str
    dataset: str
    created: str
    status: RunStatus


class EvalRunStarted(BaseModel):
    """The id of a run just started."""

    id: str
    status: RunStatus


class EvalRun(EvalRunSummary):
    """A run with its report (report.json; null until it succeeded) and error."""

    report: dict[str, Any] | None = None
    error: str | None = None


class EvalJobs:
    """Runs one eval at a time on a worker thread."""

    def __init__(self) -> None:
        self._worker = BackgroundRun("eval run {run} is still running; wait for it")

    def start(self, request: RunRequest, settings: Settings, embedder: Embedder) -> str:
        """Start a run; JobRunningError while another one runs."""
        with self._worker.lock:
            self._worker.check_idle()
            run_dir = new_run_dir(settings.eval.runs_dir, request.dataset)
            args = (request, settings, embedder, run_dir)
            self._worker.launch(run_dir.name, self._run, *args, name=f"eval-{run_dir.name}")
        return run_dir.name

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the running eval; True when none runs any more."""
        return self._worker.wait(timeout_s)

    @staticmethod
    def _run(request: RunRequest, settings: Settings, embedder: Embedder, run_dir: Path) -> None:
        try:
            run_eval(request, settings, runs_dir=run_dir.parent, embedder=embedder, run_dir=run_dir)
        except Exception as exc:  # recorded in status.json by run_eval; the thread just ends
            log.warning("eval run failed", extra={"run": run_dir.name, "error": str(exc)})


def get_trainer(caller: CallerDep) -> Principal:
    """The caller, who must be a trainer or an admin."""
    require_role(caller, "trainer")
    return caller


def get_eval_jobs(request: Request) -> EvalJobs:
    """The app's eval runner (created with the app)."""
    jobs: EvalJobs = request.app.state.eval_jobs
    return jobs


TrainerDep = Annotated[Principal, Depends(get_trainer)]
EvalJobsDep = Annotated[EvalJobs, Depends(get_eval_jobs)]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such run or chart"}
}


@router.get(
    "/datasets",
    response_model=list[EvalDataset],
    summary="Datasets an eval run can use",
    responses=ERROR_RESPONSES,
)
def datasets(trainer: TrainerDep, c: ComponentsDep) -> list[EvalDataset]:
    """Golden sets, fitz-gov and the BEIR folders under `eval.beir_dir`."""
    extra = [c.settings.eval.beir_dir] if c.settings.eval.beir_dir else []
    return [EvalDataset.model_validate(d) for d in list_datasets(extra)]


@router.post(
    "/runs",
    response_model=EvalRunStarted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start an eval run",
    description="Runs the retrievers and generators on the dataset on a worker thread; poll "
    "`GET /evals/runs/{id}` until its status is no longer `running`.",
    responses={**ERROR_RESPONSES, 409: {"model": ErrorBody, "description": "A run is running"}},
)
def start_run(
    body: EvalRunRequest, trainer: TrainerDep, c: ComponentsDep, jobs: EvalJobsDep
) -> EvalRunStarted:
    """Start a run; 400 for an unknown dataset, retriever or generator, 409 while one runs."""
    request = RunRequest(body.dataset, body.retrievers, body.generators, body.limit)
    unknown = [g for g in body.generators if g not in GENERATORS]
    if unknown:
        raise ConfigError(f"unknown generators {unknown}; choose from {', '.join(GENERATORS)}")
    request.check()
    try:
        dataset_spec(body.dataset)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    run_id = jobs.start(request, c.settings, c.embedder)
    log.info("eval run started", extra={"run": run_id, "by": trainer.user_id})
    return EvalRunStarted(id=run_id, status="running")


def _status(run_dir: Path) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads((run_dir / "status.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NotFoundError(f"eval run {run_dir.name!r} not found") from exc
    return found


def _run_dir(settings: Settings, run_id: str) -> Path:
    path = settings.eval.runs_dir / run_id
    if not _RUN_ID.match(run_id) or not (path / "status.json").is_file():
        raise NotFoundError(f"eval run {run_id!r} not found")
    return path


def _summary(status_: dict[str, Any], run_dir: Path) -> EvalRunSummary:
    return EvalRunSummary(
        id=run_dir.name,
        dataset=str(status_.get("dataset", "")),
        created=str(status_.get("created", "")),
        status=status_.get("status", "failed"),
    )


@router.get(
    "/runs", response_model=list[EvalRunSummary], summary="Eval runs", responses=ERROR_RESPONSES
)
def list_runs(trainer: TrainerDep, c: ComponentsDep) -> list[EvalRunSummary]:
    """Every run in the runs folder, newest first."""
    root = c.settings.eval.runs_dir
    runs = [p for p in root.iterdir() if (p / "status.json").is_file()] if root.is_dir() else []
    listed = [_summary(_status(p), p) for p in runs]
    return sorted(listed, key=lambda r: (r.created, r.id), reverse=True)


@router.get(
    "/runs/{run_id}",
    response_model=EvalRun,
    summary="An eval run and its report",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def get_run(run_id: str, trainer: TrainerDep, c: ComponentsDep) -> EvalRun:
    """Status, report (once written) and error of one run."""
    run_dir = _run_dir(c.settings, run_id)
    found = _status(run_dir)
    report_file = run_dir / "report.json"
    report = None
    if found.get("status") == "succeeded" and report_file.is_file():
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return EvalRun(**_summary(found, run_dir).model_dump(), report=report, error=found.get("error"))


@router.get(
    "/runs/{run_id}/charts/{name}",
    response_class=FileResponse,
    summary="A chart of an eval run (PNG)",
    responses={
        **ERROR_RESPONSES,
        **_NOT_FOUND,
        200: {"content": {"image/png": {}}, "description": "The chart"},
    },
)
def get_chart(run_id: str, name: str, trainer: TrainerDep, c: ComponentsDep) -> FileResponse:
    """One PNG chart of a run."""
    run_dir = _run_dir(c.settings, run_id)
    path = run_dir / name
    if not _CHART.match(name) or not path.is_file():
        raise NotFoundError(f"chart {name!r} of eval run {run_id!r} not found")
    return FileResponse(path, media_type="image/png")
