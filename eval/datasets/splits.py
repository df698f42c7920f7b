"""Fixed tuning/test halves of every dataset: thresholds are chosen on one, reported on the other.

    half(item_id, seed) = "tune" when sha256(key) is even, else "test"
    key = item_id for the golden set (the split docs/eval-defaults.md has used since v1),
          "<seed>:<item_id>" for every other set (the dataset's name as seed)

Items of `eval/datasets/golden/holdout-v1.jsonl` (questions a new user asked, written after the
defaults were chosen) are always in the test half.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, TypeVar

Half = Literal["tune", "test"]
HALVES: tuple[Half, ...] = ("tune", "test")
T = TypeVar("T")


def half(item_id: str, seed: str = "") -> Half:
    """The half an item belongs to (module docstring)."""
    key = f"{seed}:{item_id}" if seed else item_id
    return "tune" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def split(items: Sequence[T], key: Callable[[T], str], seed: str = "") -> dict[Half, list[T]]:
    """Items by half, in their original order."""
    out: dict[Half, list[T]] = {"tune": [], "test": []}
    for item in items:
        out[half(key(item), seed)].append(item)
    return out


def with_halves(base: str) -> tuple[str, ...]:
    """A set's dataset names: the whole set, then "<set>-tune" and "<set>-test"."""
    return (base, *(f"{base}-{h}" for h in HALVES))


def parse_half(dataset: str, bases: Iterable[str]) -> tuple[str, Half | None] | None:
    """(set, half or None for the whole set) of a dataset name among `bases`; None for others."""
    for base in bases:
        if dataset == base:
            return base, None
        for which in HALVES:
            if dataset == f"{base}-{which}":
                return base, which
    return None
