"""HTTP side of the service benchmark: the service in a subprocess, timed requests, load.

ServiceProcess   `python -m service serve` on a free loopback port, with settings given as
                 WATERCOOLER_* variables only (the caller's environment and any .env are left
                 out, so the run is hermetic); stopped with SIGINT (a clean lifespan shutdown)
sequential       one request at a time over a keep-alive connection, latency per request
load_run         N concurrent clients (asyncio + httpx) for D seconds, a fixed mix of requests
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import numpy as np

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Call:
    """One request: GET /search?q= or POST /ask {question}."""

    endpoint: str  # "search" or "ask"
    question: str

    def send(self, client: httpx.Client) -> httpx.Response:
        """Send it with a synchronous client."""
        if self.endpoint == "search":
            return client.get("/search", params={"q": self.question})
        return client.post("/ask", json={"question": self.question})

    async def asend(self, client: httpx.AsyncClient) -> httpx.Response:
        """Send it with an asynchronous client."""
        if self.endpoint == "search":
            return await client.get("/search", params={"q": self.question})
        return await client.post("/ask", json={"question": self.question})


def calls(endpoint: str, questions: Sequence[str], n: int, offset: int = 0) -> list[Call]:
    """`n` calls to one endpoint, cycling through the questions from `offset`."""
    return [Call(endpoint, questions[(offset + i) % len(questions)]) for i in range(n)]


def summary(latencies_s: Sequence[float]) -> dict[str, float | int]:
    """n, p50, p95, mean and max in milliseconds."""
    ms = np.asarray(latencies_s, dtype=np.float64) * 1000
    if not len(ms):
        return {"n": 0}
    return {
        "n": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "mean_ms": round(float(ms.mean()), 2),
        "max_ms": round(float(ms.max()), 2),
    }


class ServiceProcess:
    """The Watercooler service in a child process (a context manager)."""

    def __init__(self, data_dir: Path, log_file: Path, settings: dict[str, str] | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATERCOOLER_")}
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
                "WATERCOOLER_DATA_DIR": str(data_dir),
                "WATERCOOLER_SERVICE__HOST": "127.0.0.1",
                "WATERCOOLER_SERVICE__PORT": str(self.port),
                "WATERCOOLER_SERVICE__AUTH_MODE": "open",
                # Questions are cycled, so a larger cache would answer repeats from memory:
                # with one entry, each request embeds its question as a new question would
                # (and /ask reuses it between retrieval and the extractive generator).
                "WATERCOOLER_EMBEDDING__QUERY_CACHE_SIZE": "1",
                **(settings or {}),
            }
        )
        self._env = env
        self._cwd = data_dir.parent  # holds no .env file
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServiceProcess:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as out:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "service", "serve"],
                cwd=self._cwd,
                env=self._env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started = time.perf_counter()
        self._wait_healthy()
        self.start_s = time.perf_counter() - started
        log.info("service up", extra={"url": self.url, "seconds": round(self.start_s, 1)})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the service to shut down (SIGINT), kill it if it does not."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log.warning("service did not stop; killing it", extra={"pid": proc.pid})
            proc.kill()
            proc.wait()

    def client(self) -> httpx.Client:
        """A keep-alive client to the service."""
        return httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT_S)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                raise RuntimeError(f"the service exited at start-up:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=5.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the service did not become healthy:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the service's log."""
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Timed:
    """Latencies of successful calls, the failures, and the server-side timings."""

    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stages_ms: dict[str, list[float]] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        """Latency summary, error count, and the median of each server-side stage."""
        stages = {k: round(float(np.median(v)), 2) for k, v in self.stages_ms.items()}
        return {**summary(self.latencies_s), "errors": len(self.errors), "stages_p50_ms": stages}

    def record(self, call: Call, response: httpx.Response, seconds: float) -> None:
        """Keep a 200's latency and timings; anything else is an error."""
        if response.status_code != 200:
            self.errors.append(f"{call.endpoint} {response.status_code}: {response.text[:200]}")
            return
        self.latencies_s.append(seconds)
        for stage, ms in _stages(call, response.json()):
            self.stages_ms.setdefault(stage, []).append(ms)


def _stages(call: Call, body: dict[str, Any]) -> Iterator[tuple[str, float]]:
    """The server's own stage timings (retrieval for /search; retrieve/generate/... for /ask)."""
    for stage, ms in (body.get("timings_ms") or {}).items():
        if isinstance(ms, int | float):
            yield stage, float(ms)


def sequential(client: httpx.Client, batch: Sequence[Call], warmup: Sequence[Call]) -> Timed:
    """Send the warm-up calls (untimed), then each call in turn, timing it."""
    for call in warmup:
        call.send(client).raise_for_status()
    timed = Timed()
    for call in batch:
        started = time.perf_counter()
        try:
            response = call.send(client)
        except httpx.HTTPError as exc:
            timed.errors.append(f"{call.endpoint}: {exc!r}")
            continue
        timed.record(call, response, time.perf_counter() - started)
    return timed


def load_run(url: str, mix: Sequence[Call], clients: int, duration_s: float) -> dict[str, Any]:
    """`clients` concurrent clients sending `mix` in turn for `duration_s` seconds."""
    return asyncio.run(_load(url, mix, clients, duration_s))


async def _load(url: str, mix: Sequence[Call], clients: int, duration_s: float) -> dict[str, Any]:
    by_endpoint: dict[str, Timed] = {}
    cursor = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + duration_s

        async def worker() -> None:
            nonlocal cursor
            while time.perf_counter() < deadline:
                call = mix[cursor % len(mix)]
                cursor += 1
                timed = by_endpoint.setdefault(call.endpoint, Timed())
                sent = time.perf_counter()
                try:
                    response = await call.asend(client)
                except httpx.HTTPError as exc:
                    timed.errors.append(f"{call.endpoint}: {exc!r}")
                    continue
                timed.record(call, response, time.perf_counter() - sent)

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    done = sum(len(t.latencies_s) for t in by_endpoint.values())
    everything = [s for t in by_endpoint.values() for s in t.latencies_s]
    errors = [e for t in by_endpoint.values() for e in t.errors]
    return {
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "requests_ok": done,
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_rps": round(done / elapsed, 1),
        "all": summary(everything),
        **{endpoint: t.figures() for endpoint, t in sorted(by_endpoint.items())},
    }
