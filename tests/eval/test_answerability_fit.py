"""Fitting the answerability model: features from stored retrieval results, a fit that separates
answerable from unanswerable rows, and a threshold chosen on tuning rows only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.retrieval import RetrievalResult
from core.schema import Passage, SourceKind
from eval.answerability_fit import choose, decide, fit, load, main

HOTELS = "The hotel cap is 150 EUR a night in Berlin and 230 EUR in London."
MEALS = "Meals are reimbursed up to 55 EUR a day when travelling."
ANSWERABLE = ["What is the hotel cap in Berlin?", "How much is the hotel cap in London?",
              "What is the meal allowance when travelling?", "hotel cap"]  # fmt: skip
UNANSWERABLE = ["What is Tesla's stock price?", "How many paid sick days do we get?",
                "What does error WX-9999 mean?", "dental insurance"]  # fmt: skip


def _row(question: str, answerable: bool, half: str, cosine: float) -> dict[str, object]:
    passages = [
        Passage(
            chunk_id=f"c{i}",
            document_id=f"d{i}",
            title="Travel policy",
            kind=SourceKind.WIKI,
            source="s",
            text=text,
            start=0,
            end=len(text),
        )
        for i, text in enumerate([HOTELS, MEALS])
    ]
    result = RetrievalResult(passages=passages, top_dense_score=cosine)
    return {"set": "toy", "id": question, "question": question, "answerable": answerable,
            "half": half, "tags": [], "result": result.model_dump(mode="json")}  # fmt: skip


@pytest.fixture
def data(tmp_path: Path) -> Path:
    rows = [_row(q, True, half, 0.62) for q in ANSWERABLE for half in ("tune", "test")]
    rows += [_row(q, False, half, 0.45) for q in UNANSWERABLE for half in ("tune", "test")]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_fit_separates_and_the_threshold_comes_from_tuning_rows(data: Path) -> None:
    rows = load([data])
    tune = [r for r in rows if r["half"] == "tune"]
    model = fit(tune)
    for r in rows:
        r["p"] = model.probability(r["x"])
    answerable = min(r["p"] for r in tune if r["answerable"])
    assert answerable > max(r["p"] for r in tune if not r["answerable"])
    floor, threshold = choose({"toy": tune}, model)
    answered = decide(tune, model, floor, threshold)
    assert answered == [r["answerable"] for r in tune]


def test_a_missing_code_is_never_answered(data: Path) -> None:
    rows = load([data])
    model = fit([r for r in rows if r["half"] == "tune"])
    for r in rows:
        r["p"] = 1.0  # even when the model is sure
    code = [r for r in rows if "WX-9999" in r["question"]]
    assert decide(code, model, 0.0, 0.5) == [False, False]


def test_the_report_names_test_halves_and_the_old_gate(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(data)]) == 0  # without --write: core/answerability_model.json untouched
    report = json.loads(capsys.readouterr().out)
    assert set(report["results"]) == {"toy/tune", "toy/test"}
    assert {"gate", "old_gate", "auc", "reliability"} <= set(report["results"]["toy/test"])
