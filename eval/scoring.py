"""Per-item scores from what a run observed, and their aggregates (mean + bootstrap CI).

Retrieval is scored at the document level: a retriever's passages are reduced to their
documents in rank order (first passage wins) and the metrics of `eval.metrics.retrieval`
are taken at k = 1, 3, 5, 10, with MAP over the whole fetched ranking. People metrics use
the people named for the question; answer metrics the generated text and its citations,
with `LexicalEntailment` (a lexical proxy, not NLI) deciding support.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from eval.metrics import answers, people, retrieval
from eval.metrics.entailment import Entailment, LexicalEntailment
from eval.metrics.stats import aggregate

KS = (1, 3, 5, 10)
RETRIEVAL_METRICS = tuple(
    [f"{name}@{k}" for name in ("ndcg", "recall", "precision", "mrr", "hit_rate") for k in KS]
    + ["map"]
)
QUESTION_METRICS = ("ndcg@10", "recall@10", "mrr@10", "hit_rate@10", "precision@5", "map")
PEOPLE_METRICS = ("p@1", "recall@3", "mrr")
ANSWER_METRICS = (
    "token_f1",
    "containment",
    "reference_recall",
    "containment_gold_retrieved",
    "reference_recall_gold_retrieved",
    "semantic_similarity",
    "citation_precision",
    "citation_recall",
    "groundedness",
    "abstention_accuracy",
    "answer_rate",
    "abstained",
    "leakage",
)
ENTAILMENT_NAME = "LexicalEntailment(threshold=0.6): content-word and number coverage, not NLI"


def retrieval_scores(ranking: Sequence[str], qrels: Mapping[str, int]) -> dict[str, float | None]:
    """Every retrieval metric of one ranked list of document ids (repeats allowed)."""
    docs = retrieval.dedupe(ranking)
    scores: dict[str, float | None] = {}
    for name, metric in retrieval.METRICS.items():
        if name == "map":
            continue
        for k in KS:
            scores[f"{name}@{k}"] = metric(docs, qrels, k)
    scores["map"] = retrieval.average_precision(docs, qrels)
    return scores


def people_scores(ranked: Sequence[str], expected: Sequence[str]) -> dict[str, float | None]:
    """P@1, recall@3 and MRR of the people named, against the expected people."""
    return {
        "p@1": people.precision_at_1(ranked, expected),
        "recall@3": people.recall_at_k(ranked, expected, 3),
        "mrr": people.mrr(ranked, expected),
    }


@dataclass
class AnswerRecord:
    """One generated answer as the run saw it (after the abstention gate)."""

    text: str
    abstained: bool
    citations: dict[int, str] = field(default_factory=dict)  # marker → passage text
    cited_documents: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    people_documents: list[str] = field(default_factory=list)  # evidence behind the people
    top_dense: float | None = None
    ungated_abstained: bool = False  # the generator's own decision, before the gate
    context_documents: list[str] = field(default_factory=list)  # documents answered from
    leaked: list[str] = field(default_factory=list)  # cited or evidence docs the user may not see


def answer_scores(
    record: AnswerRecord,
    answerable: bool,
    reference: str,
    similarity: float | None,
    entails: Entailment | None = None,
    relevant: Collection[str] = (),
) -> dict[str, float | None]:
    """Every answer metric of one answer (None where the metric does not apply).

    The `…_gold_retrieved` variants count only questions where a `relevant` document was
    among the passages the answer was written from (what the generator could contain).
    """
    entails = entails or LexicalEntailment()
    plain = answers.strip_markers(record.text)
    answered = not record.abstained
    cites = answers.citation_scores(record.text, record.citations, entails) if answered else None
    contained = answers.containment(plain, reference) if answerable else None
    recall = answers.reference_recall(plain, reference) if answerable else None
    gold = answerable and bool(set(relevant) & set(record.context_documents))
    return {
        "token_f1": answers.token_f1(plain, reference) if answerable else None,
        "containment": contained,
        "reference_recall": recall,
        "containment_gold_retrieved": contained if gold else None,
        "reference_recall_gold_retrieved": recall if gold else None,
        "semantic_similarity": similarity if answerable else None,
        "citation_precision": cites.precision if cites else None,
        "citation_recall": cites.recall if cites else None,
        "groundedness": (
            answers.groundedness(record.text, record.citations, entails) if answered else None
        ),
        "abstention_accuracy": None if answerable else float(record.abstained),
        "answer_rate": float(answered) if answerable else None,
        "abstained": float(record.abstained),
        "leakage": float(bool(record.leaked)),
    }


def summarize(
    per_item: Sequence[Mapping[str, float | None]], metrics: Sequence[str], seed: int = 0
) -> dict[str, dict[str, Any]]:
    """Aggregate (mean, ci_low, ci_high, n, n_excluded) of each metric over the items."""
    out: dict[str, dict[str, Any]] = {}
    for metric in metrics:
        values = [item.get(metric) for item in per_item]
        agg = aggregate(values, seed=seed)
        if metric == "leakage":
            agg["total"] = int(sum(v for v in values if v))
        out[metric] = {k: _round(v) for k, v in agg.items()}
    return out


def calibrate(
    top_dense: Sequence[float | None],
    answerable: Sequence[bool],
    ungated_abstained: Sequence[bool],
    min_answer_rate: float = 0.9,
) -> dict[str, Any]:
    """Abstention accuracy and answer rate over thresholds; the best one at the answer-rate floor.

    An item abstains at threshold t when its top dense cosine is below t (the assistant's
    gate) or when the generator itself found no answer. The chosen threshold maximises
    abstention accuracy among those with answer rate >= `min_answer_rate` (ties: higher
    answer rate, then lower threshold); None when no threshold reaches the floor.
    """
    grid = [round(t, 2) for t in np.arange(0.0, 0.71, 0.01)]
    rows: list[dict[str, float | None]] = []
    for t in grid:
        outcomes = [
            answers.AbstentionOutcome(ok, gen or top is None or top < t)
            for top, ok, gen in zip(top_dense, answerable, ungated_abstained, strict=True)
        ]
        rows.append(
            {
                "threshold": t,
                "abstention_accuracy": answers.abstention_accuracy(outcomes),
                "answer_rate": answers.answer_rate(outcomes),
            }
        )
    eligible = [r for r in rows if (r["answer_rate"] or 0.0) >= min_answer_rate]
    best = max(
        eligible,
        key=lambda r: (r["abstention_accuracy"] or 0.0, r["answer_rate"] or 0.0, -r["threshold"]),  # type: ignore[operator]
        default=None,
    )
    return {"min_answer_rate": min_answer_rate, "curve": rows, "chosen": best}


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def by_tag(
    tags: Sequence[Sequence[str]],
    retrieval_items: Mapping[str, Sequence[Mapping[str, float | None]]],
    answer_items: Mapping[str, Sequence[Mapping[str, float | None]]],
) -> dict[str, dict[str, Any]]:
    """Per category tag (tags without ':'): nDCG@10 per retriever and answer means per generator."""
    names = sorted({t for item in tags for t in item if ":" not in t})
    out: dict[str, dict[str, Any]] = {}
    for tag in names:
        idx = [n for n, item in enumerate(tags) if tag in item]
        out[tag] = {
            "n": len(idx),
            "ndcg@10": {
                r: _mean([s[n]["ndcg@10"] for n in idx]) for r, s in retrieval_items.items()
            },
            "answers": {
                g: {m: _mean([s[n][m] for n in idx]) for m in ANSWER_METRICS}
                for g, s in answer_items.items()
            },
        }
    return out


def _mean(values: Sequence[float | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 4) if scored else None
