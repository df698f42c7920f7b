"""The embedding-model cost benchmark: its timers (fast) and a one-round run (slow, ~1 min)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.embedding_models import encode_rate, main, query_ms


def test_timers_measure_the_real_encoder(embedder: Any) -> None:
    texts = ["Meal allowance on a business trip."] * 20
    assert encode_rate(embedder, texts) > 0
    times = query_ms(embedder, ("What is the pass mark?", "Who approves the Publisher role?"))
    assert len(times) == 2
    assert all(t > 0 for t in times)


@pytest.mark.slow
def test_one_round_writes_a_row_per_model(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    argv = ["--model", "all-MiniLM-L6-v2", "--model", "all-MiniLM-L6-v2"]
    assert main([*argv, "--rounds", "1", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [r["model"] for r in rows] == ["all-MiniLM-L6-v2"] * 2
    # The sample content's chunks, every one encoded by every model.
    assert rows[0]["chunks"] == rows[1]["chunks"] > 500
    assert all(r["encode_chunks_per_s"] > 0 and r["query_ms_p50"] > 0 for r in rows)
