"""The ingestion report: what a job did, per source, and what failed and why."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.api import IngestFailure as Failure, IngestSummary, IngestWarning, SourceCounts
from core.schema import Document

__all__ = ["Failure", "IngestReport", "IngestWarning", "SourceCounts"]

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """Outcome of one ingestion job."""

    sources: dict[str, SourceCounts] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[Failure] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)
    orphans_removed: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def counts(self, source: str) -> SourceCounts:
        """Counts of one source, created on first use."""
        return self.sources.setdefault(source, SourceCounts())

    def warn_metadata(self, source: str, path: str, docs: Iterable[Document]) -> None:
        """Record the metadata values a file's documents were ingested without."""
        for doc in docs:
            for w in doc.warnings:
                self.warnings.append(
                    IngestWarning(
                        source=source, path=path, field=w.field, value=w.value, reason=w.reason
                    )
                )
                log.warning(
                    "metadata value left out",
                    extra={"source": source, "path": path, "field": w.field, "why": w.reason},
                )

    @property
    def totals(self) -> SourceCounts:
        """Counts summed over every source."""
        total = SourceCounts()
        for counts in self.sources.values():
            for name, value in counts:
                setattr(total, name, getattr(total, name) + value)
        return total

    @property
    def chunks_per_s(self) -> float:
        """Chunks written per second of the whole job."""
        return self.totals.chunks / self.seconds if self.seconds else 0.0

    def summary(self) -> IngestSummary:
        """The report as the service returns it and the CLI and UI show it."""
        return IngestSummary(
            sources=self.sources,
            failures=self.failures,
            notes=self.notes,
            warnings=self.warnings,
            unknown_people=self.unknown_people,
            orphans_removed=self.orphans_removed,
            seconds=self.seconds,
            embed_seconds=self.embed_seconds,
            totals=self.totals,
            chunks_per_s=round(self.chunks_per_s, 2),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of `summary()` (stored with the run)."""
        return self.summary().model_dump(mode="json")
