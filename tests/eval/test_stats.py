"""Bootstrap intervals and per-item aggregation."""

from __future__ import annotations

import pytest

from eval.metrics.stats import aggregate, bootstrap_ci

VALUES = [0.0, 1.0, 1.0, 0.5, 0.25, 0.75, 1.0, 0.0, 0.5, 1.0]


def test_deterministic_with_the_seed() -> None:
    assert bootstrap_ci(VALUES, seed=7) == bootstrap_ci(VALUES, seed=7)
    assert bootstrap_ci(VALUES, seed=7) != bootstrap_ci(VALUES, seed=8)


def test_interval_contains_the_mean() -> None:
    mean, low, high = bootstrap_ci(VALUES)
    assert mean == pytest.approx(0.6)  # 6.0 / 10
    assert mean is not None and low is not None and high is not None
    assert low <= mean <= high
    assert 0.0 <= low < high <= 1.0


def test_interval_narrows_with_more_data() -> None:
    _, low_small, high_small = bootstrap_ci([0.0, 1.0] * 10)
    _, low_large, high_large = bootstrap_ci([0.0, 1.0] * 500)
    assert low_small is not None and high_small is not None
    assert low_large is not None and high_large is not None
    assert high_large - low_large < (high_small - low_small) / 3  # ~1/sqrt(50) as wide


def test_two_values_hand_computed() -> None:
    # Resample means of [0, 1] are 0, 0.5, 1 with probability 1/4, 1/2, 1/4; the 2.5th and
    # 97.5th percentiles fall inside the 0 and 1 masses.
    assert bootstrap_ci([0.0, 1.0]) == (0.5, 0.0, 1.0)


def test_edges() -> None:
    assert bootstrap_ci([]) == (None, None, None)
    assert bootstrap_ci([0.7]) == (0.7, 0.7, 0.7)
    assert bootstrap_ci([0.3, 0.3, 0.3]) == pytest.approx((0.3, 0.3, 0.3))
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci(VALUES, confidence=1.0)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_ci(VALUES, n_resamples=0)
    with pytest.raises(ValueError, match="finite"):
        bootstrap_ci([0.5, float("nan")])


def test_aggregate_leaves_out_none() -> None:
    summary = aggregate([1.0, None, 0.0, None])
    assert summary["mean"] == 0.5
    assert summary["n"] == 2
    assert summary["n_excluded"] == 2
    assert (summary["ci_low"], summary["ci_high"]) == (0.0, 1.0)
    assert aggregate([None]) == {
        "mean": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
        "n_excluded": 1,
    }
