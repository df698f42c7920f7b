"""An eval run: every retriever and generator side by side on one dataset, one report.

    run_eval(RunRequest, settings) → eval/runs/<timestamp>-<dataset>/ with status.json,
    report.json, report.md and PNG charts (the folder: `core.evalruns`; the report:
    `core.evalreport`)

The dataset's kind picks its `Suite` (`eval.kinds`), except for the FAQ sets, which have
their own (`eval.faq_suite`), as has the who-to-ask set (`eval.owners_suite`); what the
retrievers and generators do is in `eval.observe` and `eval.behaviour`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from core.config import Settings
from core.embedding import Embedder, run_embedder
from core.errors import error_code
from core.evalreport import EvalReport
from core.evalruns import REPORT, new_run_dir, write_status
from eval.faq_suite import FAQ_SUITE, is_faq
from eval.kinds import SUITES, Suite
from eval.owners_suite import OWNERS_SUITE, is_owners
from eval.request import RunRequest
from eval.suites import dataset_spec

log = logging.getLogger(__name__)


def run_eval(
    request: RunRequest,
    settings: Settings,
    *,
    runs_dir: Path,
    embedder: Embedder | None = None,
    run_dir: Path | None = None,
) -> Path:
    """Run the request, write the report into a run folder, and return the folder."""
    request.check()
    run_dir = run_dir or new_run_dir(runs_dir, request.dataset)
    try:
        spec = dataset_spec(request.dataset)
        suite = (
            OWNERS_SUITE if is_owners(spec) else FAQ_SUITE if is_faq(spec) else SUITES[spec.kind]
        )
        shared = embedder or run_embedder(settings.embedding)
        report = suite.evaluate(request, spec, settings, shared, run_dir.name)
        write_report(run_dir, report, suite)
    except Exception as exc:
        error = str(exc) or type(exc).__name__
        write_status(run_dir, status="failed", error=error, error_code=error_code(exc))
        raise
    write_status(run_dir, status="succeeded")
    log.info("eval run written", extra={"run": str(run_dir)})
    return run_dir


def write_report(run_dir: Path, report: dict[str, Any], suite: Suite) -> None:
    """report.json (checked against the shared contract first), report.md and the charts."""
    report["charts"] = suite.charts(run_dir, report)
    EvalReport.model_validate(report)  # what the service and the UI will parse
    (run_dir / REPORT).write_text(json.dumps(report, indent=1), encoding="utf-8")
    (run_dir / "report.md").write_text(suite.render(report), encoding="utf-8")
