"""Ranking metrics on hand-computed cases and their edge cases."""

from __future__ import annotations

import math

import pytest

from eval.metrics.retrieval import (
    METRICS,
    Metric,
    average_precision,
    evaluate_run,
    hit_rate_at_k,
    mrr_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

# Running example: d3 is unjudged, d1 has grade 2, d2 grade 1.
RANKING = ["d3", "d1", "d2"]
QRELS = {"d1": 2, "d2": 1}


def test_recall() -> None:
    assert recall_at_k(RANKING, QRELS, 1) == 0.0  # {} of {d1, d2}
    assert recall_at_k(RANKING, QRELS, 2) == 0.5  # {d1} of {d1, d2}
    assert recall_at_k(RANKING, QRELS, 3) == 1.0


def test_precision_divides_by_k() -> None:
    assert precision_at_k(RANKING, QRELS, 2) == 0.5  # d1 in [d3, d1]
    assert precision_at_k(RANKING, QRELS, 3) == pytest.approx(2 / 3)
    assert precision_at_k(RANKING, QRELS, 5) == pytest.approx(2 / 5)  # not padded: 2 hits / 5


def test_mrr() -> None:
    assert mrr_at_k(RANKING, QRELS, 1) == 0.0
    assert mrr_at_k(RANKING, QRELS, 3) == 0.5  # first relevant (d1) at rank 2


def test_hit_rate() -> None:
    assert hit_rate_at_k(RANKING, QRELS, 1) == 0.0
    assert hit_rate_at_k(RANKING, QRELS, 2) == 1.0


def test_ndcg_graded() -> None:
    # DCG@3  = 0 + (2^2-1)/log2(3) + (2^1-1)/log2(4) = 1.892789 + 0.5 = 2.392789
    # IDCG@3 = (2^2-1)/log2(2) + (2^1-1)/log2(3)     = 3 + 0.630930   = 3.630930
    # nDCG@3 = 2.392789 / 3.630930 = 0.659002
    expected = (0 + 3 / math.log2(3) + 1 / math.log2(4)) / (3 / math.log2(2) + 1 / math.log2(3))
    assert expected == pytest.approx(0.659002, abs=1e-6)
    assert ndcg_at_k(RANKING, QRELS, 3) == pytest.approx(expected)
    # nDCG@2 = (0 + 3/log2(3)) / (3 + 1/log2(3)) = 1.892789 / 3.630930 = 0.521296
    assert ndcg_at_k(RANKING, QRELS, 2) == pytest.approx(0.521296, abs=1e-6)
    assert ndcg_at_k(RANKING, QRELS, 1) == 0.0  # d3 unjudged


def test_ndcg_ideal_counts_unretrieved_relevant_docs() -> None:
    # DCG@3 = 1/log2(2) = 1; IDCG@3 = 1 + 1/log2(3) = 1.630930; nDCG = 0.613147
    assert ndcg_at_k(["d1"], {"d1": 1, "d2": 1}, 3) == pytest.approx(0.613147, abs=1e-6)
    assert ndcg_at_k(["d1", "d2"], {"d1": 1, "d2": 1}, 10) == pytest.approx(1.0)
    # A judged-irrelevant doc (grade 0) adds nothing to DCG or IDCG.
    assert ndcg_at_k(["d0", "d1"], {"d0": 0, "d1": 1}, 2) == pytest.approx(1 / math.log2(3))


def test_average_precision() -> None:
    # relevant at ranks 2 and 3: (1/2 + 2/3) / 2 = 7/12
    assert average_precision(RANKING, QRELS) == pytest.approx(7 / 12)
    # cut at 2: only d1 counts, divisor still 2 relevant docs: (1/2) / 2 = 1/4
    assert average_precision(RANKING, QRELS, k=2) == pytest.approx(1 / 4)
    # d1 found at rank 1, d2 never: (1/1 + 0) / 2 = 1/2
    assert average_precision(["d1", "x"], QRELS) == 0.5


def test_duplicates_count_once() -> None:
    ranking = ["d1", "d1", "d2"]
    qrels = {"d1": 1, "d2": 1}
    # deduplicated to [d1, d2]: both relevant docs in the top 2
    assert precision_at_k(ranking, qrels, 2) == 1.0
    assert recall_at_k(ranking, qrels, 2) == 1.0
    assert ndcg_at_k(ranking, qrels, 2) == pytest.approx(1.0)
    assert average_precision(ranking, qrels) == pytest.approx(1.0)  # (1/1 + 2/2) / 2


@pytest.mark.parametrize("metric", list(METRICS.values()))
def test_empty_ranking_scores_zero(metric: Metric) -> None:
    assert metric([], QRELS, 5) == 0.0


@pytest.mark.parametrize("metric", list(METRICS.values()))
@pytest.mark.parametrize("qrels", [{}, {"d1": 0}, {"d1": -1}])
def test_no_relevant_docs_is_not_scored(metric: Metric, qrels: dict[str, int]) -> None:
    assert metric(RANKING, qrels, 3) is None


@pytest.mark.parametrize("metric", list(METRICS.values()))
def test_k_larger_than_ranking(metric: Metric) -> None:
    expected = 1 / 100 if metric is precision_at_k else 1.0  # precision: 1 hit / k
    assert metric(["d1"], {"d1": 1}, 100) == pytest.approx(expected)


@pytest.mark.parametrize("metric", list(METRICS.values()))
def test_k_must_be_positive(metric: Metric) -> None:
    with pytest.raises(ValueError, match="k must be >= 1"):
        metric(RANKING, QRELS, 0)


def test_evaluate_run_per_query() -> None:
    run = {"q1": RANKING, "q3": ["d9"]}
    qrels = {"q1": QRELS, "q2": {"d1": 1}, "q3": {}}
    scores = evaluate_run(run, qrels, ks=(3,))
    assert set(scores) == {f"{name}@3" for name in METRICS}
    assert scores["mrr@3"] == {"q1": 0.5, "q2": 0.0, "q3": None}  # q2 not in the run
    assert scores["recall@3"]["q1"] == 1.0
