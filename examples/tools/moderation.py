"""A moderation state for the sample content, so the badges and the Review page show everything.

    python -m examples.tools.moderation [--write [--if-empty]] [--db URL]

Priya Natarajan (Head of Learning Design, in examples/sample/people.yaml) is the trainer:

    verified, 41 days left     Expense and Travel Policy 2025
    verified, expiring soon    Quiz and assessment standards (2025)   (5 days left)
    verified, expired          Information Security Policy            (12 days ago)
    outdated, replaced         Facilitator Onboarding 2023 → Facilitator onboarding programme (2025)
    flagged passage            Password manager (Vaultline) rules     (two readers)
    review requested           Campus LMS runbook                     (by its owner)

`--write` records it in the configured database (`make run` does so while no state exists);
without it, the plan is printed. Give Priya a trainer key to act on the queue:
`python -m service keys create --user <her id, printed here> --role trainer`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.moderation import text_hash
from core.schema import person_id_for

TRAINER = person_id_for("Priya Natarajan", "priya.natarajan@brightpath.example")
READERS = (
    person_id_for("Aisha Okafor", "aisha.okafor@brightpath.example"),
    person_id_for("Daniel Whitaker", "daniel.whitaker@brightpath.example"),
)


@dataclass(frozen=True)
class Planned:
    """One moderation step on a document named by its title."""

    title: str
    action: str  # verified | outdated | flag | needs_review
    days: int = 0  # verified: days until expiry (negative: expired that long ago)
    note: str | None = None
    replaced_by: str | None = None  # outdated: the replacement's title


PLAN = (
    Planned("Expense and Travel Policy 2025", "verified", 41, "Checked with Finance"),
    Planned("Quiz and assessment standards (2025)", "verified", 5, "Pass mark confirmed"),
    Planned("Information Security Policy", "verified", -12, "Reviewed with IT"),
    Planned(
        "Facilitator Onboarding 2023",
        "outdated",
        note="The 2025 programme replaces it",
        replaced_by="Facilitator onboarding programme (2025)",
    ),
    Planned("Password manager (Vaultline) rules", "flag", note="Is the vault still Vaultline?"),
    Planned("Campus LMS runbook", "needs_review", note="The escalation contacts changed"),
)


def main(argv: list[str] | None = None) -> int:
    """Print the plan, or write it into the database."""
    parser = argparse.ArgumentParser(prog="python -m examples.tools.moderation")
    parser.add_argument("--write", action="store_true", help="record it in the database")
    parser.add_argument("--if-empty", action="store_true", help="only when no state exists")
    parser.add_argument("--db", help="database URL (default: the configured one)")
    args = parser.parse_args(argv)
    if not args.write:
        print(f"trainer: Priya Natarajan ({TRAINER})")
        for step in PLAN:
            print(f"{step.action:13} {step.title}")
        return 0

    from core.config import get_settings
    from core.db import Database, ManifestStore, ModerationStore

    settings = get_settings()
    db = Database(args.db or settings.database_url)
    try:
        store, manifest = ModerationStore(db), ManifestStore(db)
        if args.if_empty and store.all_states():
            print("moderation states exist: no sample written")
            return 0
        ids = {e.title: e for e in manifest.list_documents(limit=100_000)}
        missing = [s.title for s in PLAN if s.title not in ids]
        if missing:
            print(f"not ingested (run `python -m ingest run` first): {', '.join(missing)}")
            return 1
        now = datetime.now(UTC)
        for step in PLAN:
            doc = ids[step.title]
            if step.action == "verified":
                digest = text_hash(manifest.load_document(doc.id).text)
                expires = now + timedelta(days=step.days, hours=1)
                store.change(
                    doc.id,
                    "verified",
                    TRAINER,
                    note=step.note,
                    expires_at=expires,
                    text_hash=digest,
                )
            elif step.action == "outdated":
                replacement = ids[step.replaced_by or ""].id
                store.change(doc.id, "outdated", TRAINER, note=step.note, replaced_by=replacement)
            elif step.action == "flag":
                chunk = doc.chunk_ids[0] if doc.chunk_ids else ""
                store.flag(doc.id, chunk, READERS[0], "outdated", step.note)
                store.flag(doc.id, chunk, READERS[1], "unclear", None)
            else:
                owner = (doc.owner_ids or doc.author_ids or [TRAINER])[0]
                store.change(doc.id, "needs_review", owner, reason=step.note)
        print(f"sample moderation written; trainer: Priya Natarajan ({TRAINER})")
        return 0
    finally:
        db.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
