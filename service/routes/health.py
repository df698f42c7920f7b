"""Health: GET /health (what is wrong, for people), /health/live and /health/ready (for probes).

    /health/live    200 while the process answers HTTP at all (restart it when this fails)
    /health/ready   200 when the database and the index answer, else 503 with the problems
                    (take it out of the load balancer, do not restart it)
    /health         the full report, 200 or 503, as before

None needs a key; the probes say nothing of the content or the callers.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from core.errors import WatercoolerError
from core.index.base import IndexMeta, SearchFilter
from core.schema import Principal
from service.components import Components
from service.deps import ComponentsDep, OptionalCallerDep
from service.schemas import Counts, Health, IndexHealth

router = APIRouter(tags=["health"])


@router.get(
    "/health/live",
    summary="Liveness probe",
    description="200 while the process answers HTTP; checks nothing else.",
)
def live() -> dict[str, str]:
    """Always ok: the process is up."""
    return {"status": "ok"}


@router.get(
    "/health/ready",
    summary="Readiness probe",
    description="200 when the database and the index answer (and the index matches the "
    "embedding model); 503 with `problems` otherwise. No key needed.",
    responses={503: {"description": "Not ready (see `problems`)"}},
)
def ready(c: ComponentsDep) -> JSONResponse:
    """Live checks of the database and the index."""
    problems = readiness(c)
    body = {"status": "unavailable" if problems else "ok", "problems": problems}
    return JSONResponse(body, status_code=503 if problems else 200)


def readiness(c: Components) -> list[str]:
    """What keeps the service from answering queries (empty when ready)."""
    problems = [c.index_problem] if c.index_problem else []
    try:
        c.index.meta()
    except WatercoolerError as exc:
        problems.append(f"index: {exc}")
    if not c.db.ping():
        problems.append(f"database {c.db.url} does not answer")
    return problems


@router.get(
    "/health",
    response_model=Health,
    summary="Service health",
    description="The index backend, the model it was built with, what the caller may see "
    "(documents, passages, people), and whether the database answers. 503 with `problems` "
    "when something is wrong. No key needed; in keys mode a caller without one gets only "
    "`status` and `auth_mode`.",
    responses={503: {"model": Health, "description": "Something is wrong (see `problems`)"}},
)
def health(c: ComponentsDep, caller: OptionalCallerDep) -> JSONResponse:
    """Live checks of the index and the database."""
    report = check(c, caller)
    status = 200 if report.status == "ok" else 503
    # Keys mode without a key: whether it works, nothing of what it holds or why it fails.
    shown = {"status", "auth_mode"} if caller is None else None
    return JSONResponse(report.model_dump(mode="json", include=shown), status_code=status)


def check(c: Components, caller: Principal | None) -> Health:
    """Run the checks; each failure adds a problem with its reason.

    Counts are of what `caller` may see (none for None: keys mode without a key).
    """
    problems: list[str] = []
    meta: IndexMeta | None = None
    counts = Counts()
    if c.index_problem:
        problems.append(c.index_problem)
    try:
        meta = c.index.meta()
        if caller is not None:
            counts.chunks, counts.documents = _visible(c, caller)
    except WatercoolerError as exc:
        problems.append(f"index: {exc}")
    reachable = c.db.ping()
    if not reachable:
        problems.append(f"database {c.db.url} does not answer")
    elif caller is not None:
        try:
            counts.people = c.people.count()  # the directory is open to every caller
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


def _visible(c: Components, caller: Principal) -> tuple[int, int]:
    """Passages and documents the caller may see."""
    visible = SearchFilter(principals=caller.access())
    chunks = c.index.count(visible)
    documents = c.index.facet("document_id", visible, limit=chunks) if chunks else {}
    return chunks, len(documents)
