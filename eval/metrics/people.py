"""People-to-contact metrics: a ranked list of person ids against the set of expected people.

Each is the retrieval metric of the same name with every expected person judged relevant
(grade 1), so duplicates count once and an empty expected set gives None (not scored).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from eval.metrics import retrieval


def _judged(expected: Collection[str]) -> dict[str, int]:
    return dict.fromkeys(expected, 1)


def precision_at_1(ranked: Sequence[str], expected: Collection[str]) -> float | None:
    """1.0 if the first person named is an expected one, else 0.0."""
    return retrieval.precision_at_k(ranked, _judged(expected), 1)


def recall_at_k(ranked: Sequence[str], expected: Collection[str], k: int = 3) -> float | None:
    """Share of the expected people named in the top k."""
    return retrieval.recall_at_k(ranked, _judged(expected), k)


def mrr(ranked: Sequence[str], expected: Collection[str]) -> float | None:
    """Reciprocal rank of the first expected person in the whole list (0 if none)."""
    return retrieval.mrr_at_k(ranked, _judged(expected), max(len(ranked), 1))
