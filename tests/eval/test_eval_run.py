"""An eval run end to end on a tiny BEIR folder: report contract, charts, index cache, CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, get_settings
from core.embedding import Embedder
from core.evalruns import read_run
from eval.__main__ import main, settings_with
from eval.request import RunRequest
from eval.runner import run_eval
from eval.suites import EvalItem, subset

TINY = Path(__file__).parent / "fixtures" / "tiny-beir"
AGG_KEYS = {"mean", "ci_low", "ci_high", "n", "n_excluded"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data dir (and so the eval cache) is temporary."""
    return get_settings(data_dir=tmp_path_factory.mktemp("eval-data"))


@pytest.fixture(scope="module")
def report(settings: Settings, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One run of every retriever over the tiny set."""
    runs = tmp_path_factory.mktemp("runs")
    run_dir = run_eval(RunRequest(str(TINY)), settings, runs_dir=runs, embedder=embedder)
    return run_dir, json.loads((run_dir / "report.json").read_text())


def test_report_follows_the_contract(report: Any) -> None:
    run_dir, data = report
    assert data["id"] == run_dir.name and data["dataset"]["kind"] == "beir"
    assert set(data["retrieval"]) == {"bm25", "dense", "hybrid", "hybrid+rerank", "llamaindex"}
    for metrics in data["retrieval"].values():
        assert set(metrics["ndcg@10"]) == AGG_KEYS
        assert metrics["ndcg@10"]["n"] == 5
    assert data["answers"] == {} and data["calibration"] is None  # BEIR: retrieval only
    question = data["questions"][0]
    assert {"id", "question", "expected", "retrieved", "scores"} <= set(question)
    assert question["expected"] == ["expenses"]
    assert question["retrieved"]["hybrid"][0] == "expenses"
    assert "no reranker" in data["notes"]["hybrid+rerank"]
    assert data["environment"]["python"] and data["settings"]["retrieval"]["rrf_k"]


def test_retrievers_find_the_obvious_documents(report: Any) -> None:
    _, data = report
    for name in ("bm25", "dense", "hybrid", "llamaindex"):
        assert data["retrieval"][name]["hit_rate@10"]["mean"] == 1.0, name
    assert data["retrieval"]["hybrid"]["mrr@10"]["mean"] >= 0.9


def test_run_writes_status_markdown_and_charts(report: Any) -> None:
    run_dir, data = report
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "succeeded" and status["error"] is None
    markdown = (run_dir / "report.md").read_text()
    assert "| hybrid |" in markdown and "## Goals" in markdown
    assert data["charts"] == ["ndcg10.png", "recall_at_k.png"]
    for chart in data["charts"]:
        assert (run_dir / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_second_run_reuses_the_cached_index(
    report: Any, settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    request = RunRequest(str(TINY), retrievers=["hybrid"], limit=2)
    run_dir = run_eval(request, settings, runs_dir=tmp_path, embedder=embedder)
    data = json.loads((run_dir / "report.json").read_text())
    assert data["corpus"]["cached"] is True and data["corpus"]["chunks"] == 6
    assert data["dataset"]["items_run"] == 2 and list(data["retrieval"]) == ["hybrid"]


def test_failed_run_is_recorded(settings: Settings, embedder: Embedder, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        run_eval(RunRequest("no-such-set"), settings, runs_dir=tmp_path, embedder=embedder)
    (run_dir,) = tmp_path.iterdir()
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "failed" and "unknown dataset" in status["error"]


def test_subset_spreads_over_the_items() -> None:
    items = [EvalItem(str(n), "q", {}) for n in range(10)]
    assert [i.id for i in subset(items, 3)] == ["0", "3", "6"]
    assert subset(items, None) == items and subset(items, 20) == items


def test_settings_overrides() -> None:
    cfg = settings_with(
        ["retrieval.rrf_k=20", "chunking.max_tokens=128", "embedding.dtype=float32"]
    )
    assert cfg.retrieval.rrf_k == 20 and cfg.chunking.max_tokens == 128
    assert cfg.embedding.dtype == "float32"
    with pytest.raises(ValueError, match="unknown setting"):
        settings_with(["retrieval.nope=1"])


def test_cli_rejects_unknown_retriever(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--dataset", str(TINY), "--retrievers", "bm25,magic"]) == 2
    assert "unknown retrievers" in capsys.readouterr().err


def test_a_failed_run_records_its_error_code(
    settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="unknown dataset"):
        run_eval(RunRequest("no-such-set"), settings, runs_dir=tmp_path, embedder=embedder)
    (run_dir,) = tmp_path.iterdir()
    run = read_run(tmp_path, run_dir.name)
    assert (run.status, run.error_code) == ("failed", "internal")
    assert run.error and not run.error.startswith("ValueError")
