"""A bounded pool of parse workers whose results come back in the order files were submitted.

Each pool thread owns one `Sandbox` (one spawn worker process under the per-file time and
memory limits), so N threads parse N files at once while the job's other threads chunk, embed
and write. The job keeps at most `window` files in flight and takes their results in file
order: reports, manifests and chunk ids come out the same whatever the number of workers.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from core.errors import SourceError
from ingest.sandbox import Limits, Sandbox

log = logging.getLogger(__name__)

T = TypeVar("T")


def default_parse_workers(encoder_device: str) -> int:
    """Cores left beside the encoder: all but the encoder's threads on a CPU, all but one on a
    GPU (the thread that feeds it); at least one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    if encoder_device.startswith("cuda"):
        return max(1, cores - 1)
    torch = sys.modules.get("torch")  # loaded with the embedder; never imported for this
    encoder_threads = torch.get_num_threads() if torch is not None else cores
    return max(1, cores - encoder_threads)


class ParsePool:
    """`workers` sandboxes behind a thread pool; `submit` returns a future of `task(*args)`."""

    def __init__(self, limits: Limits, workers: int) -> None:
        self.limits = limits
        self.workers = max(1, workers)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="ingest-parse")
        self._local = threading.local()
        self._boxes: list[Sandbox] = []
        self._lock = threading.Lock()

    def submit(self, label: str, task: Callable[..., T], *args: Any) -> Future[tuple[T, float]]:
        """Parse in the next free worker: a future of (result, seconds the parse took), which
        raises SourceError as `Sandbox.run` does."""
        return self._executor.submit(self._run, label, task, args)

    def _run(self, label: str, task: Callable[..., T], args: tuple[Any, ...]) -> tuple[T, float]:
        box: Sandbox | None = getattr(self._local, "box", None)
        if box is None:  # a worker process per pool thread, started on its first file
            box = self._local.box = Sandbox(self.limits)
            with self._lock:
                self._boxes.append(box)
            box.start()  # not counted as the first file's parse time
        started = time.perf_counter()
        value = box.run(label, task, *args)
        return value, time.perf_counter() - started

    def close(self) -> None:
        """Stop every worker process, including one in the middle of a parse."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            boxes = list(self._boxes)
        for box in boxes:
            box.interrupt()  # a thread waiting on its worker sees it die and returns
        self._executor.shutdown(wait=True)
        for box in boxes:
            box.close()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_each(task: Callable[[Any], T], items: list[Any]) -> list[tuple[bool, T | str, float]]:
    """`task` on each item, in a worker: (True, result, seconds) or (False, why it failed, s).

    Many small files go to a worker in one round trip this way; a limit the group breaks as a
    whole (time, memory, a crash) is for the caller to attribute, file by file.
    """
    out: list[tuple[bool, T | str, float]] = []
    for item in items:
        started = time.perf_counter()
        try:
            value = task(item)
            out.append((True, value, time.perf_counter() - started))
        except SourceError as exc:
            out.append((False, exc.reason, 0.0))
        except MemoryError:
            raise
        except Exception as exc:  # as the sandbox words a parser's failure
            out.append((False, f"cannot parse: {exc or type(exc).__name__}", 0.0))
    return out


class InOrder(Generic[T]):
    """Items submitted in order, taken back in the same order once at most `window` wait."""

    def __init__(self, window: int) -> None:
        self.window = max(1, window)
        self._waiting: deque[T] = deque()

    def put(self, item: T) -> list[T]:
        """Queue an item; the oldest ones due (beyond the window), to finish now in order."""
        self._waiting.append(item)
        due = []
        while len(self._waiting) > self.window:
            due.append(self._waiting.popleft())
        return due

    def drain(self) -> list[T]:
        """Every waiting item, oldest first."""
        due = list(self._waiting)
        self._waiting.clear()
        return due
