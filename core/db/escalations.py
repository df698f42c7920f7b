"""Ask-an-expert tables and their store: requests, the history of every step, people's away.

    escalations         one request per escalated question: asker, assignee, status, answer
    escalation_events   every step: created, routed, declined, reassigned, forwarded, answered
                        (who, when)
    expert_status       a person's away_until, set by the person

Tables are created in place (schema 4); there is no foreign key to `questions` or `people`:
a request outlives a pruned question log and a person who left the directory.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.engine import Database, utcnow
from core.db.tables import Base, UTCDateTime
from core.errors import NotFoundError

Status = Literal["open", "answered", "unrouted", "retracted"]
Action = Literal[
    "created", "routed", "declined", "reassigned", "forwarded", "answered", "unrouted", "retracted"
]


class EscalationRecord(Base):
    """One question sent to a person."""

    __tablename__ = "escalations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(36), index=True)
    question: Mapped[str] = mapped_column(Text)
    asker_id: Mapped[str] = mapped_column(String(255), index=True)  # the principal's user id
    asker_person_id: Mapped[str | None] = mapped_column(String(255))
    groups: Mapped[list[str]] = mapped_column(JSON)  # the asker's access groups
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(255), index=True)
    tried: Mapped[list[str]] = mapped_column(JSON)  # people who declined or were passed over
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    assigned: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(255))
    document_id: Mapped[str | None] = mapped_column(String(255))  # the answer as knowledge
    context: Mapped[dict[str, Any]] = mapped_column(JSON)  # assistant's answer, citations


class EscalationEventRecord(Base):
    """One step in a request's history."""

    __tablename__ = "escalation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    escalation_id: Mapped[str] = mapped_column(String(36), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(Text)


class ExpertStatusRecord(Base):
    """A person's own availability."""

    __tablename__ = "expert_status"

    person_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    away_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class EscalationEvent:
    """One step of a request's history."""

    at: datetime
    who: str
    action: str
    person_id: str | None
    detail: str | None


@dataclass(frozen=True)
class Escalation:
    """A request as stored, with its history."""

    id: str
    question_id: str
    question: str
    asker_id: str
    asker_person_id: str | None
    groups: list[str]
    note: str | None
    status: Status
    assignee_id: str | None
    tried: list[str]
    created: datetime
    assigned: datetime | None
    answered: datetime | None
    answer: str | None
    answered_by: str | None
    document_id: str | None
    context: dict[str, Any]
    history: list[EscalationEvent]


class EscalationStore:
    """Requests and their history; every method is one transaction (changes serialized)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()  # one change of a request at a time in this process

    def create(
        self,
        *,
        question_id: str,
        question: str,
        asker_id: str,
        asker_person_id: str | None,
        groups: list[str],
        note: str | None,
        context: dict[str, Any],
    ) -> str:
        """A new request, not yet routed; returns its id."""
        now = utcnow()
        record = EscalationRecord(
            id=str(uuid.uuid4()),
            question_id=question_id,
            question=question,
            asker_id=asker_id,
            asker_person_id=asker_person_id,
            groups=sorted(groups),
            note=note,
            status="open",
            assignee_id=None,
            tried=[],
            created=now,
            context=context,
        )
        with self._lock, self._db.session("create escalation") as session:
            session.add(record)
            _event(session, record.id, asker_id, "created", None, note, now)
        return record.id

    def assign(
        self,
        escalation_id: str,
        person_id: str | None,
        who: str,
        detail: str,
        at: datetime | None = None,
        action: Action | None = None,
    ) -> None:
        """Route to a person (None: nobody fits, the request waits unrouted), as of `at`;
        `action` names the step when it is not plain routing (a forward)."""
        now = at or utcnow()
        with self._lock, self._db.session("assign escalation") as session:
            record = _get(session, escalation_id)
            previous = record.assignee_id
            if previous and previous != person_id and previous not in record.tried:
                record.tried = [*record.tried, previous]
            record.assignee_id = person_id
            record.assigned = now if person_id else None
            record.status = "open" if person_id else "unrouted"
            step: Action = "routed" if person_id else "unrouted"
            if previous and person_id:
                step = "reassigned"
            _event(session, escalation_id, who, action or step, person_id, detail, now)

    def decline(self, escalation_id: str, person_id: str, reason: str) -> None:
        """The assignee declines: recorded, and they are not asked again."""
        with self._lock, self._db.session("decline escalation") as session:
            record = _get(session, escalation_id)
            record.tried = [*record.tried, person_id]
            record.assignee_id = None
            _event(session, escalation_id, person_id, "declined", person_id, reason, utcnow())

    def answer(self, escalation_id: str, person_id: str, text: str, document_id: str) -> None:
        """The assignee's answer, and the document it became."""
        now = utcnow()
        with self._lock, self._db.session("answer escalation") as session:
            record = _get(session, escalation_id)
            record.status = "answered"
            record.answer = text
            record.answered = now
            record.answered_by = person_id
            record.document_id = document_id
            _event(session, escalation_id, person_id, "answered", person_id, document_id, now)

    def retract(self, escalation_id: str, person_id: str) -> None:
        """The author took the answer back (the text stays in the history's request)."""
        with self._lock, self._db.session("retract answer") as session:
            record = _get(session, escalation_id)
            record.status = "retracted"
            gone, record.document_id = record.document_id, None
            _event(session, escalation_id, person_id, "retracted", person_id, gone, utcnow())

    def get(self, escalation_id: str) -> Escalation:
        """The request with this id, with its history."""
        with self._db.session("get escalation") as session:
            return _escalation(session, _get(session, escalation_id))

    def inbox(self, person_id: str) -> list[Escalation]:
        """Open requests assigned to this person, oldest first."""
        stmt = (
            select(EscalationRecord)
            .where(EscalationRecord.assignee_id == person_id, EscalationRecord.status == "open")
            .order_by(EscalationRecord.created, EscalationRecord.id)
        )
        with self._db.session("list inbox") as session:
            return [_escalation(session, r) for r in session.scalars(stmt)]

    def waiting(self) -> list[Escalation]:
        """Every request not answered yet (open or unrouted), oldest first."""
        stmt = (
            select(EscalationRecord)
            .where(EscalationRecord.status.in_(("open", "unrouted")))
            .order_by(EscalationRecord.created, EscalationRecord.id)
        )
        with self._db.session("list waiting escalations") as session:
            return [_escalation(session, r) for r in session.scalars(stmt)]

    def since(self, moment: datetime) -> list[Escalation]:
        """Every request created since a moment, with its history (for the stats)."""
        stmt = (
            select(EscalationRecord)
            .where(EscalationRecord.created >= moment)
            .order_by(EscalationRecord.created, EscalationRecord.id)
        )
        with self._db.session("list escalations") as session:
            return [_escalation(session, r) for r in session.scalars(stmt)]

    def asked_by(self, asker_id: str) -> list[Escalation]:
        """The requests this caller sent, newest first."""
        stmt = (
            select(EscalationRecord)
            .where(EscalationRecord.asker_id == asker_id)
            .order_by(EscalationRecord.created.desc(), EscalationRecord.id)
        )
        with self._db.session("list own escalations") as session:
            return [_escalation(session, r) for r in session.scalars(stmt)]

    def open_counts(self) -> dict[str, int]:
        """Open requests per assignee (the load routing spreads)."""
        stmt = (
            select(EscalationRecord.assignee_id, func.count())
            .where(EscalationRecord.status == "open", EscalationRecord.assignee_id.is_not(None))
            .group_by(EscalationRecord.assignee_id)
        )
        with self._db.session("count open escalations") as session:
            return {pid: n for pid, n in session.execute(stmt).tuples() if pid}

    def set_away(self, person_id: str, until: datetime | None) -> None:
        """Mark a person away until a moment (None: back now)."""
        with self._lock, self._db.session("set away") as session:
            record = session.get(ExpertStatusRecord, person_id)
            if record is None:
                session.add(ExpertStatusRecord(person_id=person_id, away_until=until))
            else:
                record.away_until = until

    def away(self, person_ids: list[str]) -> dict[str, datetime]:
        """away_until of those people who set one."""
        if not person_ids:
            return {}
        stmt = select(ExpertStatusRecord).where(ExpertStatusRecord.person_id.in_(person_ids))
        with self._db.session("read away") as session:
            return {r.person_id: r.away_until for r in session.scalars(stmt) if r.away_until}


def _get(session: Session, escalation_id: str) -> EscalationRecord:
    record = session.get(EscalationRecord, escalation_id)
    if record is None:
        raise NotFoundError(f"request {escalation_id!r} not found")
    return record


def _event(
    session: Session,
    escalation_id: str,
    who: str,
    action: Action,
    person_id: str | None,
    detail: str | None,
    at: datetime,
) -> None:
    session.add(
        EscalationEventRecord(
            escalation_id=escalation_id,
            at=at,
            who=who,
            action=action,
            person_id=person_id,
            detail=detail,
        )
    )


def _escalation(session: Session, r: EscalationRecord) -> Escalation:
    events = session.scalars(
        select(EscalationEventRecord)
        .where(EscalationEventRecord.escalation_id == r.id)
        .order_by(EscalationEventRecord.id)
    )
    return Escalation(
        id=r.id,
        question_id=r.question_id,
        question=r.question,
        asker_id=r.asker_id,
        asker_person_id=r.asker_person_id,
        groups=list(r.groups),
        note=r.note,
        status=r.status,  # type: ignore[arg-type]  # stored from a Status
        assignee_id=r.assignee_id,
        tried=list(r.tried),
        created=r.created,
        assigned=r.assigned,
        answered=r.answered,
        answer=r.answer,
        answered_by=r.answered_by,
        document_id=r.document_id,
        context=dict(r.context),
        history=[EscalationEvent(e.at, e.who, e.action, e.person_id, e.detail) for e in events],
    )
