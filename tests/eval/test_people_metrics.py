"""People-to-contact metrics on hand-computed cases."""

from __future__ import annotations

from eval.metrics.people import mrr, precision_at_1, recall_at_k

RANKED = ["p2", "p1", "p3", "p4"]
EXPECTED = {"p1", "p4"}


def test_hand_computed() -> None:
    assert precision_at_1(RANKED, EXPECTED) == 0.0  # p2 is not expected
    assert recall_at_k(RANKED, EXPECTED) == 0.5  # top 3 holds p1, not p4: 1/2
    assert recall_at_k(RANKED, EXPECTED, k=4) == 1.0
    assert mrr(RANKED, EXPECTED) == 0.5  # p1 at rank 2
    assert precision_at_1(["p1"], EXPECTED) == 1.0


def test_expected_person_beyond_k_still_counts_for_mrr() -> None:
    assert mrr(["a", "b", "c", "d", "p4"], EXPECTED) == 0.2  # rank 5


def test_empty_and_duplicates() -> None:
    assert precision_at_1([], EXPECTED) == 0.0
    assert recall_at_k([], EXPECTED) == 0.0
    assert mrr([], EXPECTED) == 0.0
    # [p2, p2, p2, p1] counts as [p2, p1]: p1 is within the top 3
    assert recall_at_k(["p2", "p2", "p2", "p1"], {"p1"}) == 1.0
    assert mrr(["p2", "p2", "p1"], {"p1"}) == 0.5


def test_nobody_expected_is_not_scored() -> None:
    assert precision_at_1(RANKED, set()) is None
    assert recall_at_k(RANKED, []) is None
    assert mrr(RANKED, ()) is None
