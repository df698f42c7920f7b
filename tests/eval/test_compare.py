"""Comparing runs: per-metric changes, per-question moves, and the CI exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.__main__ import main
from eval.compare import compare, render, summary_table


def _agg(mean: float | None, total: int | None = None) -> dict[str, Any]:
    agg: dict[str, Any] = {"mean": mean, "ci_low": mean, "ci_high": mean, "n": 4}
    if total is not None:
        agg["total"] = total
    return agg


def _report(run_id: str, ndcg: float, q1: float, leaks: int = 0, p1: float = 1.0) -> dict[str, Any]:
    return {
        "id": run_id,
        "retrieval": {"hybrid": {"ndcg@10": _agg(ndcg), "recall@10": _agg(0.9)}},
        "people": {"hybrid": {"p@1": _agg(p1)}},
        "answers": {"extractive": {"leakage": _agg(leaks / 4, leaks), "token_f1": _agg(0.4)}},
        "questions": [
            {
                "id": "q1",
                "question": "When is the handover?",
                "scores": {"hybrid": {"ndcg@10": q1}},
                "answers": {"extractive": {"scores": {"token_f1": 0.4}}},
            }
        ],
    }


def test_no_change_is_no_regression() -> None:
    result = compare(_report("a", 0.8, 1.0), _report("b", 0.8, 1.0))
    assert not result.regressions and not result.questions
    assert "no regression" in render(result)


def test_drop_within_tolerance_passes_and_beyond_fails() -> None:
    assert not compare(_report("a", 0.80, 1.0), _report("b", 0.79, 1.0), 0.02).regressions
    result = compare(_report("a", 0.80, 1.0), _report("b", 0.70, 0.5), 0.02)
    (regressed,) = result.regressions
    assert (regressed.section, regressed.system, regressed.metric) == (
        "retrieval",
        "hybrid",
        "ndcg@10",
    )
    assert abs((regressed.delta or 0) + 0.1) < 1e-9
    assert result.questions == [
        {
            "id": "q1",
            "question": "When is the handover?",
            "system": "hybrid",
            "metric": "ndcg@10",
            "before": 1.0,
            "after": 0.5,
        }
    ]
    assert "REGRESSED" in render(result)


def test_improvement_is_not_a_regression() -> None:
    assert not compare(_report("a", 0.7, 0.5), _report("b", 0.9, 1.0)).regressions


def test_any_new_leak_regresses() -> None:
    (regressed,) = compare(_report("a", 0.8, 1.0), _report("b", 0.8, 1.0, leaks=1)).regressions
    assert regressed.metric == "leakage" and (regressed.before, regressed.after) == (0, 1)


def test_people_metric_regresses_too() -> None:
    result = compare(_report("a", 0.8, 1.0), _report("b", 0.8, 1.0, p1=0.5))
    assert [c.metric for c in result.regressions] == ["p@1"]


def test_cli_exit_codes(tmp_path: Path) -> None:
    for name, report in {
        "a": _report("a", 0.8, 1.0),
        "b": _report("b", 0.8, 1.0),
        "c": _report("c", 0.5, 0.2),
    }.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(report))
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "c")]) == 1
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "c"), "--tolerance", "0.5"]) == 0


def test_summary_table_shows_differing_settings(tmp_path: Path, capsys: Any) -> None:
    a = {**_report("a", 0.8, 1.0), "settings": {"retrieval": {"rrf_k": 60, "top_k": 8}}}
    b = {**_report("b", 0.9, 1.0), "settings": {"retrieval": {"rrf_k": 20, "top_k": 8}}}
    a["retrieval"]["dense"] = {"ndcg@10": _agg(0.85)}
    b["retrieval"]["dense"] = {"ndcg@10": _agg(0.8)}
    table = summary_table([a, b])
    assert (
        "| run | retrieval.rrf_k | hybrid ndcg@10 | dense ndcg@10 | hybrid − best single |" in table
    )
    assert "| a | 60 | 0.800 | 0.850 | -0.050 |" in table
    assert "| b | 20 | 0.900 | 0.800 | +0.100 |" in table
    for name, report in (("a", a), ("b", b)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.json").write_text(json.dumps(report))
    assert main(["table", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "| b | 20 |" in capsys.readouterr().out
