"""GET /experts: the people to contact about a topic, with the documents that show it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from core.retrieval import QueryFilters
from service.deps import CallerDep, ExpertsDep, FiltersDep, RetrieverDep
from service.errors import ERROR_RESPONSES
from service.schemas import ExpertsResponse

router = APIRouter(tags=["people"])

# Passages retrieved as evidence: deeper than an answer needs, so more people are seen.
EVIDENCE_DEPTH = 30


@router.get(
    "/experts",
    response_model=ExpertsResponse,
    summary="Find the people who know about a topic",
    description="Ranks the authors and owners of the passages on the topic that the caller "
    "may see; each person comes with the documents that make them a good contact, their "
    "local time and whether they are at work.",
    responses=ERROR_RESPONSES,
)
def experts(
    q: Annotated[str, Query(min_length=1, max_length=2000, description="topic or question")],
    caller: CallerDep,
    filters: FiltersDep,
    retriever: RetrieverDep,
    finder: ExpertsDep,
) -> ExpertsResponse:
    """People to contact, best first."""
    result = retriever.search(q, caller, filters, limit=EVIDENCE_DEPTH)
    # as /ask names them: by the question's intent, and teams behind content the caller
    # may not open when they did not narrow the search (core/experts.py)
    narrowed = filters != QueryFilters()
    hidden = None if narrowed else retriever.hidden_evidence(q, caller, EVIDENCE_DEPTH)
    people = finder.rank(result.passages, question=q, hidden=hidden, confident_only=True)
    return ExpertsResponse(query=q, people=people)
