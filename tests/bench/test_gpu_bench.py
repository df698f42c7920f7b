"""The GPU path benchmark and the small-files mode of the ingestion benchmark, run on the CPU
(slow: each loads the model and starts parser workers, ~1-2 min on a loaded machine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import gpu_bench, ingest_bench


@pytest.mark.slow
def test_gpu_bench_runs_on_the_cpu(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    argv = ["--device", "cpu", "--quick", "--texts", "80", "--workers", "1,2", "--out", str(out)]
    assert gpu_bench.main(argv) == 0
    figures = json.loads(out.read_text())
    assert figures["device"] == "cpu" and figures["texts"] == 80
    assert figures["ours_chunks_per_s"] > 0 and figures["plain_encode_chunks_per_s"] > 0
    assert 0 <= figures["padded_share_ours"] < 1
    assert figures["parse_files_per_s_1_workers"] > 0
    assert figures["parse_files_per_s_2_workers"] > 0


@pytest.mark.slow
def test_small_files_mode_reports_the_fixed_cost_per_file(tmp_path: Path) -> None:
    out = tmp_path / "small.json"
    assert ingest_bench.main(["--small-files", "40", "--out", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert figures["files"] == figures["documents"] == figures["chunks_written"] == 40
    assert figures["job_s"] > figures["encode_s"] > 0
    assert figures["fixed_ms_per_file"] > 0
