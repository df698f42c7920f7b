"""POST /feedback: a rating of an answer (or of one of its citations)."""

from __future__ import annotations

from fastapi import APIRouter, status

from core.auth import ROLE_RANK
from core.errors import NotFoundError
from service.deps import CallerDep, QuestionsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.schemas import FeedbackRequest, FeedbackResponse

router = APIRouter(tags=["answers"])


@router.post(
    "/feedback",
    response_model=FeedbackResponse,
    status_code=status.HTTP_201_CREATED,
    summary="Rate an answer or one of its citations",
    description="`question_id` is the one `POST /ask` returned. Callers may rate their own "
    "questions only (admins any); another caller's question is reported as not found.",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "No such question"}},
)
def post_feedback(
    body: FeedbackRequest, caller: CallerDep, questions: QuestionsDep
) -> FeedbackResponse:
    """Store the feedback, linked to its question."""
    asked = questions.get(body.question_id)
    if asked.user_id != caller.user_id and ROLE_RANK[caller.role] < ROLE_RANK["admin"]:
        raise NotFoundError(f"question {body.question_id!r} not found")
    entry = questions.add_feedback(
        body.question_id,
        user_id=caller.user_id,
        rating=body.rating,
        marker=body.marker,
        comment=body.comment,
    )
    return FeedbackResponse(
        id=entry.id,
        question_id=entry.question_id,
        rating=entry.rating,
        marker=entry.marker,
        comment=entry.comment,
        created=entry.created,
    )
