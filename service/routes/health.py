"""GET /health: can the service answer, and if not, what is wrong."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from core.errors import WatercoolerError
from core.index.base import IndexMeta
from service.components import Components
from service.deps import ComponentsDep
from service.schemas import Counts, Health, IndexHealth

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=Health,
    summary="Service health",
    description="The index backend, the model it was built with, what the service holds, and "
    "whether the database answers. 503 with `problems` when something is wrong. No key needed.",
    responses={503: {"model": Health, "description": "Something is wrong (see `problems`)"}},
)
def health(c: ComponentsDep) -> JSONResponse:
    """Live checks of the index and the database."""
    report = check(c)
    status = 200 if report.status == "ok" else 503
    return JSONResponse(report.model_dump(mode="json"), status_code=status)


def check(c: Components) -> Health:
    """Run the checks; each failure adds a problem with its reason."""
    problems: list[str] = []
    meta: IndexMeta | None = None
    counts = Counts()
    if c.index_problem:
        problems.append(c.index_problem)
    try:
        meta = c.index.meta()
        counts.chunks = c.index.count()
    except WatercoolerError as exc:
        problems.append(f"index: {exc}")
    reachable = c.db.ping()
    if not reachable:
        problems.append(f"database {c.db.url} does not answer")
    else:
        try:
            counts.documents = c.manifest.count_documents()
            counts.people = c.people.count()
        except WatercoolerError as exc:
            problems.append(f"database: {exc}")
    return Health(
        status="unavailable" if problems else "ok",
        problems=problems,
        index=IndexHealth(
            backend=c.settings.index.backend,
            model=meta.model if meta else None,
            dimension=meta.dimension if meta else None,
            chunker_version=meta.chunker_version if meta else None,
        ),
        embedding_model=c.embedder.model_name,
        counts=counts,
        database_reachable=reachable,
        generators=sorted(c.generators),
        auth_mode=c.settings.service.auth_mode,
        ingest_job=c.jobs.running(),
    )
