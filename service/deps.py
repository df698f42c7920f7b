"""Typed dependencies: the components built at start-up, and the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from core.answering import Assistant
from core.auth import Forwarded, key_from_headers, require_role
from core.db import KeyStore, ManifestStore, ModerationStore, PeopleStore, QuestionStore, RunStore
from core.errors import IndexMismatchError
from core.experts import ExpertFinder
from core.index.base import VectorIndex
from core.queue import JobLauncher
from core.retrieval import QueryFilters, Retriever
from core.schema import Principal, SourceKind
from service.components import Components
from service.facets import FacetCache

# Pages start at most this far in: far beyond any directory or key list, and well inside the
# database's 64-bit integers (a larger offset was a 500 from SQLite).
MAX_OFFSET = 1_000_000
DEMO_HEADER = "X-Demo-Person"  # open mode's demo identity (core/auth.py)

# auto_error=False: the Authenticator decides (open mode needs no key); these declare the
# schemes in OpenAPI so the docs page offers to send a key.
_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def get_components(request: Request) -> Components:
    """The components the lifespan built."""
    components: Components = request.app.state.components
    return components


ComponentsDep = Annotated[Components, Depends(get_components)]


def get_index(c: ComponentsDep) -> VectorIndex:
    """The vector index, unless it was built with another model (then 503 with the reason)."""
    if c.index_problem:
        raise IndexMismatchError(c.index_problem)
    return c.index


def get_retriever(c: ComponentsDep, _: Annotated[VectorIndex, Depends(get_index)]) -> Retriever:
    """The retriever (its index checked)."""
    return c.retriever


def get_assistant(c: ComponentsDep, _: Annotated[VectorIndex, Depends(get_index)]) -> Assistant:
    """The assistant (its index checked)."""
    return c.assistant


def get_experts(c: ComponentsDep) -> ExpertFinder:
    """The expert finder."""
    return c.experts


def get_manifest(c: ComponentsDep) -> ManifestStore:
    """The document manifest."""
    return c.manifest


def get_people(c: ComponentsDep) -> PeopleStore:
    """The people directory."""
    return c.people


def get_runs(c: ComponentsDep) -> RunStore:
    """The ingest run log."""
    return c.runs


def get_keys(c: ComponentsDep) -> KeyStore:
    """The API key store."""
    return c.keys


def get_questions(c: ComponentsDep) -> QuestionStore:
    """The question log."""
    return c.questions


def get_moderation(c: ComponentsDep) -> ModerationStore:
    """Trainers' states, their history and readers' flags."""
    return c.moderation


def get_jobs(c: ComponentsDep) -> JobLauncher:
    """What runs ingestion jobs: this process, or queue workers."""
    return c.jobs


def get_facet_cache(c: ComponentsDep) -> FacetCache[Any]:
    """Facet counts cached per caller access and filters."""
    return c.facet_cache


IndexDep = Annotated[VectorIndex, Depends(get_index)]
FacetCacheDep = Annotated[FacetCache[Any], Depends(get_facet_cache)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ExpertsDep = Annotated[ExpertFinder, Depends(get_experts)]
ManifestDep = Annotated[ManifestStore, Depends(get_manifest)]
PeopleDep = Annotated[PeopleStore, Depends(get_people)]
RunsDep = Annotated[RunStore, Depends(get_runs)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
QuestionsDep = Annotated[QuestionStore, Depends(get_questions)]
JobsDep = Annotated[JobLauncher, Depends(get_jobs)]
ModerationDep = Annotated[ModerationStore, Depends(get_moderation)]


def get_caller(
    c: ComponentsDep,
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Who is calling: from the API key or token, a trusted proxy's headers, or the anonymous
    reader (or a demo identity) in open mode."""
    key = key_from_headers(request.headers.get("authorization"), api_key)
    return c.auth.authenticate(key, request.headers.get(DEMO_HEADER), forwarded(c, request))


def forwarded(c: Components, request: Request) -> Forwarded:
    """A reverse proxy's identity headers, with the address they came from (core/auth.py)."""
    names = c.auth.sign_in
    return Forwarded(
        email=request.headers.get(names.proxy_email_header),
        groups=request.headers.get(names.proxy_groups_header),
        client=request.client.host if request.client else None,
    )


def get_optional_caller(
    c: ComponentsDep,
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal | None:
    """The caller, or None when keys mode gets no key (for answers that need none)."""
    key = key_from_headers(request.headers.get("authorization"), api_key)
    proxy = forwarded(c, request)
    if key is None and c.settings.service.auth_mode == "keys" and not c.auth.proxied(proxy):
        return None
    return c.auth.authenticate(key, request.headers.get(DEMO_HEADER), proxy)


CallerDep = Annotated[Principal, Depends(get_caller)]
OptionalCallerDep = Annotated[Principal | None, Depends(get_optional_caller)]


def get_admin(caller: CallerDep) -> Principal:
    """The caller, who must be an admin."""
    require_role(caller, "admin")
    return caller


AdminDep = Annotated[Principal, Depends(get_admin)]


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated query values as one list (None when empty)."""
    items = [v.strip() for value in values or [] for v in value.split(",") if v.strip()]
    return items or None


def _kinds(values: list[str] | None) -> list[SourceKind] | None:
    kinds = _split(values)
    allowed = [k.value for k in SourceKind]
    unknown = [k for k in kinds or [] if k not in allowed]
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "kinds"),
                    "msg": f"unknown kind {unknown[0]!r}; use {', '.join(allowed)}",
                    "type": "enum",
                }
            ]
        )
    return [SourceKind(k) for k in kinds] if kinds else None


def check_filters(filters: QueryFilters, limit: int, where: str) -> QueryFilters:
    """The filters, unless a list holds more than `limit` values (422: each costs a query
    condition, and a team a directory lookup)."""
    for name in ("kinds", "sources", "people", "teams", "tags"):
        values = getattr(filters, name) or []
        if len(values) > limit:
            raise RequestValidationError(
                [
                    {
                        "loc": (where, name) if where == "query" else ("body", where, name),
                        "msg": f"at most {limit} values are allowed (got {len(values)})",
                        "type": "too_long",
                    }
                ]
            )
    return filters


def get_filters(
    c: ComponentsDep,
    kinds: Annotated[list[str] | None, Query(description="wiki, blog, doc, video")] = None,
    sources: Annotated[list[str] | None, Query(description="source names")] = None,
    people: Annotated[list[str] | None, Query(description="author or owner ids")] = None,
    teams: Annotated[list[str] | None, Query(description="teams of authors/owners")] = None,
    tags: Annotated[list[str] | None, Query(description="document tags")] = None,
    updated_from: Annotated[datetime | None, Query(description="ISO 8601")] = None,
    updated_to: Annotated[datetime | None, Query(description="ISO 8601")] = None,
    verified_only: Annotated[
        bool, Query(description="only passages a trainer verified (valid verifications)")
    ] = False,
) -> QueryFilters:
    """Search filters from the query string (repeat a parameter or separate values by commas)."""
    filters = QueryFilters(
        kinds=_kinds(kinds),
        sources=_split(sources),
        people=_split(people),
        teams=_split(teams),
        tags=_split(tags),
        updated_from=updated_from,
        updated_to=updated_to,
        verified_only=verified_only,
    )
    return check_filters(filters, c.settings.service.max_filter_values, "query")


FiltersDep = Annotated[QueryFilters, Depends(get_filters)]
