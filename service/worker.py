"""One background run at a time on a daemon thread: what ingestion jobs and eval runs share."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from core.errors import JobRunningError


class BackgroundRun:
    """Starts a run on a worker thread unless one is alive; says which one runs; waits."""

    def __init__(self, busy: str) -> None:
        self.busy = busy  # the refusal, with {run} for the running run's id
        self.lock = threading.Lock()  # held by callers around check_idle() ... launch()
        self._thread: threading.Thread | None = None
        self._current: str | None = None

    def _alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def check_idle(self) -> None:
        """Raise JobRunningError while a run is alive (call with `lock` held)."""
        if self._alive():
            raise JobRunningError(self.busy.format(run=self._current))

    def launch(self, run_id: str, target: Callable[..., None], *args: Any, name: str) -> None:
        """Run `target(*args)` on a new daemon thread as `run_id` (call with `lock` held)."""
        self._current = run_id
        self._thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._thread.start()

    def running(self) -> str | None:
        """The id of the run that is alive, if any."""
        with self.lock:
            return self._current if self._alive() else None

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for the run to end; True when none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
            return not thread.is_alive()
        return True
