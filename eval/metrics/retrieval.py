"""Ranking metrics over ranked document ids and graded relevance judgments (qrels).

Definitions follow TREC/BEIR (pytrec_eval) so numbers compare with published results:

    relevant    a doc whose grade is >= 1; grade 0, negative or absent is not relevant
    ranking     duplicates count once, at their first position; unjudged docs are not relevant
    recall@k    relevant docs in the top k / all relevant docs
    precision@k relevant docs in the top k / k (a ranking shorter than k is not padded out)
    mrr@k       1 / rank of the first relevant doc in the top k, 0 if none
    ndcg@k      DCG@k / IDCG@k, gain 2^grade - 1, discount log2(rank + 1); IDCG from the ideal
                ordering of all judged docs, so unretrieved relevant docs lower the score
    AP          mean over relevant docs of precision at their rank (0 for unretrieved ones);
                with k, only the top k count but the divisor stays all relevant docs (map_cut)
    hit@k       1 if any relevant doc is in the top k, else 0

A query without relevant docs gets None from every metric: it cannot be scored, and
`eval.metrics.stats.aggregate` leaves None out. k must be >= 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

Qrels = Mapping[str, int]
Metric = Callable[[Sequence[str], Qrels, int], float | None]


def dedupe(ranking: Sequence[str]) -> list[str]:
    """The ranking with repeated ids removed, keeping each id at its first position."""
    return list(dict.fromkeys(ranking))


def relevant_ids(qrels: Qrels) -> set[str]:
    """Ids judged relevant (grade >= 1)."""
    return {doc_id for doc_id, grade in qrels.items() if grade >= 1}


def _top(ranking: Sequence[str], k: int) -> list[str]:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return dedupe(ranking)[:k]


def recall_at_k(ranking: Sequence[str], qrels: Qrels, k: int) -> float | None:
    """Share of the relevant docs that appear in the top k."""
    relevant = relevant_ids(qrels)
    top = _top(ranking, k)
    if not relevant:
        return None
    return len(relevant.intersection(top)) / len(relevant)


def precision_at_k(ranking: Sequence[str], qrels: Qrels, k: int) -> float | None:
    """Share of the k top positions that hold a relevant doc."""
    relevant = relevant_ids(qrels)
    top = _top(ranking, k)
    if not relevant:
        return None
    return len(relevant.intersection(top)) / k


def mrr_at_k(ranking: Sequence[str], qrels: Qrels, k: int) -> float | None:
    """Reciprocal rank of the first relevant doc within the top k (0 if none)."""
    relevant = relevant_ids(qrels)
    top = _top(ranking, k)
    if not relevant:
        return None
    for rank, doc_id in enumerate(top, start=1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def hit_rate_at_k(ranking: Sequence[str], qrels: Qrels, k: int) -> float | None:
    """1.0 if a relevant doc is in the top k, else 0.0."""
    relevant = relevant_ids(qrels)
    top = _top(ranking, k)
    if not relevant:
        return None
    return 1.0 if relevant.intersection(top) else 0.0


def _dcg(grades: Sequence[int]) -> float:
    return sum((2 ** max(g, 0) - 1) / math.log2(rank + 1) for rank, g in enumerate(grades, 1))


def ndcg_at_k(ranking: Sequence[str], qrels: Qrels, k: int) -> float | None:
    """Normalised discounted cumulative gain with graded, exponential gains."""
    top = _top(ranking, k)
    if not relevant_ids(qrels):
        return None
    dcg = _dcg([qrels.get(doc_id, 0) for doc_id in top])
    idcg = _dcg(sorted(qrels.values(), reverse=True)[:k])
    return dcg / idcg


def average_precision(ranking: Sequence[str], qrels: Qrels, k: int | None = None) -> float | None:
    """Average precision of one query (MAP is its mean over queries); k cuts the ranking."""
    relevant = relevant_ids(qrels)
    top = dedupe(ranking) if k is None else _top(ranking, k)
    if not relevant:
        return None
    hits = 0
    total = 0.0
    for rank, doc_id in enumerate(top, start=1):
        if doc_id in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


METRICS: dict[str, Metric] = {
    "recall": recall_at_k,
    "precision": precision_at_k,
    "mrr": mrr_at_k,
    "ndcg": ndcg_at_k,
    "map": average_precision,
    "hit_rate": hit_rate_at_k,
}


def evaluate_run(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Qrels],
    ks: Sequence[int] = (1, 3, 5, 10),
) -> dict[str, dict[str, float | None]]:
    """Per-query scores of every metric at every k, keyed "ndcg@10" → {query id: score}.

    Scored queries are those of `qrels`; a query missing from `run` ranked nothing.
    """
    scores: dict[str, dict[str, float | None]] = {}
    for name, metric in METRICS.items():
        for k in ks:
            scores[f"{name}@{k}"] = {
                query_id: metric(run.get(query_id, ()), judged, k)
                for query_id, judged in qrels.items()
            }
    return scores
