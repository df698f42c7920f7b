"""GET /search: ranked passages with highlights, and facets under the same access filter."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query

from core.experts import ExpertFinder
from core.index.base import SearchFilter, SearchMode, VectorIndex
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


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Search passages",
    description="Hybrid (dense + BM25) search over the passages the caller may see, with "
    "highlights and facets. Facet counts are passages under the caller's access and the "
    "other filters (a facet ignores its own filter, so every choice stays visible).",
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
) -> SearchResponse:
    """Ranked passages and facets."""
    result = retriever.search(q, caller, filters, limit=limit, mode=mode)
    passages = badged(c, caller, result.passages)
    hits = [SearchHit(**p.model_dump(), highlight=highlight(p.text, q)) for p in passages]
    return SearchResponse(
        query=q,
        mode=mode or retriever.settings.mode,
        passages=hits,
        facets=facet_cache.get_or_compute(
            (tuple(caller.access()), filters.model_dump_json()),
            lambda: facets(index, retriever, experts, caller, filters),
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


def _without_people(
    retriever: Retriever, caller: Principal, filters: QueryFilters
) -> SearchFilter | None:
    """The filter without its people and team conditions (for the author and team facets)."""
    unrestricted = filters.model_copy(update={"people": None, "teams": None})
    return retriever.search_filter(caller, unrestricted)


def _values(counts: dict[str, int], labels: dict[str, str] | None = None) -> list[FacetValue]:
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [FacetValue(value=v, label=(labels or {}).get(v, v), count=n) for v, n in ordered]
