"""Moderation tables and their store: states, the history of every change, flags, reviewers.

    moderation_states   the current state per (document, chunk; "" = whole document)
    moderation_events   every change: who, when, from, to, note (the document's history)
    moderation_flags    readers' flags (outdated / wrong / unclear), open until resolved
    review_assignments  the queue's accountable reviewer per document, snoozes, resolutions

Changes are serialized: one lock per store in the process, and the state row is read
FOR UPDATE (PostgreSQL), so two trainers changing the same document both land in the history
in order and the last one wins. There is no foreign key to `documents`: a document removed by
ingestion keeps its history.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.conflicts import resolve_conflicts
from core.db.engine import Database, upsert, utcnow
from core.db.tables import Base, UTCDateTime
from core.moderation import (
    CONTENT_CHANGED,
    WHOLE_DOCUMENT,
    Flag,
    FlagKind,
    ModerationEvent,
    ModerationState,
    State,
)

INGESTION = "ingestion"  # who lapses a verification when re-ingestion changes the content


class ModerationStateRecord(Base):
    """The current state of a document or one of its passages."""

    __tablename__ = "moderation_states"

    document_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    chunk_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" = whole document
    state: Mapped[str] = mapped_column(String(16))
    by_user: Mapped[str] = mapped_column(String(255))
    note: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    replaced_by: Mapped[str | None] = mapped_column(String(255))
    text_hash: Mapped[str | None] = mapped_column(String(64))  # of what was verified
    updated: Mapped[datetime] = mapped_column(UTCDateTime)


class ModerationEventRecord(Base):
    """One change of state."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(255), index=True)
    chunk_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(255))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class FlagRecord(Base):
    """A reader's flag on a passage."""

    __tablename__ = "moderation_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(String(255), index=True)
    chunk_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewAssignmentRecord(Base):
    """Who is accountable for a document's review, and whether it is snoozed or resolved."""

    __tablename__ = "review_assignments"

    document_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    reviewer: Mapped[str | None] = mapped_column(String(255))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Assignment:
    """A document's review assignment."""

    document_id: str
    reviewer: str | None
    snoozed_until: datetime | None
    snooze_reason: str | None
    resolved: datetime | None


class ModerationStore:
    """Reads and changes moderation states, their history, flags and review assignments."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()

    def states_for(self, document_ids: Iterable[str]) -> list[ModerationState]:
        """The current states of these documents and of their passages."""
        ids = sorted(set(document_ids))
        if not ids:
            return []
        with self._db.session("read moderation states") as session:
            rows = session.scalars(
                select(ModerationStateRecord).where(ModerationStateRecord.document_id.in_(ids))
            )
            return [_state(r) for r in rows]

    def all_states(self) -> list[ModerationState]:
        """Every current state (the review queue reads them all)."""
        with self._db.session("read moderation states") as session:
            return [_state(r) for r in session.scalars(select(ModerationStateRecord))]

    def change(
        self,
        document_id: str,
        state: State,
        who: str,
        *,
        chunk_id: str = WHOLE_DOCUMENT,
        note: str | None = None,
        reason: str | None = None,
        expires_at: datetime | None = None,
        replaced_by: str | None = None,
        text_hash: str | None = None,
    ) -> ModerationState:
        """Set the state of a document (or passage) and record the change in its history."""
        now = utcnow()
        row = {
            "document_id": document_id,
            "chunk_id": chunk_id,
            "state": state,
            "by_user": who,
            "note": note,
            "reason": reason,
            "expires_at": expires_at,
            "replaced_by": replaced_by,
            "text_hash": text_hash,
            "updated": now,
        }
        with self._lock, self._db.session("change moderation state") as session:
            current = session.scalar(
                select(ModerationStateRecord.state)
                .where(
                    ModerationStateRecord.document_id == document_id,
                    ModerationStateRecord.chunk_id == chunk_id,
                )
                .with_for_update()
            )
            upsert(session, ModerationStateRecord, [row], keys=("document_id", "chunk_id"))
            _event(session, document_id, chunk_id, who, current, state, note or reason, now)
            if state != "needs_review":  # a trainer decided: flags and conflicts are answered
                session.execute(
                    update(FlagRecord)
                    .where(FlagRecord.document_id == document_id, FlagRecord.resolved.is_(None))
                    .values(resolved=now)
                )
                resolve_conflicts(session, document_id, now)
        return _state(ModerationStateRecord(**row))

    def history(self, document_id: str) -> list[ModerationEvent]:
        """Every change of the document's and its passages' states, oldest first."""
        with self._db.session("read moderation history") as session:
            rows = session.scalars(
                select(ModerationEventRecord)
                .where(ModerationEventRecord.document_id == document_id)
                .order_by(ModerationEventRecord.id)
            )
            return [
                ModerationEvent(
                    document_id=r.document_id,
                    chunk_id=r.chunk_id,
                    at=r.at,
                    who=r.who,
                    from_state=r.from_state,
                    to_state=r.to_state,
                    note=r.note,
                )
                for r in rows
            ]

    def flag(
        self, document_id: str, chunk_id: str, user_id: str, kind: FlagKind, note: str | None
    ) -> Flag:
        """Record a reader's flag."""
        record = FlagRecord(
            document_id=document_id,
            chunk_id=chunk_id,
            user_id=user_id,
            kind=kind,
            note=note,
            created=utcnow(),
        )
        with self._db.session("flag passage") as session:
            session.add(record)
            session.flush()
            return _flag(record)

    def open_flags(self, document_ids: Iterable[str] | None = None) -> list[Flag]:
        """Unresolved flags, of these documents or of all, oldest first."""
        stmt = select(FlagRecord).where(FlagRecord.resolved.is_(None)).order_by(FlagRecord.id)
        if document_ids is not None:
            stmt = stmt.where(FlagRecord.document_id.in_(sorted(set(document_ids))))
        with self._db.session("read flags") as session:
            return [_flag(r) for r in session.scalars(stmt)]

    def flag_counts(self, document_ids: Iterable[str]) -> dict[str, int]:
        """How many different people hold an open flag on each document."""
        ids = sorted(set(document_ids))
        if not ids:
            return {}
        stmt = (
            select(FlagRecord.document_id, func.count(func.distinct(FlagRecord.user_id)))
            .where(FlagRecord.document_id.in_(ids), FlagRecord.resolved.is_(None))
            .group_by(FlagRecord.document_id)
        )
        with self._db.session("count flags") as session:
            return {doc: int(n) for doc, n in session.execute(stmt)}

    def assignments(self) -> dict[str, Assignment]:
        """Every review assignment, by document id."""
        with self._db.session("read review assignments") as session:
            return {
                r.document_id: Assignment(
                    r.document_id, r.reviewer, r.snoozed_until, r.snooze_reason, r.resolved
                )
                for r in session.scalars(select(ReviewAssignmentRecord))
            }

    def assign(
        self,
        document_id: str,
        *,
        reviewer: str | None,
        snoozed_until: datetime | None = None,
        snooze_reason: str | None = None,
        resolved: datetime | None = None,
    ) -> Assignment:
        """Set a document's reviewer, snooze or resolution (replacing the previous one)."""
        row = {
            "document_id": document_id,
            "reviewer": reviewer,
            "snoozed_until": snoozed_until,
            "snooze_reason": snooze_reason,
            "resolved": resolved,
            "updated": utcnow(),
        }
        with self._db.session("assign review") as session:
            upsert(session, ReviewAssignmentRecord, [row], keys=("document_id",))
        return Assignment(document_id, reviewer, snoozed_until, snooze_reason, resolved)


def lapse_changed(
    session: Session, document_id: str, text_hash: str, chunk_ids: Iterable[str]
) -> int:
    """Lapse verifications whose content changed: the document's text hash differs, or a
    verified passage is no longer among its chunks. Runs in the caller's transaction (the
    manifest's write of the document); returns how many lapsed."""
    rows = session.scalars(
        select(ModerationStateRecord)
        .where(
            ModerationStateRecord.document_id == document_id,
            ModerationStateRecord.state == "verified",
        )
        .with_for_update()
    ).all()
    if not rows:
        return 0
    chunks = set(chunk_ids)
    now = utcnow()
    lapsed = 0
    for r in rows:
        whole = r.chunk_id == WHOLE_DOCUMENT
        if (whole and r.text_hash and r.text_hash != text_hash) or (
            not whole and r.chunk_id not in chunks
        ):
            r.state, r.reason = "needs_review", CONTENT_CHANGED
            r.by_user, r.updated = INGESTION, now
            _event(session, document_id, r.chunk_id, INGESTION, "verified", r.state, r.reason, now)
            lapsed += 1
    return lapsed


def _event(
    session: Session,
    document_id: str,
    chunk_id: str,
    who: str,
    from_state: str | None,
    to_state: str,
    note: str | None,
    at: datetime,
) -> None:
    session.add(
        ModerationEventRecord(
            document_id=document_id,
            chunk_id=chunk_id,
            at=at,
            who=who,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
    )


def _state(r: ModerationStateRecord) -> ModerationState:
    return ModerationState(
        document_id=r.document_id,
        chunk_id=r.chunk_id,
        state=r.state,  # type: ignore[arg-type]  # only State values are written
        by=r.by_user,
        updated=r.updated,
        note=r.note,
        reason=r.reason,
        expires_at=r.expires_at,
        replaced_by=r.replaced_by,
    )


def _flag(r: FlagRecord) -> Flag:
    return Flag(
        id=r.id,
        document_id=r.document_id,
        chunk_id=r.chunk_id,
        user_id=r.user_id,
        kind=r.kind,  # type: ignore[arg-type]  # only FlagKind values are written
        note=r.note,
        created=r.created,
    )
