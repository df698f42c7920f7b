"""The ingestion report: what a job did, per source, and what failed and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from core.api import IngestSummary


@dataclass
class SourceCounts:
    """Documents per outcome and chunks written, for one source (or all)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    chunks: int = 0

    def add(self, other: SourceCounts) -> None:
        """Accumulate another source's counts into this one."""
        for name in ("new", "changed", "unchanged", "deleted", "failed", "chunks"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Failure:
    """One item that could not be ingested, with the reason."""

    source: str
    path: str
    reason: str


@dataclass
class IngestReport:
    """Outcome of one ingestion job."""

    sources: dict[str, SourceCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)
    orphans_removed: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def counts(self, source: str) -> SourceCounts:
        """Counts of one source, created on first use."""
        return self.sources.setdefault(source, SourceCounts())

    @property
    def totals(self) -> SourceCounts:
        """Counts summed over every source."""
        total = SourceCounts()
        for counts in self.sources.values():
            total.add(counts)
        return total

    @property
    def chunks_per_s(self) -> float:
        """Chunks written per second of the whole job."""
        return self.totals.chunks / self.seconds if self.seconds else 0.0

    def summary(self) -> IngestSummary:
        """The report as the service returns it and the CLI and UI show it."""
        data = asdict(self)
        data["totals"] = asdict(self.totals)
        data["chunks_per_s"] = round(self.chunks_per_s, 2)
        return IngestSummary.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of `summary()` (stored with the run)."""
        return self.summary().model_dump(mode="json")
