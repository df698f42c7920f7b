"""How answers used each document lately: citations in the question log, negative ratings.

The review queue's impact (core/review.py) reads it for the last 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db.engine import Database
from core.db.tables import FeedbackRecord, QuestionRecord


@dataclass
class Usage:
    """How answers used a document: citations and the negative feedback on those answers."""

    cited: int = 0
    negative: int = 0


NEGATIVE_RATINGS = ("wrong_citation", "not_helpful")


def usage_since(db: Database, since: datetime) -> dict[str, Usage]:
    """Per document: answers since `since` that cited it, and negative ratings on them (a
    rating of one citation counts for that citation's document only)."""
    usage: dict[str, Usage] = {}
    with db.session("read citation usage") as session:
        cited = dict(
            session.execute(
                select(QuestionRecord.id, QuestionRecord.cited_document_ids).where(
                    QuestionRecord.created >= since
                )
            ).all()
        )
        ratings = session.execute(
            select(FeedbackRecord.question_id, FeedbackRecord.marker).where(
                FeedbackRecord.created >= since, FeedbackRecord.rating.in_(NEGATIVE_RATINGS)
            )
        ).all()
    for docs in cited.values():
        for doc in dict.fromkeys(docs):
            usage.setdefault(doc, Usage()).cited += 1
    for question_id, marker in ratings:
        docs = list(cited.get(question_id) or [])
        if marker is not None:
            docs = docs[marker - 1 : marker] if 0 < marker <= len(docs) else []
        for doc in dict.fromkeys(docs):
            usage.setdefault(doc, Usage()).negative += 1
    return usage
