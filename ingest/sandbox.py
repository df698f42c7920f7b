"""Parsing under a time and a memory limit, in a worker process the job can kill.

Parser libraries run on file bytes anyone may have written: one hostile file must cost a
report line, not the job. So a job parses in one long-lived worker process (started with
'spawn': it shares nothing with the embedding model's process). The worker imports the parser
libraries, then caps its data segment (RLIMIT_DATA) at what they use plus the memory limit. A
parse that does not answer within the time limit is killed; one that runs out of memory raises
MemoryError in the worker, or the worker dies. Either way the file is reported as a
SourceError ("took longer than 60 s", "used more than 2048 MB") and the next file gets a fresh
worker. A worker is long-lived because starting a process per file would cost more than most
files take to parse; parse_pool.py runs several sandboxes side by side, one per pool thread.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from core.errors import SourceError

log = logging.getLogger(__name__)

T = TypeVar("T")
_OK, _FAILED, _MEMORY, _READY = "ok", "failed", "memory", "ready"
_START_TIMEOUT_S = 300  # spawning and importing: minutes only on a machine under heavy load
_PARSER_MODULES = (
    "ingest.connectors",
    "unstructured.partition.md",
    "unstructured.partition.html",
    "unstructured.partition.docx",
    "unstructured.partition.pptx",
)


@dataclass(frozen=True)
class Limits:
    """What one parse may use."""

    timeout_s: float
    memory_mb: int


class Sandbox:
    """A worker process running picklable callables under `Limits`; replaced after a breach."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def run(self, label: str, task: Callable[..., T], *args: Any) -> T:
        """`task(*args)` in the worker; its SourceError (or a breached limit) as a SourceError.

        `label` names the item in errors (a file path). `task` and `args` must pickle.
        """
        try:
            conn = self._connect()
            try:
                conn.send((task, args))
            except OSError:  # the worker died after its last answer: one fresh worker
                self._stop()
                conn = self._connect()
                conn.send((task, args))
        except (OSError, EOFError) as exc:
            self._stop()
            raise SourceError(label, f"cannot start the parser: {exc}") from exc
        if not conn.poll(self.limits.timeout_s):
            self.close()
            raise SourceError(
                label,
                f"took longer than {self.limits.timeout_s:g} s to parse (ingest.parse_timeout_s)",
            )
        try:
            status, value = conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            raise SourceError(
                label,
                f"the parser stopped ({_exit(code)}), probably out of memory: it may use "
                f"{self.limits.memory_mb} MB (ingest.parse_memory_mb)",
            ) from None
        if status == _OK:
            return value
        if status == _MEMORY:
            self.close()  # a worker that ran out of memory may be left in a bad state
            raise SourceError(label, self._memory_words)
        raise SourceError(label, value)

    @property
    def _memory_words(self) -> str:
        return f"used more than {self.limits.memory_mb} MB to parse (ingest.parse_memory_mb)"

    def close(self) -> None:
        """Stop the worker (the next `run` starts a new one)."""
        self._stop()

    def start(self) -> None:
        """Start the worker now, if it is not running (`run` would start it anyway)."""
        try:
            self._connect()
        except (OSError, EOFError):
            self._stop()  # the next `run` retries and reports it against its file

    def interrupt(self) -> None:
        """Kill the worker from another thread: a `run` waiting on it fails; `close` reaps it."""
        process = self._process
        try:
            if process is not None and process.is_alive():
                process.kill()
        except ValueError:  # closed by its own thread meanwhile
            pass

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(child, self.limits.memory_mb << 20),
            name="ingest-parser",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        # The worker imports the parser libraries first: that is not any file's parse time.
        if not parent.poll(_START_TIMEOUT_S) or parent.recv() != _READY:
            self._stop()
            raise OSError(f"the parser process did not start within {_START_TIMEOUT_S} s")
        log.debug("parser process started", extra={"pid": process.pid})
        return parent

    def _stop(self) -> int | None:
        """Kill and reap the worker; its exit code (None if there was none)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
        code = process.exitcode
        process.close()
        return code


def _serve(conn: Connection, memory_bytes: int) -> None:
    """The worker's loop: run each task it is sent and answer (status, value)."""
    _warm_up()
    limit = _data_bytes() + memory_bytes  # what a parse may allocate beyond the libraries
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    conn.send(_READY)
    while True:
        try:
            task, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = (_OK, task(*args))
            conn.send(answer)
            continue
        except SourceError as exc:
            answer = (_FAILED, exc.reason)
        except MemoryError:
            answer = (_MEMORY, None)
        except Exception as exc:  # any parser failure is this file's problem
            answer = (_FAILED, f"cannot parse: {exc or type(exc).__name__}")
        del task, args
        conn.send(answer)


def _warm_up() -> None:
    """Import the parser libraries the connectors load lazily (seconds, once per worker)."""
    import importlib

    for module in _PARSER_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:  # files of that format will fail with the reason
            log.debug("parser library not loaded", extra={"module": module})


def _data_bytes() -> int:
    """This process's data segment now (Linux; 0 where /proc cannot tell)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _exit(code: int | None) -> str:
    if code is None:
        return "no exit status"
    return f"signal {-code}" if code < 0 else f"exit status {code}"
