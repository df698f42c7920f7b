"""Agreement of the lexical proxy with a judge on a run's citation pairs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eval.agreement import agreement, citation_pairs, compare_on, main, with_swapped
from eval.metrics.entailment import LexicalEntailment
from tests.core.generation.llm_stub import LLMStub, serve

MEALS = "Meals on business trips are reimbursed up to 55 EUR per day."
TRAINS = "Employees travel second class on trains."
REPORT: dict[str, Any] = {
    "id": "run-1",
    "questions": [
        {
            "id": "q1",
            "answers": {
                "extractive": {
                    "text": "Meals are reimbursed up to 55 EUR per day [1]. "
                    "Trains: second class [1][2].",
                    "abstained": False,
                    "citations": {"1": MEALS, "2": TRAINS},
                }
            },
        },
        {
            "id": "q2",
            "answers": {"extractive": {"text": "I couldn't find this.", "abstained": True}},
        },
        {
            "id": "q3",
            "answers": {
                "extractive": {
                    "text": "Uncited sentence. Cites nothing that exists [3].",
                    "abstained": False,
                    "citations": {"1": MEALS},
                }
            },
        },
    ],
}


def test_agreement_and_kappa_by_hand() -> None:
    result = agreement([True, True, False, False], [True, False, False, False])
    # observed 3/4; chance 0.5·0.25 + 0.5·0.75 = 0.5; kappa (0.75 − 0.5) / (1 − 0.5)
    assert result["agreement"] == 0.75 and result["kappa"] == 0.5
    assert result["table"] == {
        "a yes, b yes": 1,
        "a yes, b no": 1,
        "a no, b yes": 0,
        "a no, b no": 2,
    }
    assert agreement([True, True], [True, True])["kappa"] is None  # no chance-free room
    assert agreement([], [])["agreement"] is None
    with pytest.raises(ValueError, match="every pair"):
        agreement([True], [])


def test_pairs_are_the_cited_sentences_of_answered_questions() -> None:
    pairs = citation_pairs(REPORT)
    assert [(p["id"], p["premise"]) for p in pairs] == [
        ("q1", MEALS),
        ("q1", f"{MEALS}\n{TRAINS}"),
    ]
    assert pairs[0]["sentence"] == "Meals are reimbursed up to 55 EUR per day."
    assert len(citation_pairs(REPORT, 1)) == 1


def test_swapped_twins_take_another_questions_premise() -> None:
    pairs = [
        {"id": "q1", "sentence": "a", "premise": "P1"},
        {"id": "q1", "sentence": "b", "premise": "P1"},
        {"id": "q2", "sentence": "c", "premise": "P2"},
    ]
    both = with_swapped(pairs)
    assert [(p["sentence"], p["premise"], p["kind"]) for p in both] == [
        ("a", "P1", "cited"),
        ("b", "P1", "cited"),
        ("c", "P2", "cited"),
        ("a", "P2", "swapped"),
        ("b", "P2", "swapped"),
        ("c", "P1", "swapped"),
    ]
    summary, _ = compare_on(
        with_swapped(citation_pairs(REPORT)), LexicalEntailment(), LexicalEntailment()
    )
    assert "by_kind" not in summary  # one question only: no other premise, no twins


def test_compare_two_real_entailments() -> None:
    pairs = citation_pairs(REPORT)
    pairs.append(
        {"id": "x", "generator": "g", "sentence": "Meals cost 55 EUR a night.", "premise": MEALS}
    )  # coverage 0.6 with the number: lexical yes, strict no
    summary, rows = compare_on(pairs, LexicalEntailment(), LexicalEntailment(threshold=1.0))
    assert [(r["lexical"], r["judge"]) for r in rows] == [(True, True), (True, True), (True, False)]
    assert summary["n"] == 3 and summary["agreement"] == round(2 / 3, 4)


@pytest.fixture
def stub() -> Iterator[LLMStub]:
    yield from serve(LLMStub())


def test_cli_with_an_endpoint_judge(
    stub: LLMStub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    stub.reply = lambda prompt: "no" if "Trains" in prompt.user.split("Statement:")[1] else "yes"
    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    monkeypatch.setenv("WATERCOOLER_EVAL__JUDGE_BASE_URL", f"{stub.url}/v1")
    monkeypatch.setenv("WATERCOOLER_EVAL__JUDGE_MODEL", "judge")
    assert main([str(tmp_path), "--judge", "openai"]) == 0
    saved = json.loads((tmp_path / "agreement.json").read_text())
    assert [r["judge"] for r in saved["pairs"]] == [True, False]
    assert saved["summary"]["n"] == 2 and saved["summary"]["judge"].startswith("OpenAIJudge")
    assert len(stub.requests) == 2 and '"agreement"' in capsys.readouterr().out
