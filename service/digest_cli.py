"""`python -m service digest [--dry-run]`: queue each reviewer's digest and deliver the outbox.

Run it daily (cron, a systemd timer). Each accountable reviewer gets the new and overdue items
of the review queue among the documents their keys may see; messages go through the outbox
(core/db/outbox.py), so a mail server or webhook that is down only delays them. `--dry-run`
prints what would be sent and writes nothing.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from core.auth import can_see
from core.config import Settings
from core.db import Database, KeyStore, ManifestStore, Outbox, PeopleStore
from core.digest import compose, deliver, enqueue, smtp_sender, webhook_sender
from core.review import QueueItem, gather
from core.schema import Principal


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `digest` command."""
    digest = sub.add_parser("digest", help="send reviewers their review-queue digest")
    digest.add_argument("--dry-run", action="store_true", help="print, send nothing")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Queue the digests (unless --dry-run), then deliver what is due; exit 0."""
    db = Database(settings.database_url)
    try:
        now = datetime.now(UTC)
        keys = KeyStore(db)
        items = reviewer_items(db, keys, settings, now)
        if args.dry_run:
            for reviewer, theirs in sorted(items.items()):
                digest = compose(theirs, now)
                if digest:
                    print(f"To {reviewer}: {digest[0]}\n{digest[1]}\n")
            return 0
        people = PeopleStore(db).get_many(list(items))
        emails = {pid: p.email for pid, p in people.items() if p.email}
        outbox = Outbox(db)
        queued = sum(
            enqueue(outbox, theirs, emails, settings.moderation, now) for theirs in items.values()
        )
        moderation = settings.moderation
        senders = {"email": smtp_sender(moderation), "webhook": webhook_sender(moderation)}
        sent, failed = deliver(outbox, senders, moderation, datetime.now(UTC))
        print(f"queued {queued}, sent {sent}, failed {failed} (retried later)")
        return 0
    finally:
        db.dispose()


def reviewer_items(
    db: Database, keys: KeyStore, settings: Settings, now: datetime
) -> dict[str, list[QueueItem]]:
    """Each reviewer's queue items, only among the documents the reviewer may see."""
    groups: dict[str, set[str]] = {}
    for key in keys.list(include_revoked=False, limit=10_000):
        groups.setdefault(key.user_id, set()).update(key.groups)
    groups_of = {e.id: e.groups for e in ManifestStore(db).list_documents(limit=100_000)}
    out: dict[str, list[QueueItem]] = {}
    for item in gather(db, keys, lambda _e: True, settings.moderation, now):
        if item.reviewer is None:
            continue
        reader = Principal(user_id=item.reviewer, groups=sorted(groups.get(item.reviewer, set())))
        if can_see(reader, groups_of.get(item.document_id, [])):
            out.setdefault(item.reviewer, []).append(item)
    return out
