"""Eval runs, started and read through the service (trainers and admins).

    GET  /evals/datasets                   the datasets a run can name
    POST /evals/runs                       start a run on a worker thread (one at a time: 409)
    GET  /evals/runs                       the runs in the runs folder, newest first
    GET  /evals/runs/{id}                  a run's status and report.json (null until done)
    GET  /evals/runs/{id}/charts/{name}    one of its PNG charts

Runs live in `eval.runs_dir`, one folder each (`core.evalruns`), so runs started from the CLI
are listed too. The eval suite itself is an `EvalLauncher` handed to `create_app`; without
one these endpoints are not mounted. Reports hold golden questions about restricted
documents and the answers given to users who may see them, so every endpoint needs the
trainer role or higher.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse

from core.auth import require_role
from core.config import Settings
from core.embedding import Embedder
from core.errors import ConfigError, NotFoundError
from core.evalreport import EvalDataset, EvalRun, EvalRunRequest, EvalRunStarted, EvalRunSummary
from core.evalruns import EvalLauncher, list_runs, new_run_dir, read_run, run_dir
from core.schema import Principal
from service.deps import CallerDep, ComponentsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.worker import BackgroundRun

log = logging.getLogger(__name__)

router = APIRouter(prefix="/evals", tags=["evals"])

_CHART = re.compile(r"^[a-z0-9_]+\.png$")


class EvalJobs:
    """Runs one eval at a time on a worker thread, through the eval suite's launcher."""

    def __init__(self, launcher: EvalLauncher) -> None:
        self.launcher = launcher
        self._worker = BackgroundRun("eval run {run} is still running; wait for it")

    def start(self, request: EvalRunRequest, settings: Settings, embedder: Embedder) -> str:
        """Start a run; JobRunningError while another one runs."""
        with self._worker.lock:
            self._worker.check_idle()
            folder = new_run_dir(settings.eval.runs_dir, request.dataset)
            args = (request, settings, embedder, folder)
            self._worker.launch(folder.name, self._run, *args, name=f"eval-{folder.name}")
        return folder.name

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the running eval; True when none runs any more."""
        return self._worker.wait(timeout_s)

    def _run(
        self, request: EvalRunRequest, settings: Settings, embedder: Embedder, folder: Path
    ) -> None:
        try:
            self.launcher.run(request, settings, embedder, folder)
        except Exception as exc:  # recorded in status.json by the launcher; the thread just ends
            log.warning("eval run failed", extra={"run": folder.name, "error": str(exc)})


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
def datasets(trainer: TrainerDep, c: ComponentsDep, jobs: EvalJobsDep) -> list[EvalDataset]:
    """Golden sets, fitz-gov and the BEIR folders under `eval.beir_dir`."""
    return jobs.launcher.datasets(c.settings)


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
    # Only a listed dataset: the launcher also takes folder paths, which over HTTP would let
    # a trainer probe the server's files (and a '~user' path was a 500).
    if body.dataset not in {d.name for d in jobs.launcher.datasets(c.settings)}:
        raise ConfigError(f"unknown dataset {body.dataset!r}: choose one from GET /evals/datasets")
    jobs.launcher.check(body)
    run_id = jobs.start(body, c.settings, c.embedder)
    log.info("eval run started", extra={"run": run_id, "by": trainer.user_id})
    return EvalRunStarted(id=run_id, status="running")


@router.get(
    "/runs", response_model=list[EvalRunSummary], summary="Eval runs", responses=ERROR_RESPONSES
)
def get_runs(trainer: TrainerDep, c: ComponentsDep) -> list[EvalRunSummary]:
    """Every run in the runs folder, newest first."""
    return list_runs(c.settings.eval.runs_dir)


@router.get(
    "/runs/{run_id}",
    response_model=EvalRun,
    summary="An eval run and its report",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def get_run(run_id: str, trainer: TrainerDep, c: ComponentsDep) -> EvalRun:
    """Status, report (once written) and error of one run."""
    return read_run(c.settings.eval.runs_dir, run_id)


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
    path = run_dir(c.settings.eval.runs_dir, run_id) / name
    if not _CHART.match(name) or not path.is_file():
        raise NotFoundError(f"chart {name!r} of eval run {run_id!r} not found")
    return FileResponse(path, media_type="image/png")
