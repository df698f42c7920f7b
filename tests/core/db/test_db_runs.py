"""RunStore: a run's lifecycle from start to finish, and the latest runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import RunStore
from core.errors import NotFoundError


def test_start_then_succeed(runs: RunStore) -> None:
    before = datetime.now(UTC)
    run_id = runs.start("wiki")
    started = runs.get(run_id)
    assert (started.status, started.source, started.finished, started.report) == (
        "running",
        "wiki",
        None,
        None,
    )
    assert before - timedelta(seconds=1) <= started.started <= datetime.now(UTC)

    report = {"files": {"seen": 3, "failed": 0}, "errors": [], "note": "Grüße ✓"}
    runs.finish(run_id, "succeeded", report=report)
    done = runs.get(run_id)
    assert (done.status, done.report, done.error) == ("succeeded", report, None)
    assert done.finished is not None and done.finished.tzinfo is not None
    assert done.started == started.started <= done.finished


def test_failed_run_keeps_its_error_code(runs: RunStore) -> None:
    run_id = runs.start(None)
    runs.finish(run_id, "failed", error="built with another model", error_code="index_mismatch")
    run = runs.get(run_id)
    assert (run.error, run.error_code) == ("built with another model", "index_mismatch")
    assert runs.get(runs.start(None)).error_code is None


def test_failed_run_keeps_its_error(runs: RunStore) -> None:
    run_id = runs.start(None)
    runs.finish(run_id, "failed", error="index unreachable: ü")
    run = runs.get(run_id)
    assert (run.status, run.source, run.report, run.error) == (
        "failed",
        None,
        None,
        "index unreachable: ü",
    )


def test_latest_newest_first(runs: RunStore) -> None:
    ids = [runs.start(f"s{i}") for i in range(4)]
    assert [r.id for r in runs.latest()] == ids[::-1]
    assert [r.id for r in runs.latest(limit=2)] == ids[:1:-1]
    assert [r.id for r in runs.latest(limit=2, offset=3)] == ids[:1]


def test_unknown_run_and_bad_status(runs: RunStore) -> None:
    with pytest.raises(NotFoundError):
        runs.get("missing")
    with pytest.raises(NotFoundError):
        runs.finish("missing", "succeeded")
    run_id = runs.start(None)
    with pytest.raises(ValueError, match="running"):
        runs.finish(run_id, "running")  # type: ignore[arg-type]
    assert runs.get(run_id).status == "running"
