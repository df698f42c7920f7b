"""Eval run folders, and the launcher through which the service starts runs.

    <runs_dir>/<UTC timestamp>-<dataset slug>/
        status.json   {id, dataset, created, status: running|succeeded|failed, error}
        report.json   the report (`core.evalreport.EvalReport`), once the run succeeded
        report.md, *.png

The eval suite writes the folders (`new_run_dir`, `write_status`); the service lists and
reads them (`list_runs`, `read_run`), so runs started from the CLI are listed too. The
service starts runs through an `EvalLauncher` it is handed (`service.main.create_app`): it
never imports the eval suite.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from core.config import Settings
from core.embedding import Embedder
from core.errors import NotFoundError
from core.evalreport import EvalDataset, EvalReport, EvalRun, EvalRunRequest, EvalRunSummary

STATUS = "status.json"
REPORT = "report.json"
_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


class EvalLauncher(Protocol):
    """What the service needs from the eval suite."""

    def datasets(self, settings: Settings) -> list[EvalDataset]:
        """The datasets a run can name."""
        ...

    def check(self, request: EvalRunRequest) -> None:
        """Raise ConfigError for an unknown dataset, retriever or generator, or a bad limit."""
        ...

    def run(
        self, request: EvalRunRequest, settings: Settings, embedder: Embedder, run_dir: Path
    ) -> None:
        """Run the request into `run_dir` (made by `new_run_dir`), recording its outcome."""
        ...


def new_run_dir(runs_dir: Path, dataset: str) -> Path:
    """A fresh run folder <runs_dir>/<UTC timestamp>-<dataset slug>, its status "running"."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(dataset).name).strip("-") or "dataset"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = runs_dir / f"{stamp}-{slug}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = runs_dir / f"{stamp}-{slug}-{suffix}"
    path.mkdir(parents=True)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    write_status(path, id=path.name, dataset=dataset, created=created, status="running", error=None)
    return path


def write_status(run_dir: Path, **fields: Any) -> None:
    """Merge fields into the run's status.json (written whole, then renamed)."""
    path = run_dir / STATUS
    status = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    status.update(fields)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2), encoding="utf-8")
    tmp.replace(path)


def run_dir(runs_dir: Path, run_id: str) -> Path:
    """The folder of run `run_id`; NotFoundError when there is none (or the id is not one)."""
    path = runs_dir / run_id
    if not _RUN_ID.match(run_id) or not (path / STATUS).is_file():
        raise NotFoundError(f"eval run {run_id!r} not found")
    return path


def list_runs(runs_dir: Path) -> list[EvalRunSummary]:
    """Every run in the folder, newest first."""
    if not runs_dir.is_dir():
        return []
    found = [(_status(p), p) for p in runs_dir.iterdir() if (p / STATUS).is_file()]
    found.sort(key=lambda s: (str(s[0].get("created", "")), s[1].name), reverse=True)
    return [_summary(status, path) for status, path in found]


def read_run(runs_dir: Path, run_id: str) -> EvalRun:
    """A run's status, error and report (once it succeeded)."""
    path = run_dir(runs_dir, run_id)
    status = _status(path)
    report = None
    if status.get("status") == "succeeded" and (path / REPORT).is_file():
        report = EvalReport.model_validate_json((path / REPORT).read_text(encoding="utf-8"))
    summary = _summary(status, path)
    return EvalRun(
        **summary.model_dump(),
        report=report,
        error=status.get("error"),
        error_code=status.get("error_code"),
    )


def _status(path: Path) -> dict[str, Any]:
    try:
        found: dict[str, Any] = json.loads((path / STATUS).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise NotFoundError(f"eval run {path.name!r} not found") from exc
    return found


def _summary(status: dict[str, Any], path: Path) -> EvalRunSummary:
    return EvalRunSummary(
        id=path.name,
        dataset=str(status.get("dataset", "")),
        created=status.get("created") or None,
        status=status.get("status", "failed"),
    )
