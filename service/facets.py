"""Facet counts for /search, cached per caller access and filters.

Facets do not depend on the query text, only on what the caller may see and the filters, and
computing them exactly costs tens of milliseconds at 100k chunks. The cache is cleared whenever
an ingestion job in this service finishes (in-process jobs) or, with the queue, whenever the
index generation a worker bumps in Redis moves (read on every lookup, so every API process
sees a job's end at once); entries expire after `ttl_s` anyway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class FacetCache(Generic[T]):
    """A small thread-safe LRU cache with expiry, cleared when the index changes."""

    def __init__(
        self,
        ttl_s: float = 300.0,
        max_entries: int = 512,
        generation: Callable[[], int | None] | None = None,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.generation = generation  # the index's generation now; None when unknown
        self._seen: int | None = None
        self._entries: OrderedDict[Hashable, tuple[float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for `key`, computing (outside the lock) when missing or expired."""
        now = time.monotonic()
        generation = self.generation() if self.generation else None
        with self._lock:
            if generation is not None and generation != self._seen:
                self._entries.clear()  # a job ended somewhere since the last lookup
                self._seen = generation
            hit = self._entries.get(key)
            if hit and now - hit[0] < self.ttl_s:
                self._entries.move_to_end(key)
                return hit[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (after the index changed)."""
        with self._lock:
            self._entries.clear()
