"""The facet cache: reuse per key, expiry, clearing, bounded size."""

from __future__ import annotations

import time

from service.facets import FacetCache


def test_computes_once_per_key_until_cleared() -> None:
    cache: FacetCache[int] = FacetCache()
    calls: list[str] = []

    def compute(key: str) -> int:
        calls.append(key)
        return len(calls)

    assert cache.get_or_compute(("a",), lambda: compute("a")) == 1
    assert cache.get_or_compute(("a",), lambda: compute("a")) == 1
    assert cache.get_or_compute(("b",), lambda: compute("b")) == 2
    cache.clear()
    assert cache.get_or_compute(("a",), lambda: compute("a")) == 3
    assert calls == ["a", "b", "a"]


def test_entries_expire() -> None:
    cache: FacetCache[float] = FacetCache(ttl_s=0.05)
    first = cache.get_or_compute("k", time.monotonic)
    time.sleep(0.06)
    assert cache.get_or_compute("k", time.monotonic) > first


def test_size_is_bounded_least_recently_used_first() -> None:
    cache: FacetCache[str] = FacetCache(max_entries=2)
    cache.get_or_compute(1, lambda: "one")
    cache.get_or_compute(2, lambda: "two")
    cache.get_or_compute(1, lambda: "again")  # touch 1: 2 is now the oldest
    cache.get_or_compute(3, lambda: "three")
    assert cache.get_or_compute(1, lambda: "recomputed") == "one"
    assert cache.get_or_compute(2, lambda: "recomputed") == "recomputed"
