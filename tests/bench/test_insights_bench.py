"""The insights benchmark runs end to end on a small log: every figure is there, the restart
is prepared by the start-up job, and reopening is served from memory."""

from __future__ import annotations

from pathlib import Path

from bench.insights_bench import run


def test_the_benchmark_measures_a_restart(tmp_path: Path) -> None:
    figures = run(400, tmp_path)
    assert figures["questions"] > 300 and figures["topics"] > 3
    for name in ("cold_s", "restart_open_s", "restart_prepare_s", "restart_prepared_open_s"):
        assert figures[name] >= 0, name
    assert figures["reopen_s"] <= figures["cold_s"]
    assert figures["incremental_questions"] >= 0
