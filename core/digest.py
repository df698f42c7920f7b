"""The reviewers' digest: each accountable reviewer's new and overdue queue items, batched.

    compose(items, now)            the subject and text of one reviewer's digest
    enqueue(outbox, ...)           one message per reviewer and channel (e-mail, webhook)
    deliver(outbox, senders, ...)  send what is due; a failure is retried with backoff

"New" items changed (state or flag) within the last day; "overdue" ones hold an expired
verification. Sending never happens inside a request: `python -m service digest` (daily, from
cron or a timer) queues and delivers; a server that is down only delays its messages.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx

from core.config import ModerationSettings
from core.db.outbox import Message, Outbox
from core.review import QueueItem

log = logging.getLogger(__name__)

Sender = Callable[[Message], None]  # raises on failure
PERIOD = timedelta(days=1)


def split(
    items: Sequence[QueueItem], now: datetime, period: timedelta = PERIOD
) -> tuple[list[QueueItem], list[QueueItem]]:
    """(new, overdue): changed within `period`; holding an expired verification."""
    new = [i for i in items if i.last_change is not None and i.last_change > now - period]
    overdue = [i for i in items if any(r.startswith("verification expired") for r in i.reasons)]
    return new, [i for i in overdue if i not in new]


def compose(items: Sequence[QueueItem], now: datetime) -> tuple[str, str] | None:
    """One reviewer's digest, or None when nothing is new or overdue."""
    new, overdue = split(items, now)
    if not new and not overdue:
        return None
    lines: list[str] = []
    for heading, group in (("New", new), ("Overdue", overdue)):
        if group:
            lines.append(f"{heading} ({len(group)}):")
            for item in group:
                lines.append(f"- {item.title} (impact {item.impact:g}): {'; '.join(item.reasons)}")
            lines.append("")
    lines.append("Open the Review page of Watercooler to act on them.")
    return f"Watercooler review: {len(new)} new, {len(overdue)} overdue", "\n".join(lines)


def enqueue(
    outbox: Outbox,
    items: Sequence[QueueItem],
    emails: Mapping[str, str],
    settings: ModerationSettings,
    now: datetime,
) -> int:
    """Queue each reviewer's digest on the configured channels; how many messages."""
    by_reviewer: dict[str, list[QueueItem]] = {}
    for item in items:
        if item.reviewer:
            by_reviewer.setdefault(item.reviewer, []).append(item)
    queued = 0
    for reviewer, theirs in sorted(by_reviewer.items()):
        digest = compose(theirs, now)
        if digest is None:
            continue
        subject, body = digest
        if settings.smtp_host and reviewer in emails:
            outbox.add("email", emails[reviewer], subject, body)
            queued += 1
        if settings.webhook_url:
            outbox.add("webhook", reviewer, subject, f"For {reviewer}: {subject}\n{body}")
            queued += 1
    return queued


def smtp_sender(settings: ModerationSettings) -> Sender:
    """Sends e-mail through the configured SMTP server."""

    def send(message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = (
            settings.smtp_from,
            message.recipient,
            message.subject,
        )
        mail.set_content(message.body)
        host = settings.smtp_host or "localhost"
        with smtplib.SMTP(host, settings.smtp_port, timeout=settings.send_timeout_s) as smtp:
            smtp.send_message(mail)

    return send


def webhook_sender(settings: ModerationSettings) -> Sender:
    """Posts Slack-compatible JSON ({"text": ...}) to the configured webhook."""

    def send(message: Message) -> None:
        response = httpx.post(
            settings.webhook_url or "",
            json={"text": message.body},
            timeout=settings.send_timeout_s,
        )
        response.raise_for_status()

    return send


def deliver(
    outbox: Outbox, senders: Mapping[str, Sender], settings: ModerationSettings, now: datetime
) -> tuple[int, int]:
    """Send every due message; (sent, failed this time). Never raises for a delivery."""
    sent = failed = 0
    for message in outbox.due(now):
        sender = senders.get(message.channel)
        try:
            if sender is None:
                raise RuntimeError(f"no {message.channel} channel is configured")
            sender(message)
        except (OSError, smtplib.SMTPException, httpx.HTTPError, RuntimeError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            outbox.attempted(message.id, now, error, settings.backoff_s, settings.max_attempts)
            log.warning("digest not delivered", extra={"id": message.id, "error": error})
            failed += 1
            continue
        outbox.attempted(message.id, now, None, settings.backoff_s, settings.max_attempts)
        sent += 1
    return sent, failed
