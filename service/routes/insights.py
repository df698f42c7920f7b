"""Insights for trainers: topics of the question log, why they fail, training needs.

    GET /insights                          the topics of the period (`days`, default
                                           insights.period_days)
    GET /insights/topics/{id}              one topic and its questions (askers never named)
    GET /insights/training-needs           the training-needs report; format=json|csv|md
    GET /insights/catalogue                the training catalogue's programs

Trainers and admins only. Documents the caller may not see are counted, never named. The
training catalogue is the sources file's `training:` file (none: every need is a new program).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, Response

from core.api import InsightsReport, TopicDetail, TrainingNeeds, TrainingProgram
from core.auth import require_role
from core.config import Settings
from core.db.insights import InsightsStore
from core.insights.catalogue import Program, load_catalogue
from core.insights.engine import Insights
from core.insights.lookups import StoreLookups
from core.insights.needs import to_csv, to_markdown
from core.schema import Principal
from core.sources import load_sources
from service.components import Components
from service.deps import CallerDep, ComponentsDep
from service.errors import ERROR_RESPONSES

router = APIRouter(prefix="/insights", tags=["insights"])
_build_lock = threading.Lock()

Days = Annotated[
    int | None, Query(ge=7, le=3650, description="the period: this many days back from now")
]


def get_trainer(caller: CallerDep) -> Principal:
    """The caller, who must be a trainer or an admin."""
    require_role(caller, "trainer")
    return caller


def engine_for(app: FastAPI, c: Components) -> Insights:
    """The app's insights engine, built on first use and kept with the app."""
    with _build_lock:
        engine: Insights | None = getattr(app.state, "insights", None)
        if engine is None:
            engine = Insights(
                InsightsStore(c.db),
                c.embedder,
                StoreLookups(c.manifest, c.moderation, c.people),
                c.settings.insights,
            )
            app.state.insights = engine
        return engine


def get_insights(request: Request, c: ComponentsDep) -> Insights:
    """The insights engine."""
    return engine_for(request.app, c)


def warm_up(app: FastAPI, c: Components) -> Callable[[], None] | None:
    """The start-up job that prepares the default period's report (insights.prepare_on_start):
    the first open after a restart then only summarises."""
    if not c.settings.insights.prepare_on_start:
        return None

    def job() -> None:
        engine_for(app, c).prepare(datetime.now(UTC))

    return job


TrainerDep = Annotated[Principal, Depends(get_trainer)]
InsightsDep = Annotated[Insights, Depends(get_insights)]


@router.get(
    "",
    response_model=InsightsReport,
    summary="Topics people ask about",
    description="The logged questions of the period clustered into topics, each with its "
    "volume, weekly trend, outcomes, failure reasons, cited documents, experts and teams "
    "(teams of at least insights.k_anonymity askers). An empty or small log gives no topics "
    "and a message.",
    responses=ERROR_RESPONSES,
)
def report(caller: TrainerDep, insights: InsightsDep, days: Days = None) -> InsightsReport:
    """The topics of the period."""
    return insights.report(caller, datetime.now(UTC), days)


@router.get(
    "/topics/{topic_id}",
    response_model=TopicDetail,
    summary="One topic and its questions",
    responses=ERROR_RESPONSES,
)
def topic(
    topic_id: int, caller: TrainerDep, insights: InsightsDep, days: Days = None
) -> TopicDetail:
    """A topic with its questions, newest first, each with its outcome and reason."""
    return insights.topic(caller, topic_id, datetime.now(UTC), days)


@router.get(
    "/training-needs",
    response_model=TrainingNeeds,
    summary="Training needs: programs to create and to change",
    description="Topics with sustained demand and failures and no matching program (new "
    "program needed), and matched programs whose topic fails (program to change), ranked by "
    "score. `format=csv` or `md` downloads the same report.",
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/csv": {}, "text/markdown": {}}},
    },
)
def training_needs(
    caller: TrainerDep,
    insights: InsightsDep,
    c: ComponentsDep,
    days: Days = None,
    format: Literal["json", "csv", "md"] = "json",
) -> TrainingNeeds | Response:
    """The training-needs report, as JSON, CSV or Markdown."""
    needs = insights.training_needs(caller, datetime.now(UTC), catalogue(c.settings), days)
    if format == "csv":
        return _download(to_csv(needs), "text/csv", "training-needs.csv")
    if format == "md":
        return _download(to_markdown(needs), "text/markdown", "training-needs.md")
    return needs


@router.get(
    "/catalogue",
    response_model=list[TrainingProgram],
    summary="The training catalogue",
    description="The programs of the sources file's `training:` catalogue (none: empty).",
    responses=ERROR_RESPONSES,
)
def programs(_: TrainerDep, c: ComponentsDep) -> list[TrainingProgram]:
    """The catalogue's programs, in file order."""
    return [
        TrainingProgram(
            title=p.title,
            description=p.description,
            owner=p.owner,
            audience=p.audience,
            last_revised=p.last_revised,
        )
        for p in catalogue(c.settings)
    ]


def catalogue(settings: Settings) -> list[Program]:
    """The training catalogue the sources file names (none: an empty list)."""
    config = load_sources(settings.ingest.config)
    return load_catalogue(config.training) if config.training else []


def _download(text: str, media_type: str, filename: str) -> Response:
    return PlainTextResponse(
        text,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
