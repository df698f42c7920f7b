"""Retrieval: the passages a caller may see that best answer a query.

One search runs inside the index with the caller's access as a filter (never filtered
afterwards): hybrid (dense + BM25 fused with RRF) by default, or dense / sparse alone as
baselines. Then the candidates are reranked, trainers' states applied (core/moderation.py:
a valid verification lifts by a bounded amount, outdated content counts as superseded by its
replacement, `verified_only` keeps verified passages), superseded documents are demoted below
their successors, each document keeps at most `max_per_document` passages, and the top `limit`
are returned with the top dense cosine under the same filter (the confidence signal the
assistant abstains on). `hidden_evidence` is the one search without the caller's access: the
passages the caller may not see that outrank all they may, from which people and teams are
named (core/experts.py) and nothing else is shown.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, Field, ValidationError

from core.api import Text
from core.clock import elapsed_ms
from core.config import RetrievalSettings
from core.db import PeopleStore
from core.embedding import Embedder
from core.errors import ConfigError
from core.index.base import Hit, SearchFilter, SearchMode, VectorIndex
from core.moderation import ModerationRanking, StateFacet
from core.rerank import Reranker, by_score
from core.schema import Passage, Principal, SourceKind
from core.sparse import Bm25Encoder

log = logging.getLogger(__name__)

_MAX_CHAIN = 5  # superseded-by chains followed when demoting (A → B → C)


class QueryFilters(BaseModel):
    """What the caller narrows a search to; empty fields do not restrict.

    `people` and `teams` both mean "authored or owned by": a passage matches when one of its
    authors or owners is one of `people` or a member of one of `teams`. Teams are resolved to
    their members through the people directory handed to the Retriever.
    """

    kinds: list[SourceKind] | None = None
    sources: list[Text] | None = None
    teams: list[Text] | None = None
    people: list[Text] | None = None
    tags: list[Text] | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None
    verified_only: bool = Field(
        False, description="only passages a trainer verified (and whose verification is valid)"
    )
    states: list[StateFacet] | None = Field(
        None,
        description="only passages in these moderation states: verified, needs_review (also "
        "expired verifications), outdated, unreviewed (no state)",
    )


class RetrievalResult(BaseModel):
    """Ranked passages, the top dense cosine under the same filter, and stage timings."""

    passages: list[Passage] = Field(default_factory=list)
    top_dense_score: float | None = None  # None when the caller can see no matching passage
    timings_ms: dict[str, float] = Field(default_factory=dict)


class PassageSearch(Protocol):
    """What the assistant needs from a retriever: a caller's best passages for a question."""

    def search(
        self,
        query: str,
        principal: Principal,
        filters: QueryFilters | None = None,
        limit: int | None = None,
        mode: SearchMode | None = None,
    ) -> RetrievalResult: ...


class Retriever:
    """Searches the index for a caller, then reranks, demotes, diversifies and cuts."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        sparse: Bm25Encoder,
        reranker: Reranker,
        settings: RetrievalSettings,
        people: PeopleStore | None = None,
        moderation: ModerationRanking | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.sparse = sparse
        self.reranker = reranker
        self.settings = settings
        self.people = people
        self.moderation = moderation

    def search(
        self,
        query: str,
        principal: Principal,
        filters: QueryFilters | None = None,
        limit: int | None = None,
        mode: SearchMode | None = None,
    ) -> RetrievalResult:
        """The best passages for `query` among those `principal` may see."""
        cfg = self.settings
        limit = limit or cfg.top_k
        mode = mode or cfg.mode
        timings: dict[str, float] = {}
        started = time.perf_counter()
        flt = self.search_filter(principal, filters or QueryFilters())
        if flt is None:  # the filters name teams without members: nothing can match
            return RetrievalResult(timings_ms={"total": elapsed_ms(started)})

        mark = time.perf_counter()
        dense = self.embedder.embed_query(query).tolist()
        sparse = self.sparse.encode_query(query)
        timings["embed"] = elapsed_ms(mark)

        mark = time.perf_counter()
        depth = max(cfg.rerank_depth, limit)
        hits = self.index.search(
            dense=dense,
            sparse=sparse,
            mode=mode,
            flt=flt,
            limit=depth,
            prefetch_limit=max(cfg.prefetch_limit, depth),
            rrf_k=cfg.rrf_k,
            dense_weight=cfg.dense_weight,
        )
        if mode == "dense":
            top_dense = hits[0].score if hits else None
        else:
            best = self.index.search(dense=dense, mode="dense", flt=flt, limit=1)
            top_dense = best[0].score if best else None
        timings["search"] = elapsed_ms(mark)

        mark = time.perf_counter()
        ranked = self.reranker.rerank(query, to_passages(hits))
        timings["rerank"] = elapsed_ms(mark)

        filters = filters or QueryFilters()
        if self.moderation is not None:  # verified lifted, outdated marked superseded
            ranked = self.moderation.apply(
                ranked, datetime.now(UTC), filters.verified_only, filters.states
            )
        elif filters.verified_only or (filters.states and "unreviewed" not in filters.states):
            ranked = []  # without the moderation store every passage is unreviewed
        ranked = demote_superseded(ranked, cfg.superseded_penalty)
        passages = cap_per_document(ranked, cfg.max_per_document)[:limit]
        timings["total"] = elapsed_ms(started)
        log.info(
            "retrieved",
            extra={
                "mode": mode,
                "candidates": len(hits),
                "passages": len(passages),
                "top_dense": round(top_dense, 4) if top_dense is not None else None,
                "ms": timings["total"],
            },
        )
        return RetrievalResult(passages=passages, top_dense_score=top_dense, timings_ms=timings)

    def hidden_evidence(self, query: str, principal: Principal, limit: int) -> list[Passage]:
        """The best passages for `query` over ALL content that rank above everything
        `principal` may see: evidence for naming people and teams, never to be shown."""
        hits = self.index.search(
            dense=self.embedder.embed_query(query).tolist(),
            sparse=self.sparse.encode_query(query),
            mode=self.settings.mode,
            flt=SearchFilter(principals=None),  # internal: the caller sees none of it
            limit=limit,
            prefetch_limit=max(self.settings.prefetch_limit, limit),
            rrf_k=self.settings.rrf_k,
            dense_weight=self.settings.dense_weight,
        )
        access = set(principal.access())
        hidden = []
        for hit in hits:
            groups = hit.payload.get("groups") or []
            if not groups or access & set(groups):
                break  # the caller may see this one: what ranks below it is not needed
            hidden.append(hit)
        return to_passages(hidden)

    def search_filter(self, principal: Principal, filters: QueryFilters) -> SearchFilter | None:
        """The index filter: the caller's access always, plus the query filters.

        None when the filters cannot match anything (teams without members).
        """
        people = list(filters.people or [])
        if filters.teams:
            members = self._team_members(filters.teams)
            if not members and not people:
                return None
            people.extend(m for m in members if m not in people)
        return SearchFilter(
            principals=principal.access(),
            sources=filters.sources,
            kinds=[k.value for k in filters.kinds] if filters.kinds else None,
            people=people or None,
            tags=[t.lower() for t in filters.tags] if filters.tags else None,
            updated_from=filters.updated_from,
            updated_to=filters.updated_to,
        )

    def _team_members(self, teams: list[str]) -> list[str]:
        """Ids of everyone in the directory who belongs to one of `teams`."""
        if self.people is None:
            raise ConfigError("filtering by team needs the people directory (Retriever(people=))")
        return self.people.members(teams)


def to_passages(hits: list[Hit]) -> list[Passage]:
    """Hits as Passages, scored by the index; a malformed payload is logged and skipped."""
    passages: list[Passage] = []
    for hit in hits:
        payload = {**hit.payload, "score": hit.score}
        payload.setdefault("chunk_id", hit.id)
        try:
            passages.append(Passage.model_validate(payload))
        except ValidationError as exc:
            log.warning("malformed point payload", extra={"point": hit.id, "error": str(exc)})
    return passages


def demote_superseded(passages: list[Passage], penalty: float) -> list[Passage]:
    """Lower superseded passages by `penalty` × the score range, and below their successor.

    A passage whose document is superseded loses `penalty` times the spread of the
    candidates' scores (scale-free: works for RRF, cosine, BM25 and cross-encoder scores);
    when a passage of the superseding document is among the candidates, the old one is also
    capped just below that document's best passage. Its `superseded_by` stays set, marking it.
    """
    if not any(p.superseded_by for p in passages):
        return passages
    scores = [p.score for p in passages]
    spread = (max(scores) - min(scores)) or abs(max(scores)) or 1.0
    step = spread * 1e-6
    out = [
        p.model_copy(update={"score": p.score - penalty * spread}) if p.superseded_by else p
        for p in passages
    ]
    for _ in range(_MAX_CHAIN):
        best: dict[str, float] = {}
        for p in out:
            best[p.document_id] = max(best.get(p.document_id, p.score), p.score)
        changed = False
        for i, p in enumerate(out):
            if not p.superseded_by or p.superseded_by == p.document_id:
                continue
            successor = best.get(p.superseded_by)
            if successor is not None and p.score >= successor:
                out[i] = p.model_copy(update={"score": successor - step})
                changed = True
        if not changed:
            break
    return by_score(out)


def cap_per_document(passages: list[Passage], per_document: int) -> list[Passage]:
    """The passages in order, keeping at most `per_document` from any one document."""
    seen: Counter[str] = Counter()
    kept: list[Passage] = []
    for p in passages:
        if seen[p.document_id] < per_document:
            seen[p.document_id] += 1
            kept.append(p)
    return kept
