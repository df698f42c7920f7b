"""The seam between the API and whatever runs ingestion jobs: the JobLauncher protocol.

Two adapters: `service.jobs.IngestJobs` runs a job on a thread of the API process (the
embedded Edge index admits one process, so its owner ingests), and `service.queue.QueueLauncher`
puts it on a Redis queue that `python -m service worker` processes run (server backend). Both
record a job as a RunStore row (status, report, error message and code); only where the stage
counters live differs (memory, or a Redis hash every API process reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.config import Settings


@dataclass
class StageCounter:
    """Progress of one pipeline stage: items done, and the total when known."""

    done: int = 0
    total: int | None = None


class JobLauncher(Protocol):
    """Starts ingestion jobs and reports the progress of the running one."""

    def start(self, source: str | None = None, config: Path | None = None) -> str:
        """Start a job over the sources of `config` (default ingest.config), or one; the run id.

        Raises JobRunningError while another job is queued or running, ConfigError for a bad
        sources file or an unknown source.
        """
        ...

    def running(self) -> str | None:
        """The id of the job queued or running now, if any."""
        ...

    def progress(self, run_id: str) -> dict[str, StageCounter]:
        """Stage counters of a job ({} when none are known)."""
        ...

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for this process's own running job to end; True when none is running here."""
        ...


def uses_queue(settings: Settings) -> bool:
    """Whether ingestion jobs go to the queue: queue.enabled, by default with a Qdrant server."""
    if settings.queue.enabled is not None:
        return settings.queue.enabled
    return settings.index.backend == "server"
