"""The app factory: `uvicorn service.main:create_app --factory`.

Nothing is built at import time; the lifespan builds the components once (database, index,
embedder, BM25 encoder, reranker, generators, retriever, experts, assistant, stores) and
closes them at shutdown; a background timer (service/timers.py) moves overdue expert requests
on and delivers due notifications while the app runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from core.config import Settings, apply_runtime_env, get_settings
from core.embedding import Embedder
from core.evalruns import EvalLauncher
from core.queue import uses_queue
from service.access_log import redact_access_log
from service.components import Components
from service.errors import install_error_handlers
from service.jsonlog import use_json_logs
from service.limits import BodyLimit, RequestGuard
from service.metrics import Metrics, MetricsMiddleware, RouteRecorder, router as metrics_router
from service.queue import QueueKeys, connect, one_at_a_time
from service.ratelimit import RateLimit, parse_limit
from service.routes import (
    ROUTERS,
    escalations as escalation_routes,
    evals as eval_routes,
    insights as insights_routes,
    moderation as moderation_routes,
    review as review_routes,
)
from service.timers import expert_tick, in_background, periodic

log = logging.getLogger(__name__)

DESCRIPTION = """Ask questions about your company's content and get answers with cited
passages and the people to contact. Every result is limited to what the caller may see.

Authentication: in `open` mode no key is needed (public content only); in `keys` mode send
`Authorization: Bearer <key>` or `X-API-Key: <key>`.
"""

TAGS = [
    {"name": "answers", "description": "Cited answers, streamed or whole, and feedback"},
    {"name": "search", "description": "Passage search with highlights and facets"},
    {"name": "people", "description": "The people directory and who knows what"},
    {"name": "experts", "description": "Ask an expert: escalate, route, inbox, answer"},
    {"name": "documents", "description": "Documents and their passages"},
    {"name": "moderation", "description": "Trainers verify and retire content; readers flag"},
    {"name": "ingestion", "description": "Ingestion jobs run by the service (admins)"},
    {"name": "admin", "description": "API keys (admins)"},
    {"name": "evals", "description": "Eval runs and their reports (trainers and admins)"},
    {"name": "insights", "description": "Topics, failure reasons, training needs (trainers)"},
    {"name": "health", "description": "Liveness, readiness, what is wrong, metrics"},
]


def _version() -> str:
    try:
        return version("watercooler")
    except PackageNotFoundError:
        return "0.0.0"


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    evals: EvalLauncher | None = None,
) -> FastAPI:
    """The Watercooler API over `settings` (from the environment when None).

    `embedder` lets a caller that already loaded the model share it (tests, notebooks);
    `evals` is the eval suite's launcher (`eval.launcher`): the /evals endpoints exist only
    with one (`python -m service serve` hands it in).
    """
    apply_runtime_env()  # before the lifespan loads torch (`uvicorn --factory` starts here)
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        components = Components.build(settings, embedder)
        app.state.components = components
        try:
            interval = settings.escalation.check_interval_s
            tick = expert_tick(components.expert_requests)
            if uses_queue(settings):  # several API processes: one runs each tick at a time
                tick = one_at_a_time(connect(settings), QueueKeys(settings.queue.name).timer, tick)
            async with (
                periodic(interval, tick),
                in_background(insights_routes.warm_up(app, components)),
            ):
                yield
        finally:
            components.close()

    app = FastAPI(
        title="Watercooler",
        version=_version(),
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # A redirect would be built from the Host header; RequestGuard drops the slash instead.
        redirect_slashes=False,
    )
    if settings.service.log_format == "json":
        use_json_logs()
    redact_access_log()
    install_error_handlers(app)
    app.add_middleware(RouteRecorder)  # innermost: the route, for MetricsMiddleware
    if settings.service.rate_limit:  # inside the metrics: a 429 is counted like any answer
        parse_limit(settings.service.rate_limit)  # a bad setting fails now, not on a request
        app.add_middleware(RateLimit, service=settings.service, auth=settings.auth)
    app.add_middleware(RequestGuard)
    app.add_middleware(BodyLimit, limit=settings.service.max_body_bytes)
    app.state.metrics = Metrics(lambda: getattr(app.state, "components", None))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    if settings.service.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.service.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    routers = (
        *ROUTERS,
        moderation_routes.router,
        review_routes.router,
        insights_routes.router,
        escalation_routes.router,
        metrics_router,
    )
    for router in routers:
        app.include_router(router)
    if evals is not None:
        app.include_router(eval_routes.router)
        app.state.eval_jobs = eval_routes.EvalJobs(evals)
    return app
