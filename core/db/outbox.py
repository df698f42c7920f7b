"""The outbox: messages to send (reviewers' digests, ask-an-expert notifications), retried
with backoff until sent or given up.

A message is written first and sent later (`python -m service digest`, or the service's
background timer), so a mail server or webhook that is down loses nothing and never slows a
request. No schema step: the table is
new, and Database creates missing tables when it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db.engine import Database, utcnow
from core.db.tables import Base, UTCDateTime


class OutboxRecord(Base):
    """One message to one recipient over one channel."""

    __tablename__ = "moderation_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | webhook
    recipient: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed: Mapped[datetime | None] = mapped_column(UTCDateTime)  # given up
    last_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Message:
    """A message of the outbox."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    attempts: int
    sent: datetime | None
    failed: datetime | None
    last_error: str | None
    created: datetime | None = None
    next_attempt: datetime | None = None


class Outbox:
    """Adds messages, hands out those due, records each attempt."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        channel: str,
        recipient: str,
        subject: str,
        body: str,
        not_before: datetime | None = None,
    ) -> int:
        """Queue a message, due now or at `not_before` (the caller's clock: e.g. the recipient's
        next working day); its id."""
        now = utcnow()
        record = OutboxRecord(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            created=now,
            attempts=0,
            next_attempt=not_before or now,
        )
        with self._db.session("queue message") as session:
            session.add(record)
            session.flush()
            return record.id

    def due(self, now: datetime) -> list[Message]:
        """Unsent messages whose next attempt has come, oldest first."""
        stmt = (
            select(OutboxRecord)
            .where(
                OutboxRecord.sent.is_(None),
                OutboxRecord.failed.is_(None),
                OutboxRecord.next_attempt <= now,
            )
            .order_by(OutboxRecord.id)
        )
        with self._db.session("read outbox") as session:
            return [_message(r) for r in session.scalars(stmt)]

    def all(self) -> list[Message]:
        """Every message, oldest first."""
        with self._db.session("read outbox") as session:
            return [
                _message(r) for r in session.scalars(select(OutboxRecord).order_by(OutboxRecord.id))
            ]

    def latest(self, limit: int = 100) -> list[Message]:
        """The newest messages, newest first (what admins look at)."""
        stmt = select(OutboxRecord).order_by(OutboxRecord.id.desc()).limit(limit)
        with self._db.session("read outbox") as session:
            return [_message(r) for r in session.scalars(stmt)]

    def attempted(
        self, message_id: int, now: datetime, error: str | None, backoff_s: float, max_attempts: int
    ) -> None:
        """Record an attempt: sent, or retried after backoff × 2^(attempts − 1), or given up."""
        with self._db.session("record delivery") as session:
            r = session.get(OutboxRecord, message_id)
            if r is None:
                return
            r.attempts += 1
            if error is None:
                r.sent, r.last_error = now, None
            else:
                r.last_error = error[:500]
                r.next_attempt = now + timedelta(seconds=backoff_s * 2 ** (r.attempts - 1))
                if r.attempts >= max_attempts:
                    r.failed = now


def _message(r: OutboxRecord) -> Message:
    return Message(
        r.id,
        r.channel,
        r.recipient,
        r.subject,
        r.body,
        r.attempts,
        r.sent,
        r.failed,
        r.last_error,
        r.created,
        r.next_attempt,
    )
