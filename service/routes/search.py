"""GET /search: ranked passages with highlights, and facets under the same access filter."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from core.db import ModerationStore
from core.experts import ExpertFinder
from core.index.base import SearchFilter, SearchMode, VectorIndex
from core.moderation import STATE_FACETS, StateFacet, facet_counts
from core.retrieval import QueryFilters, Retriever
from core.schema import Principal
from service.badges import badged
from service.deps import (
    CallerDep,
    ComponentsDep,
    ExpertsDep,
    FacetCacheDep,
    FiltersDep,
    IndexDep,
    RetrieverDep,
)
from service.errors import ERROR_RESPONSES
from service.highlight import highlight
from service.schemas import Facets, FacetValue, SearchHit, SearchResponse

router = APIRouter(tags=["search"])

FACET_LIMIT = 50
AUTHOR_FACET_LIMIT = 20
STATE_LABELS = {
    "verified": "Verified",
    "needs_review": "Needs review",
    "outdated": "Outdated",
    "unreviewed": "Unreviewed",
}


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Search passages",
    description="Hybrid (dense + BM25) search over the passages the caller may see, with "
    "highlights and facets. Facet counts are passages under the caller's access and the "
    "other filters (a facet ignores its own filter, so every choice stays visible); "
    "`states` narrows to moderation states and its facet counts them.",
    responses=ERROR_RESPONSES,
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=2000, description="search text")],
    caller: CallerDep,
    filters: FiltersDep,
    retriever: RetrieverDep,
    index: IndexDep,
    experts: ExpertsDep,
    facet_cache: FacetCacheDep,
    c: ComponentsDep,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    mode: Annotated[SearchMode | None, Query(description="hybrid (default), dense, sparse")] = None,
    states: Annotated[
        list[str] | None,
        Query(description="moderation states: verified, needs_review, outdated, unreviewed"),
    ] = None,
) -> SearchResponse:
    """Ranked passages and facets."""
    filters = filters.model_copy(update={"states": _states(states)})
    result = retriever.search(q, caller, filters, limit=limit, mode=mode)
    passages = badged(c, caller, result.passages)
    hits = [SearchHit(**p.model_dump(), highlight=highlight(p.text, q)) for p in passages]
    return SearchResponse(
        query=q,
        mode=mode or retriever.settings.mode,
        passages=hits,
        facets=facet_cache.get_or_compute(
            (tuple(caller.access()), filters.model_dump_json(exclude={"states"})),
            lambda: facets(index, retriever, experts, caller, filters),
        ).model_copy(
            update={"states": state_facet(index, retriever, c.moderation, caller, filters)}
        ),
        timings_ms=result.timings_ms,
    )


def facets(
    index: VectorIndex,
    retriever: Retriever,
    experts: ExpertFinder,
    caller: Principal,
    filters: QueryFilters,
) -> Facets:
    """Counts by kind, source, author and team, always under the caller's access."""
    base = retriever.search_filter(caller, filters)
    if base is None:  # the filters cannot match anything
        return Facets()
    kinds = index.facet("kind", replace(base, kinds=None), limit=FACET_LIMIT)
    sources = index.facet("source", replace(base, sources=None), limit=FACET_LIMIT)
    by_people = _without_people(retriever, caller, filters)
    authors = index.facet("author_ids", by_people, limit=AUTHOR_FACET_LIMIT) if by_people else {}
    people = experts.lookup(list(authors))
    teams: Counter[str] = Counter()
    for pid, count in authors.items():
        if people[pid].team:
            teams[str(people[pid].team)] += count
    return Facets(
        kinds=_values(kinds),
        sources=_values(sources),
        authors=_values(authors, {pid: p.name for pid, p in people.items()}),
        teams=_values(dict(teams)),
    )


def state_facet(
    index: VectorIndex,
    retriever: Retriever,
    moderation: ModerationStore,
    caller: Principal,
    filters: QueryFilters,
) -> list[FacetValue]:
    """Passages per moderation state under the caller's access and the other filters (not
    cached: a trainer's change shows at once; it costs one database read and two index
    counts)."""
    base = retriever.search_filter(caller, filters)
    if base is None:
        return []
    states = moderation.all_states()
    moderated = sorted({s.document_id for s in states})
    visible = (
        index.facet("document_id", replace(base, document_ids=moderated), limit=len(moderated))
        if moderated
        else {}
    )
    counts = facet_counts(states, visible, index.count(base), datetime.now(UTC))
    return [
        FacetValue(value=state, label=STATE_LABELS[state], count=counts[state])
        for state in STATE_FACETS
        if counts[state]
    ]


def _states(values: list[str] | None) -> list[StateFacet] | None:
    """The `states` query parameter (repeated or comma-separated), 422 on an unknown one."""
    given = {v.strip() for value in values or [] for v in value.split(",") if v.strip()}
    unknown = sorted(given - set(STATE_FACETS))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "states"),
                    "msg": f"unknown state {unknown[0]!r}; use {', '.join(STATE_FACETS)}",
                    "type": "enum",
                }
            ]
        )
    return [s for s in STATE_FACETS if s in given] or None


def _without_people(
    retriever: Retriever, caller: Principal, filters: QueryFilters
) -> SearchFilter | None:
    """The filter without its people and team conditions (for the author and team facets)."""
    unrestricted = filters.model_copy(update={"people": None, "teams": None})
    return retriever.search_filter(caller, unrestricted)


def _values(counts: dict[str, int], labels: dict[str, str] | None = None) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [FacetValue(value=v, label=(labels or {}).get(v, v), count=n) for v, n in ordered]
