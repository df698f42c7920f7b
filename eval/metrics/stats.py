"""Aggregates of per-item scores: the mean with a percentile-bootstrap confidence interval.

Per-item values of None (items a metric cannot score, such as a query without relevant
documents) are left out and counted in `n_excluded`. The bootstrap is seeded, so a report
is reproducible; a single value gives a zero-width interval, no values give Nones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bootstrap_ci(
    values: Sequence[float],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high): the sample mean and a percentile-bootstrap interval for it."""
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    if not values:
        return None, None, None
    data = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(data)):
        raise ValueError("values must be finite; mark items that cannot be scored None")
    mean = float(data.mean())
    if data.size == 1:
        return mean, mean, mean
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, data.size, size=(n_resamples, data.size))
    means = data[samples].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return mean, float(low), float(high)


def aggregate(
    per_item: Sequence[float | None],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, float | int | None]:
    """Mean, bootstrap interval and counts of the scored (not None) items."""
    scored = [float(v) for v in per_item if v is not None]
    mean, low, high = bootstrap_ci(scored, n_resamples, confidence, seed)
    return {
        "mean": mean,
        "ci_low": low,
        "ci_high": high,
        "n": len(scored),
        "n_excluded": len(per_item) - len(scored),
    }
