"""Sources that disagree: pairs of documents an answer found stating different figures.

    moderation_conflicts  one row per (document, other document), both ways: first and last
                          seen, how often, the last question, and when a trainer resolved it

The extractive generator's conflicting-figures check finds them while answering; the review
queue lists each document with the reason "sources disagree" until a trainer decides on it
(any state but needs_review resolves its conflicts, as it answers its flags). Seeing the same
pair again counts it, and does not reopen a resolved one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.engine import Database, utcnow
from core.db.tables import Base, UTCDateTime


class ConflictRecord(Base):
    """A document another one disagrees with."""

    __tablename__ = "moderation_conflicts"

    document_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    other_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    question_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[str | None] = mapped_column(Text)  # the note the answer gave
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    seen: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


@dataclass(frozen=True)
class SourceConflict:
    """An open disagreement of a document with another."""

    document_id: str
    other_id: str
    first_seen: datetime
    last_seen: datetime
    seen: int
    detail: str | None


class ConflictStore:
    """Records and reads the disagreements answers found between documents."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self, first: str, second: str, *, question_id: str | None, detail: str | None
    ) -> None:
        """Record that two documents disagree (once per pair; again only counts it)."""
        if first == second:
            return
        now = utcnow()
        with self._db.session("record conflict") as session:
            for doc, other in ((first, second), (second, first)):
                row = session.get(ConflictRecord, (doc, other), with_for_update=True)
                if row is None:
                    session.add(
                        ConflictRecord(
                            document_id=doc,
                            other_id=other,
                            question_id=question_id,
                            detail=detail,
                            first_seen=now,
                            last_seen=now,
                            seen=1,
                        )
                    )
                else:
                    row.last_seen, row.seen = now, row.seen + 1
                    row.question_id, row.detail = question_id, detail
                session.flush()

    def open_conflicts(self, document_ids: Iterable[str] | None = None) -> list[SourceConflict]:
        """Unresolved disagreements, of these documents or of all."""
        stmt = select(ConflictRecord).where(ConflictRecord.resolved.is_(None))
        if document_ids is not None:
            stmt = stmt.where(ConflictRecord.document_id.in_(sorted(set(document_ids))))
        stmt = stmt.order_by(ConflictRecord.document_id, ConflictRecord.other_id)
        with self._db.session("read conflicts") as session:
            return [
                SourceConflict(
                    r.document_id, r.other_id, r.first_seen, r.last_seen, r.seen, r.detail
                )
                for r in session.scalars(stmt)
            ]


def resolve_conflicts(session: Session, document_id: str, at: datetime) -> None:
    """A trainer decided on the document: its disagreements leave the queue (caller's
    transaction)."""
    session.execute(
        update(ConflictRecord)
        .where(ConflictRecord.document_id == document_id, ConflictRecord.resolved.is_(None))
        .values(resolved=at)
    )
