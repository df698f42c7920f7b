"""The question log: every question asked, what it was answered, and the feedback on it."""

from __future__ import annotations

import builtins
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args

from sqlalchemy import ColumnElement, func, select

from core.db.engine import Database, paginate, utcnow
from core.db.tables import FeedbackRecord, QuestionRecord
from core.errors import NotFoundError
from core.schema import Rating

log = logging.getLogger(__name__)

RATINGS: tuple[str, ...] = get_args(Rating)


@dataclass(frozen=True)
class QuestionEntry:
    """One logged question and its answer."""

    id: str
    created: datetime
    user_id: str
    groups: list[str]
    question: str
    filters: dict[str, Any]
    generator: str
    answer: str
    cited_document_ids: list[str]
    people_ids: list[str]
    confidence: float
    abstained: bool
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackEntry:
    """A rating of an answer, or of one citation (`marker`) in it."""

    id: int
    question_id: str
    created: datetime
    user_id: str
    rating: Rating
    marker: int | None
    comment: str | None


class QuestionStore:
    """Logs questions and feedback; every method is one transaction and returns plain values."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        *,
        user_id: str,
        groups: builtins.list[str],
        question: str,
        filters: dict[str, Any],
        generator: str,
        answer: str,
        cited_document_ids: builtins.list[str],
        people_ids: builtins.list[str],
        confidence: float,
        abstained: bool,
        timings_ms: dict[str, float],
    ) -> str:
        """Log a question with its answer; returns the new question id."""
        question_id = str(uuid.uuid4())
        record = QuestionRecord(
            id=question_id,
            created=utcnow(),
            user_id=user_id,
            groups=list(groups),
            question=question,
            filters=filters,
            generator=generator,
            answer=answer,
            cited_document_ids=list(dict.fromkeys(cited_document_ids)),
            people_ids=list(people_ids),
            confidence=confidence,
            abstained=abstained,
            timings_ms=dict(timings_ms),
        )
        with self._db.session("record question") as session:
            session.add(record)
        log.debug("question recorded", extra={"question_id": question_id, "user_id": user_id})
        return question_id

    def get(self, question_id: str) -> QuestionEntry:
        """The logged question with this id."""
        with self._db.session("get question") as session:
            record = session.get(QuestionRecord, question_id)
            if record is None:
                raise NotFoundError(f"question {question_id!r} not found")
            return _question(record)

    def list(
        self,
        *,
        user_id: str | None = None,
        abstained: bool | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[QuestionEntry]:
        """A page of questions, newest first, optionally of one user / abstained / recent."""
        stmt = (
            select(QuestionRecord)
            .where(*_question_filters(user_id, abstained, since))
            .order_by(QuestionRecord.created.desc(), QuestionRecord.id)
        )
        with self._db.session("list questions") as session:
            return [_question(r) for r in session.scalars(paginate(stmt, limit, offset))]

    def count(
        self,
        *,
        user_id: str | None = None,
        abstained: bool | None = None,
        since: datetime | None = None,
    ) -> int:
        """How many questions match (see `list`)."""
        stmt = (
            select(func.count())
            .select_from(QuestionRecord)
            .where(*_question_filters(user_id, abstained, since))
        )
        with self._db.session("count questions") as session:
            return session.scalar(stmt) or 0

    def add_feedback(
        self,
        question_id: str,
        *,
        user_id: str,
        rating: Rating,
        marker: int | None = None,
        comment: str | None = None,
    ) -> FeedbackEntry:
        """Store feedback on a logged question."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
        with self._db.session("add feedback") as session:
            if session.get(QuestionRecord, question_id) is None:
                raise NotFoundError(f"question {question_id!r} not found")
            record = FeedbackRecord(
                question_id=question_id,
                created=utcnow(),
                user_id=user_id,
                rating=rating,
                marker=marker,
                comment=comment,
            )
            session.add(record)
            session.flush()
            entry = _feedback(record)
        log.info(
            "feedback recorded",
            extra={"question_id": question_id, "rating": rating, "marker": marker},
        )
        return entry

    def feedback(
        self,
        question_id: str | None = None,
        rating: Rating | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[FeedbackEntry]:
        """Feedback, newest first, optionally on one question and/or of one rating."""
        stmt = select(FeedbackRecord).order_by(
            FeedbackRecord.created.desc(), FeedbackRecord.id.desc()
        )
        if question_id is not None:
            stmt = stmt.where(FeedbackRecord.question_id == question_id)
        if rating is not None:
            stmt = stmt.where(FeedbackRecord.rating == rating)
        with self._db.session("list feedback") as session:
            return [_feedback(r) for r in session.scalars(paginate(stmt, limit, offset))]


def _question_filters(
    user_id: str | None, abstained: bool | None, since: datetime | None
) -> builtins.list[ColumnElement[bool]]:
    filters = []
    if user_id is not None:
        filters.append(QuestionRecord.user_id == user_id)
    if abstained is not None:
        filters.append(QuestionRecord.abstained.is_(abstained))
    if since is not None:
        filters.append(QuestionRecord.created >= since)
    return filters


def _question(r: QuestionRecord) -> QuestionEntry:
    return QuestionEntry(
        id=r.id,
        created=r.created,
        user_id=r.user_id,
        groups=list(r.groups),
        question=r.question,
        filters=dict(r.filters),
        generator=r.generator,
        answer=r.answer,
        cited_document_ids=list(r.cited_document_ids),
        people_ids=list(r.people_ids),
        confidence=r.confidence,
        abstained=r.abstained,
        timings_ms=dict(r.timings_ms),
    )


def _feedback(r: FeedbackRecord) -> FeedbackEntry:
    return FeedbackEntry(
        id=r.id,
        question_id=r.question_id,
        created=r.created,
        user_id=r.user_id,
        rating=r.rating,  # type: ignore[arg-type]  # stored from a Rating
        marker=r.marker,
        comment=r.comment,
    )
