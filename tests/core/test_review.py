"""The review queue's formula, reasons, reviewer choice and hiding (core/review.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db.conflicts import SourceConflict
from core.db.manifest import DocumentEntry
from core.db.moderation import Assignment
from core.db.usage import Usage
from core.moderation import CONTENT_CHANGED, Flag, ModerationState
from core.review import build_queue, disagreeing, impact, reasons, reviewer, rotation
from core.schema import Citation, SourceKind

NOW = datetime(2026, 3, 12, tzinfo=UTC)


def entry(
    doc: str, owners: list[str] | None = None, superseded: str | None = None
) -> DocumentEntry:
    return DocumentEntry(
        id=doc,
        source="wiki",
        native_id=doc,
        path=None,
        kind="wiki",
        title=doc.upper(),
        url=None,
        content_hash="h",
        chunk_ids=[],
        author_ids=[],
        owner_ids=owners or [],
        groups=[],
        updated=NOW - timedelta(days=45),
        superseded_by=superseded,
        last_seen=NOW,
        status="ok",
    )


def flag(doc: str, user: str, kind: str = "wrong", at: datetime = NOW) -> Flag:
    return Flag(1, doc, "", user, kind, None, at)  # type: ignore[arg-type]


def test_impact_by_hand() -> None:
    assert impact(0, 0, 0, 0) == 1.0
    assert impact(3, 1, 0, 0) == 12.0  # (1 + 3) × (1 + 2)
    assert impact(1, 0, 2, 45) == pytest.approx(2 * 3 * 1.5)
    assert impact(0, 0, 0, 10_000) == impact(0, 0, 0, 365)  # age is capped


def test_reasons() -> None:
    states = [
        ModerationState("d", "", "verified", "t", NOW, expires_at=NOW - timedelta(days=2)),
        ModerationState(
            "d", "c1234567890", "needs_review", "ingestion", NOW, reason=CONTENT_CHANGED
        ),
        ModerationState("d", "c2", "outdated", "t", NOW),
    ]
    flags = [flag("d", "ann", "wrong"), flag("d", "ann", "unclear"), flag("d", "bob")]
    got = reasons(entry("d", superseded="e"), states, flags, Usage(4, 2), NOW, 14)
    assert got == [
        "verification expired 2 days ago",
        "passage c1234567: content changed since verification",
        "passage c2: outdated, yet cited by 4 answers in 30 days",
        "superseded, yet cited by 4 answers in 30 days",
        "flagged by 2 people (unclear, wrong)",
        "2 negative ratings on answers citing it in 30 days",
    ]
    fresh = ModerationState("d", "", "verified", "t", NOW, expires_at=NOW + timedelta(days=60))
    assert reasons(entry("d"), [fresh], [], Usage(), NOW, 14) == []
    soon = ModerationState("d", "", "verified", "t", NOW, expires_at=NOW + timedelta(days=10))
    assert reasons(entry("d"), [soon], [], Usage(), NOW, 14) == ["verification expires in 10 days"]


def test_one_accountable_reviewer() -> None:
    trainers = ["tess", "dev", "uma"]
    assert reviewer(entry("d", owners=["dev"]), None, trainers) == "dev"
    assigned = Assignment("d", "uma", None, None, None)
    assert reviewer(entry("d", owners=["dev"]), assigned, trainers) == "uma"
    picks = {rotation(f"doc{i}", trainers) for i in range(60)}
    assert picks == set(trainers)  # the rotation spreads the work
    assert rotation("doc7", trainers) == rotation("doc7", list(reversed(trainers)))
    assert rotation("doc7", []) is None


def test_snoozed_and_resolved_items_are_hidden_until_something_new() -> None:
    flags = {"d": [flag("d", "ann", at=NOW - timedelta(days=2))]}
    later = Assignment("d", "t", NOW + timedelta(days=1), "on leave", None)
    snoozed = {"d": later}
    assert build_queue([entry("d")], {}, flags, {}, snoozed, ["t"], NOW, 14) == []
    (item,) = build_queue([entry("d")], {}, flags, {}, snoozed, ["t"], NOW, 14, True)
    assert item.snooze_reason == "on leave"
    resolved = Assignment("d", "t", None, None, NOW - timedelta(days=1))
    assert build_queue([entry("d")], {}, flags, {}, {"d": resolved}, ["t"], NOW, 14) == []
    flags["d"].append(flag("d", "bob"))  # a new flag after the resolution
    (item,) = build_queue([entry("d")], {}, flags, {}, {"d": resolved}, ["t"], NOW, 14)
    assert item.flaggers == 2 and item.age_days == 45


def cite(marker: int, doc: str) -> Citation:
    return Citation(
        marker=marker, chunk_id=f"{doc}-c", document_id=doc, title=doc, kind=SourceKind.WIKI,
        source="wiki", text="t", score=1.0, start=0, end=1,
    )  # fmt: skip


def test_the_documents_an_answer_found_disagreeing() -> None:
    citations = [cite(1, "faq"), cite(2, "standards"), cite(3, "other")]
    text = (
        "The pass mark is 75 percent [1]. It is 80 percent [2].\n\n"
        "Note: the sources disagree here: [1] says 75 percent, [2] says 80 percent; "
        "[2] is the newer one (updated 2025-07-01)."
    )
    assert disagreeing(text, citations) == ["faq", "standards"]
    assert disagreeing("The pass mark is 80 percent [2] [3].", citations) == []
    # Markers without a citation name nothing.
    assert disagreeing("Note: the sources disagree here: [7] says 1, [9] says 2.", citations) == []


def test_disagreements_are_reasons_until_resolved_and_come_back_when_new() -> None:
    seen = NOW - timedelta(days=3)
    pair = SourceConflict("d", "e", seen, NOW, 2, "Note: the sources disagree here")
    hidden = SourceConflict("d", "secret", seen, NOW, 1, None)
    entries = [entry("d"), entry("e")]
    (item,) = build_queue(entries, {}, {}, {}, {}, ["t"], NOW, 14, conflicts={"d": [pair, hidden]})
    # The other side is named only when the caller may see it (it is among the entries).
    assert item.reasons == ["sources disagree: E", "sources disagree: another document"]
    assert item.last_change == seen
    resolved = {"d": Assignment("d", "t", None, None, NOW - timedelta(days=1))}
    queue = build_queue(entries, {}, {}, {}, resolved, ["t"], NOW, 14, conflicts={"d": [pair]})
    assert queue == []  # seen before the resolution
    new = SourceConflict("d", "f", NOW, NOW, 1, None)
    (item,) = build_queue(entries, {}, {}, {}, resolved, ["t"], NOW, 14, conflicts={"d": [new]})
    assert item.reasons == ["sources disagree: another document"]
