"""Time helpers core shares: UTC-aware datetimes and elapsed milliseconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The datetime, a naive one taken as UTC (as Qdrant reads naive payload strings)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def elapsed_ms(since: float, digits: int = 2) -> float:
    """Milliseconds since a `time.perf_counter()` reading, rounded."""
    return round((time.perf_counter() - since) * 1000, digits)
