"""The packaged Qwen 1.5B as a yes/no judge (slow: ~50 s to load, ~1 judgment/s per core)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import get_settings
from eval.metrics.answers import citation_scores
from eval.metrics.judge import QwenJudge, make_entailment
from eval.weights import QWEN, model_path

pytestmark = pytest.mark.slow

MEALS = "Meals on business trips are reimbursed up to 55 EUR per day with an itemised receipt."
HOTELS = "Hotels are booked through the travel desk; the nightly cap is 140 EUR in capitals."
PAIRS = [
    (MEALS, "Meals on business trips are reimbursed up to 55 EUR per day.", True),
    (MEALS, "Meals on business trips are reimbursed up to 90 EUR per day.", False),
    (MEALS, "You need an itemised receipt to get meals reimbursed.", True),
    (MEALS, "Hotels are booked through the travel desk.", False),
    (HOTELS, "In capital cities a hotel night may cost up to 140 EUR.", True),
    (HOTELS, "Employees book their own hotels online.", False),
]


def _gguf() -> Path:
    settings = get_settings()
    return settings.eval.judge_model_path or model_path(QWEN, settings.data_dir)


@pytest.fixture(scope="module")
def judge() -> Iterator[QwenJudge]:
    if not _gguf().is_file():
        pytest.skip(f"no Qwen GGUF at {_gguf()}: run `python -m eval.weights qwen` first")
    if importlib.util.find_spec("gguf") is None:
        pytest.skip("the Qwen judge needs the `judge` extra: pip install -e '.[judge]'")
    yield QwenJudge(_gguf())


def test_judges_plain_support_and_its_absence(judge: QwenJudge) -> None:
    verdicts = [judge(premise, hypothesis) for premise, hypothesis, _ in PAIRS]
    right = [v == expected for v, (_, _, expected) in zip(verdicts, PAIRS, strict=True)]
    # A 1.5B judge is not perfect: measured 5 of 6 here (it took the travel-desk sentence as
    # supported by the meals passage). Numbers and plain paraphrase it gets right.
    assert sum(right) >= 5, verdicts
    assert right[:3] == [True, True, True]
    margins = [judge.margin(p, h) for p, h, _ in PAIRS[:2]]
    assert margins[0] > 0 > margins[1]
    assert judge.calls == len(PAIRS)  # margin() asks again; __call__ answered from the cache


def test_citation_scores_with_the_qwen_judge(judge: QwenJudge) -> None:
    answer = "Meals are reimbursed up to 55 EUR per day [1]. Hotels cost up to 300 EUR [2]."
    scores = citation_scores(answer, {1: MEALS, 2: HOTELS}, judge)
    assert scores.recall == 0.5 and scores.precision == 0.5


def test_the_factory_builds_it(judge: QwenJudge) -> None:
    settings = get_settings(eval={"judge_model_path": str(_gguf())})
    assert make_entailment("qwen", settings).name.startswith("QwenJudge(")  # type: ignore[attr-defined]
