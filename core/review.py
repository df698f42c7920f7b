"""The review queue: what needs a trainer, why, how much it matters, and who is accountable.

A document is queued for any of these reasons (on it or on one of its passages):
    verification expired, or expiring within `moderation.expiring_days`
    content changed since verification (re-ingestion lapsed it), or a review was requested
    flagged by readers (open flags)
    answers citing it were rated "wrong citation" / "not helpful" (last 30 days)
    outdated or superseded, yet answers still cite it (last 30 days)
    sources disagree: an answer's conflicting-figures check found it stating a different figure
        than another document (core/db/conflicts.py; once per pair, until a trainer decides)

Impact orders the queue, highest first:

    impact = (1 + cited) × (1 + 2 × negative + flaggers) × (1 + min(age_days, 365) / 90)

`cited` is how many logged answers of the last 30 days cited the document, `negative` how many
negative ratings those answers got, `flaggers` how many people hold an open flag, `age_days`
the days since its state last changed (else since the document was updated). Search results
shown are not logged, so "shown" counts only as citations.

One accountable reviewer per item: the one assigned, else a trainer among the document's
owners and authors, else a rotation among trainers (stable per document). Snoozed items are
hidden until their snooze ends; a resolved item returns only when its state changes or a new
flag arrives after the resolution.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.auth import LOCAL_KEY_LABEL
from core.config import ModerationSettings
from core.db.conflicts import ConflictStore, SourceConflict
from core.db.engine import Database
from core.db.insights import CONFLICT_NOTE
from core.db.keys import KeyStore
from core.db.manifest import DocumentEntry, ManifestStore
from core.db.moderation import Assignment, ModerationStore
from core.db.usage import Usage, usage_since
from core.moderation import CONTENT_CHANGED, Flag, ModerationState, by_document
from core.schema import Citation

WINDOW = timedelta(days=30)  # the question log's look-back for citations and ratings
_MAX_AGE_DAYS = 365
_QUEUE_SCAN = 100_000  # documents read to build the queue
_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class QueueItem:
    """One document in the review queue."""

    document_id: str
    title: str
    reasons: list[str]
    impact: float
    reviewer: str | None
    cited: int = 0
    negative: int = 0
    flaggers: int = 0
    age_days: int = 0
    snoozed_until: datetime | None = None
    snooze_reason: str | None = None
    states: list[ModerationState] = field(default_factory=list)
    last_change: datetime | None = None  # latest state change or flag (the digest's "new")


def impact(cited: int, negative: int, flaggers: int, age_days: int) -> float:
    """The documented impact formula (module docstring)."""
    age = min(max(age_days, 0), _MAX_AGE_DAYS)
    return round((1 + cited) * (1 + 2 * negative + flaggers) * (1 + age / 90), 3)


def reasons(
    entry: DocumentEntry,
    states: Sequence[ModerationState],
    flags: Sequence[Flag],
    usage: Usage,
    now: datetime,
    expiring_days: int,
    conflicts: Sequence[SourceConflict] = (),
    titles: Mapping[str, str] | None = None,
) -> list[str]:
    """Why a document needs a trainer (empty: it does not). `titles` names the other side of
    a disagreement when the caller may see it."""
    out: list[str] = []
    for s in states:
        where = f"passage {s.chunk_id[:8]}: " if s.chunk_id else ""
        if s.state == "verified" and s.expires_at is not None:
            if s.expires_at <= now:
                ago = (now - s.expires_at).days
                out.append(f"{where}verification expired {ago} days ago")
            elif (days := (s.expires_at - now).days) < expiring_days:
                out.append(f"{where}verification expires in {days} days")
        elif s.state == "needs_review":
            text = s.reason if s.reason == CONTENT_CHANGED else f"review requested: {s.reason}"
            out.append(f"{where}{text}")
        elif s.state == "outdated" and usage.cited:
            out.append(f"{where}outdated, yet cited by {usage.cited} answers in 30 days")
    if entry.superseded_by and usage.cited:
        out.append(f"superseded, yet cited by {usage.cited} answers in 30 days")
    if flags:
        people = len({f.user_id for f in flags})
        kinds = ", ".join(sorted({f.kind for f in flags}))
        out.append(f"flagged by {people} {'person' if people == 1 else 'people'} ({kinds})")
    if usage.negative:
        out.append(f"{usage.negative} negative ratings on answers citing it in 30 days")
    for c in conflicts:
        other = (titles or {}).get(c.other_id)
        out.append(f"sources disagree: {other}" if other else "sources disagree: another document")
    return out


def disagreeing(text: str, citations: Sequence[Citation]) -> list[str]:
    """The documents an answer's conflicting-figures note cites, in its order (none without a
    note). The note is its own paragraph (core/generation/disputes.py); its markers are the
    answer's, so the citations say which documents they are."""
    documents = {c.marker: c.document_id for c in citations}
    for paragraph in text.split("\n"):
        if CONFLICT_NOTE in paragraph:
            cited = [documents.get(int(m)) for m in _MARKER.findall(paragraph)]
            return list(dict.fromkeys(d for d in cited if d))
    return []


def record_disagreement(
    conflicts: ConflictStore, text: str, citations: Sequence[Citation], question_id: str
) -> int:
    """Queue the documents an answer found disagreeing ("sources disagree"); how many pairs."""
    documents = disagreeing(text, citations)
    note = next((p.strip() for p in text.split("\n") if CONFLICT_NOTE in p), None)
    pairs = [(a, b) for i, a in enumerate(documents) for b in documents[i + 1 :]]
    for a, b in pairs:
        conflicts.record(a, b, question_id=question_id, detail=note)
    return len(pairs)


def rotation(document_id: str, trainers: Sequence[str]) -> str | None:
    """A trainer chosen by the document's id: the same one every time for the same trainers."""
    if not trainers:
        return None
    ordered = sorted(set(trainers))
    digest = int(hashlib.sha256(document_id.encode()).hexdigest()[:8], 16)
    return ordered[digest % len(ordered)]


def reviewer(
    entry: DocumentEntry, assignment: Assignment | None, trainers: Sequence[str]
) -> str | None:
    """The accountable reviewer: assigned, else a trainer who owns or wrote it, else rotation."""
    if assignment is not None and assignment.reviewer:
        return assignment.reviewer
    for person in [*entry.owner_ids, *entry.author_ids]:
        if person in trainers:
            return person
    return rotation(entry.id, trainers)


def build_queue(
    entries: Iterable[DocumentEntry],
    states: Mapping[str, list[ModerationState]],
    flags: Mapping[str, list[Flag]],
    usage: Mapping[str, Usage],
    assignments: Mapping[str, Assignment],
    trainers: Sequence[str],
    now: datetime,
    expiring_days: int,
    include_snoozed: bool = False,
    conflicts: Mapping[str, list[SourceConflict]] | None = None,
) -> list[QueueItem]:
    """The queue over `entries` (only documents the caller may see), by impact."""
    entries = list(entries)
    titles = {e.id: e.title for e in entries}
    items = []
    for entry in entries:
        doc_states = states.get(entry.id, [])
        doc_flags = flags.get(entry.id, [])
        disputes = (conflicts or {}).get(entry.id, [])
        use = usage.get(entry.id, Usage())
        why = reasons(entry, doc_states, doc_flags, use, now, expiring_days, disputes, titles)
        if not why:
            continue
        assignment = assignments.get(entry.id)
        news = [f.created for f in doc_flags] + [c.first_seen for c in disputes]
        hidden = assignment is not None and _hidden(assignment, doc_states, news, now)
        if hidden and (not include_snoozed or (assignment and assignment.resolved)):
            continue
        changed = max((s.updated for s in doc_states), default=entry.updated or now)
        age = (now - changed).days
        flaggers = len({f.user_id for f in doc_flags})
        items.append(
            QueueItem(
                document_id=entry.id,
                title=entry.title,
                reasons=why,
                impact=impact(use.cited, use.negative, flaggers, age),
                reviewer=reviewer(entry, assignment, trainers),
                cited=use.cited,
                negative=use.negative,
                flaggers=flaggers,
                age_days=age,
                snoozed_until=assignment.snoozed_until if assignment else None,
                snooze_reason=assignment.snooze_reason if assignment else None,
                states=list(doc_states),
                last_change=max([s.updated for s in doc_states] + news, default=None),
            )
        )
    return sorted(items, key=lambda i: (-i.impact, i.title, i.document_id))


def gather(
    db: Database,
    keys: KeyStore,
    visible: Callable[[DocumentEntry], bool],
    settings: ModerationSettings,
    now: datetime,
    include_snoozed: bool = False,
) -> list[QueueItem]:
    """The queue read from the database, over the documents `visible` lets through."""
    moderation, manifest = ModerationStore(db), ManifestStore(db)
    entries = [e for e in manifest.list_documents(limit=_QUEUE_SCAN) if visible(e)]
    flags: dict[str, list[Flag]] = {}
    for f in moderation.open_flags():
        flags.setdefault(f.document_id, []).append(f)
    conflicts: dict[str, list[SourceConflict]] = {}
    for c in ConflictStore(db).open_conflicts():
        conflicts.setdefault(c.document_id, []).append(c)
    return build_queue(
        entries,
        by_document(moderation.all_states()),
        flags,
        usage_since(db, now - WINDOW),
        moderation.assignments(),
        trainers(keys),
        now,
        settings.expiring_days,
        include_snoozed,
        conflicts,
    )


def trainers(keys: KeyStore, roles: tuple[str, ...] = ("trainer",)) -> list[str]:
    """User ids holding an active key of one of `roles` (the service's own key aside)."""
    active = keys.list(include_revoked=False, limit=10_000)
    return sorted({k.user_id for k in active if k.role in roles and k.label != LOCAL_KEY_LABEL})


def _hidden(
    a: Assignment, states: Sequence[ModerationState], news: Sequence[datetime], now: datetime
) -> bool:
    """Snoozed until later, or resolved with nothing new since (a state change, a flag or a
    disagreement first seen after the resolution)."""
    if a.snoozed_until is not None and a.snoozed_until > now:
        return True
    if a.resolved is None:
        return False
    newer = [s.updated for s in states] + list(news)
    return not any(t > a.resolved for t in newer)
