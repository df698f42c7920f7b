"""What a run is asked to do: a dataset, retrievers, generators and an optional item limit."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import ConfigError
from core.evalreport import RETRIEVERS


@dataclass
class RunRequest:
    """What to run: a dataset, retrievers, generators and an optional item limit."""

    dataset: str
    retrievers: list[str] = field(default_factory=lambda: list(RETRIEVERS))
    generators: list[str] = field(default_factory=lambda: ["extractive"])
    limit: int | None = None

    def check(self) -> None:
        """Raise ConfigError for unknown retrievers or a bad limit."""
        unknown = [r for r in self.retrievers if r not in RETRIEVERS]
        if unknown or not self.retrievers:
            raise ConfigError(f"unknown retrievers {unknown}; choose from {', '.join(RETRIEVERS)}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("limit must be at least 1")
