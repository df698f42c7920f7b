"""`GET /metrics` in the Prometheus text format (prometheus-client).

    watercooler_http_requests_total{method,route,status}      requests, by route *template*
    watercooler_http_request_duration_seconds{method,route}   latency histogram
    watercooler_answers_total{outcome}                        answered / abstained (question log)
    watercooler_ingest_runs_total{status}                     ingest runs by final status
    watercooler_ingest_last_run_chunks / _seconds / _chunks_per_second   the last finished run
    watercooler_ingest_running                                1 while an ingest job runs
    watercooler_queue_depth                                   jobs waiting, when a queue exists

Request figures are this process's (each replica is scraped on its own); the uvicorn workers
of one `serve --workers N` share them through prometheus-client's multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR`, set by `serve`), so any worker's /metrics covers all of them.
Answers and ingestion are read from the database at scrape time, so they count what every
process and worker did and survive restarts. The queue depth is the length of the job
launcher's RQ queue (service/queue.py), or what its `queue_depth()` says; without a queue the
series is absent.

Unmatched paths are counted under route `unmatched`, so a scanner cannot grow the label set.
In keys mode the endpoint answers admins only (Prometheus sends a key with `authorization`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.auth import require_role
from core.db.tables import IngestRun, QuestionRecord
from core.errors import AuthenticationError, WatercoolerError
from service.components import Components
from service.deps import OptionalCallerDep

log = logging.getLogger(__name__)

UNMATCHED = "unmatched"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
ROUTE_SLOT = "watercooler.route"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

router = APIRouter(tags=["health"])


class Metrics:
    """One app's registry: request metrics it records, store metrics read when scraped."""

    def __init__(self, components: Callable[[], Components | None]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "watercooler_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "watercooler_http_request_duration_seconds",
            "HTTP request latency by route template (until the last byte is sent)",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.store = StoreCollector(components)
        self.registry.register(self.store)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The metrics in the Prometheus text format (every worker's, in multiprocess mode)."""
        if not os.environ.get(MULTIPROCESS_ENV):
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(self.store)
        return generate_latest(registry)


@contextmanager
def shared_between_workers() -> Iterator[None]:
    """For `serve --workers N`: the workers write their request metrics to one folder (a
    fresh one, removed afterwards, unless PROMETHEUS_MULTIPROC_DIR is set already)."""
    if os.environ.get(MULTIPROCESS_ENV):
        yield
        return
    folder = tempfile.mkdtemp(prefix="watercooler-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder  # the workers inherit it before they import us
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


class StoreCollector(Collector):
    """Answers, abstentions and ingestion throughput, read from the database at scrape time."""

    def __init__(self, components: Callable[[], Components | None]) -> None:
        self._components = components

    def describe(self) -> list[Metric]:
        """Nothing to describe up front (the series depend on the database)."""
        return []

    def collect(self) -> Iterator[Metric]:
        """The series; a database that does not answer leaves them out (and is logged)."""
        c = self._components()
        if c is None:
            return
        try:
            yield from _answers(c)
            yield from _ingestion(c)
        except WatercoolerError as exc:
            log.warning("metrics: the database did not answer", extra={"error": str(exc)})
        yield from _jobs(c)


def _answers(c: Components) -> Iterator[Metric]:
    with c.db.session("metrics: answers") as session:
        rows = session.execute(
            select(QuestionRecord.abstained, func.count()).group_by(QuestionRecord.abstained)
        ).all()
    family = CounterMetricFamily(
        "watercooler_answers",
        "Questions answered or abstained (the question log)",
        labels=["outcome"],
    )
    counts = {bool(abstained): n for abstained, n in rows}
    family.add_metric(["answered"], counts.get(False, 0))
    family.add_metric(["abstained"], counts.get(True, 0))
    yield family


def _ingestion(c: Components) -> Iterator[Metric]:
    with c.db.session("metrics: ingestion") as session:
        by_status = session.execute(
            select(IngestRun.status, func.count()).group_by(IngestRun.status)
        ).all()
        last = session.scalars(
            select(IngestRun)
            .where(IngestRun.status == "succeeded")
            .order_by(IngestRun.finished.desc())
            .limit(1)
        ).first()
        report: dict[str, Any] = dict(last.report or {}) if last is not None else {}
    runs = CounterMetricFamily(
        "watercooler_ingest_runs", "Ingest runs by status", labels=["status"]
    )
    for status, n in sorted(by_status):
        runs.add_metric([status], n)
    yield runs
    if report:
        chunks = float((report.get("totals") or {}).get("chunks", 0))
        seconds = float(report.get("seconds", 0.0))
        yield _gauge("watercooler_ingest_last_run_chunks", "Chunks written by the last run", chunks)
        yield _gauge("watercooler_ingest_last_run_seconds", "Duration of the last run", seconds)
        yield _gauge(
            "watercooler_ingest_last_run_chunks_per_second",
            "Ingestion throughput of the last successful run",
            chunks / seconds if seconds else 0.0,
        )


def _jobs(c: Components) -> Iterator[Metric]:
    try:
        running = c.jobs.running()
    except WatercoolerError as exc:
        log.warning("metrics: the job runner did not answer", extra={"error": str(exc)})
        return
    yield _gauge("watercooler_ingest_running", "1 while an ingest job runs", float(bool(running)))
    depth = queue_depth(c.jobs)
    if depth is not None:
        yield _gauge("watercooler_queue_depth", "Jobs waiting in the queue", float(depth))


def queue_depth(jobs: object) -> int | None:
    """Jobs waiting: a launcher's `queue_depth()`, or the length of its RQ `queue`; else None."""
    try:
        hook = getattr(jobs, "queue_depth", None)
        if callable(hook):
            return int(hook())
        queue = getattr(jobs, "queue", None)
        return int(queue.count) if queue is not None else None
    except Exception as exc:  # a Redis that does not answer: the series is left out this time
        log.warning("metrics: cannot read the queue depth", extra={"error": repr(exc)})
        return None


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class MetricsMiddleware:
    """Times every HTTP request and counts it under its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request; count it once its response is sent (or it failed)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        scope[ROUTE_SLOT] = {}  # RouteRecorder fills it
        status = 500  # an exception before the response started is the error handler's 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            template = route_template(scope)
            self.metrics.observe(scope["method"], template, status, time.perf_counter() - start)


def route_template(scope: Scope) -> str:
    """The template of the route that served the request, or `unmatched`."""
    route = scope.get("route") or scope.get(ROUTE_SLOT, {}).get("route")
    return str(getattr(route, "path", None) or UNMATCHED)


class RouteRecorder:
    """Innermost: notes the route the router chose where MetricsMiddleware can read it.

    A middleware between them may route a copy of the scope (RequestGuard does, to drop a
    trailing slash); the slot is one dict shared by every copy.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; then keep its route in the shared slot."""
        try:
            await self.app(scope, receive, send)
        finally:
            slot = scope.get(ROUTE_SLOT)
            if isinstance(slot, dict):
                slot["route"] = scope.get("route")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Request counts and latency per route, answers and abstentions, ingestion "
    "throughput, queue depth. Open mode: anyone; keys mode: admins.",
    response_class=Response,
)
def metrics(request: Request, caller: OptionalCallerDep) -> Response:
    """The metrics in the Prometheus text format."""
    if request.app.state.components.settings.service.auth_mode == "keys":
        if caller is None:
            raise AuthenticationError("metrics need an admin key or token in keys mode")
        require_role(caller, "admin")
    found: Metrics = request.app.state.metrics
    return Response(found.render(), media_type=CONTENT_TYPE_LATEST)
