"""Ask-an-expert notifications: queued in the outbox (core/db/outbox.py), sent later.

    assigned   the new assignee: the question, the asker, the note (also after a decline,
               a reassignment or a forward, which says who forwarded it and why)
    moved      the previous assignee of a reassigned request: where it went and why
    declined   the asker: who declined, and who has the question now
    answered   the asker, with the answer

Channels are the reviewers' digest's (moderation.smtp_host, moderation.webhook_url): an e-mail
to the person's address when SMTP is configured, a Slack-compatible webhook post naming them
when a webhook is. With `escalation.notify_in_working_hours`, a message to someone outside
their working hours waits in the outbox until their next working day starts in their zone
(an unknown zone: sent at once). Queuing never fails a request: a storage error is logged and
the request goes on (it still sits in the inbox). The service's background timer
(service/timers.py) and `python -m service digest` deliver what is due, retried with backoff.
"""

from __future__ import annotations

import logging
from datetime import datetime

from core.config import Settings
from core.db import Escalation, Outbox
from core.errors import StorageError
from core.escalation import Hours, at_work, next_start
from core.schema import Person

log = logging.getLogger(__name__)

FOOTER = "Open the Inbox page of Watercooler to answer, decline or forward it."
QUOTE_CHARS = 2_000  # an answer longer than this is cut in the message (it is in the app)


class Notifier:
    """Queues the loop's messages for people, on the configured channels."""

    def __init__(self, outbox: Outbox, settings: Settings) -> None:
        self.outbox = outbox
        self.settings = settings
        self.hours = Hours(settings.experts.work_start, settings.experts.work_end)

    def assigned(
        self,
        request: Escalation,
        person: Person,
        asker: Person | None,
        now: datetime,
        how: str = "",
    ) -> int:
        """Tell the new assignee about the request; `how`: forwarded/reassigned, and why."""
        lines = [f"{_name(asker)} asks: {request.question}"]
        if request.note:
            lines.append(f"Their note: {request.note}")
        if how:
            lines.append(how)
        lines += ["", FOOTER]
        subject = f"Watercooler: a question for you from {_name(asker)}"
        return self.tell(person, subject, "\n".join(lines), now)

    def moved(
        self, request: Escalation, person: Person, to: Person | None, why: str, now: datetime
    ) -> int:
        """Tell the previous assignee their request moved on."""
        where = f"to {to.name}" if to else "back to routing (nobody else is available)"
        body = f"The question “{request.question}” was reassigned {where}: {why}."
        return self.tell(person, "Watercooler: a request was reassigned", body, now)

    def declined(
        self,
        request: Escalation,
        asker: Person,
        by: Person | None,
        to: Person | None,
        reason: str,
        now: datetime,
    ) -> int:
        """Tell the asker who declined and who has the question now."""
        now_with = f"It is now with {to.name}." if to else "Nobody else is available yet."
        body = f"{_name(by)} declined your question “{request.question}” ({reason}). {now_with}"
        return self.tell(asker, "Watercooler: your question was passed on", body, now)

    def answered(self, request: Escalation, asker: Person, expert: Person, now: datetime) -> int:
        """Tell the asker the answer."""
        text = request.answer or ""
        if len(text) > QUOTE_CHARS:
            text = text[:QUOTE_CHARS] + " …"
        body = (
            f"{expert.name} answered your question “{request.question}”:\n\n{text}\n\n"
            "The answer is now searchable and cited in Watercooler."
        )
        return self.tell(asker, f"Watercooler: {expert.name} answered your question", body, now)

    def tell(self, person: Person, subject: str, body: str, now: datetime) -> int:
        """Queue one message per configured channel; how many were queued (0 on failure)."""
        channels = self.settings.moderation
        when = self.due(person, now)
        queued = 0
        try:
            if channels.smtp_host and person.email:
                self.outbox.add("email", person.email, subject, body, when)
                queued += 1
            if channels.webhook_url:
                self.outbox.add("webhook", person.id, subject, f"For {person.name}: {body}", when)
                queued += 1
        except StorageError as exc:
            log.warning(
                "notification not queued", extra={"person_id": person.id, "error": str(exc)}
            )
        return queued

    def due(self, person: Person, now: datetime) -> datetime:
        """When a message to the person may go: now, or their next working day's start."""
        if not self.settings.escalation.notify_in_working_hours:
            return now
        if at_work(person.timezone, now, self.hours):
            return now
        return next_start(person.timezone, now, self.hours) or now


def _name(person: Person | None) -> str:
    return person.name if person else "Someone"
