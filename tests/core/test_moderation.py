"""Moderation rules, badges and the bounded ranking lift (core/moderation.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.errors import PermissionDeniedError
from core.moderation import (
    ModerationRanking,
    ModerationState,
    apply_moderation,
    badge,
    by_document,
    effective,
    facet_counts,
    facet_of,
    require_moderator,
    require_review_requester,
    require_signed_in,
    verification_days,
)
from core.retrieval import demote_superseded
from core.schema import Passage, Principal, SourceKind
from core.sources import SourceConfig, SourcesConfig

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


def state(doc: str, st: str = "verified", chunk: str = "", **kw: object) -> ModerationState:
    kw.setdefault("expires_at", NOW + timedelta(days=41))
    return ModerationState(doc, chunk, st, "priya", NOW - timedelta(days=1), **kw)  # type: ignore[arg-type]


def passage(doc: str, score: float, chunk: str | None = None) -> Passage:
    return Passage(
        chunk_id=chunk or f"{doc}-c",
        document_id=doc,
        title=doc,
        kind=SourceKind.WIKI,
        source="wiki",
        text="t",
        start=0,
        end=1,
        score=score,
    )


def test_roles() -> None:
    reader = Principal(user_id="ann", role="reader")
    require_moderator(Principal(user_id="t", role="trainer"))
    require_moderator(Principal(user_id="a", role="admin"))
    with pytest.raises(PermissionDeniedError, match="trainer role; the caller is a reader"):
        require_moderator(reader)
    require_review_requester(reader, ["ann"], [])  # an author
    require_review_requester(reader, [], ["ann"])  # an owner
    with pytest.raises(PermissionDeniedError, match="authors or owners"):
        require_review_requester(reader, ["bob"], ["cy"])
    require_signed_in(reader)
    with pytest.raises(PermissionDeniedError, match="sign in"):
        require_signed_in(Principal())


def test_a_passage_state_wins_over_its_document_state() -> None:
    states = [state("d"), state("d", "needs_review", chunk="c2")]
    assert effective(states, "c2").state == "needs_review"  # type: ignore[union-attr]
    assert effective(states, "c1").state == "verified"  # type: ignore[union-attr]
    assert effective([], "c1") is None


def test_badge_labels() -> None:
    names = {"priya": "Priya Natarajan"}
    verified = badge(state("d"), 0, NOW, names, {})
    assert verified is not None
    assert verified.label == "Verified by Priya Natarajan · 11 Mar 2026 · expires in 41 days"
    assert (verified.state, verified.expires_in_days) == ("verified", 41)
    expired = badge(state("d", expires_at=NOW - timedelta(days=3)), 0, NOW, names, {})
    assert expired is not None and expired.state == "expired"
    assert expired.label.endswith("expired 3 days ago")
    outdated = state("d", "outdated", replaced_by="d2", expires_at=None)
    seen = badge(outdated, 3, NOW, names, {"d2": "Travel Policy 2026"})
    assert seen is not None
    assert seen.label == "Outdated — see Travel Policy 2026 · Flagged by 3 people"
    assert seen.replaced_by == "d2"
    hidden = badge(outdated, 0, NOW, names, {})  # the caller may not see the replacement
    assert hidden is not None and (hidden.label, hidden.replaced_by) == ("Outdated", None)
    assert badge(None, 1, NOW, names, {}).label == "Flagged by 1 person"  # type: ignore[union-attr]
    assert badge(None, 0, NOW, names, {}) is None


def test_a_valid_verification_lifts_by_a_bounded_share_of_the_spread() -> None:
    ranked = [passage("a", 1.0), passage("b", 0.98), passage("c", 0.5)]
    out = apply_moderation(ranked, by_document([state("b")]), 0.05, NOW)
    assert [p.document_id for p in out] == ["b", "a", "c"]  # 0.98 + 0.05 × 0.5 > 1.0
    assert out[0].score == pytest.approx(0.98 + 0.05 * 0.5)
    neutral = [state("b", expires_at=NOW - timedelta(seconds=1))]  # expired: no lift
    assert [p.document_id for p in apply_moderation(ranked, by_document(neutral), 0.05, NOW)] == [
        "a",
        "b",
        "c",
    ]
    review = [state("b", "needs_review")]
    assert apply_moderation(ranked, by_document(review), 0.05, NOW)[0].document_id == "a"


def test_the_lift_never_passes_a_clearly_more_relevant_passage() -> None:
    """Clearly more relevant = ahead by more than `lift` × the spread of the candidates."""
    rng = random.Random(7)
    for _ in range(500):
        lift = rng.choice([0.0, 0.02, 0.05, 0.1, 0.5])
        ranked = sorted(
            (passage(f"d{i}", rng.uniform(-1, 1)) for i in range(rng.randint(2, 12))),
            key=lambda p: -p.score,
        )
        scores = [p.score for p in ranked]
        spread = max(scores) - min(scores)
        verified = {p.document_id for p in ranked if rng.random() < 0.5}
        out = apply_moderation(ranked, by_document(state(d) for d in verified), lift, NOW)
        position = {p.document_id: i for i, p in enumerate(out)}
        for better in ranked:
            for worse in ranked:
                if worse.document_id in verified and better.score - worse.score > lift * spread:
                    assert position[better.document_id] < position[worse.document_id]


def test_outdated_content_ranks_below_its_replacement() -> None:
    ranked = [passage("old", 0.9), passage("x", 0.8), passage("new", 0.3)]
    states = by_document([state("old", "outdated", replaced_by="new", expires_at=None)])
    out = demote_superseded(apply_moderation(ranked, states, 0.05, NOW), 0.5)
    order = [p.document_id for p in out]
    assert order.index("new") < order.index("old")
    assert out[order.index("old")].superseded_by == "new"


def test_a_source_may_set_its_own_verification_interval(tmp_path: Path) -> None:
    sources = SourcesConfig(
        sources=[
            SourceConfig(name="policies", kind=SourceKind.DOC, path=tmp_path, verification_days=30),
            SourceConfig(name="wiki", kind=SourceKind.WIKI, path=tmp_path),
        ]
    )
    assert verification_days("policies", sources, 90) == 30
    assert verification_days("wiki", sources, 90) == 90
    assert verification_days("policies", None, 90) == 90
    # Not part of what ingestion hashes: changing it re-ingests nothing.
    assert "verification_days" not in sources.sources[0].model_dump()
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        SourceConfig(name="x", kind=SourceKind.DOC, path=tmp_path, verification_days=0)


def test_state_facets_by_hand() -> None:
    expired = state("d", expires_at=NOW - timedelta(days=1))
    assert facet_of(None, NOW) == "unreviewed"
    assert facet_of(state("d"), NOW) == "verified"
    assert facet_of(expired, NOW) == "needs_review"  # an expired verification waits
    assert facet_of(state("d", "outdated"), NOW) == "outdated"
    states = [
        state("a"),  # whole document verified: its 4 visible passages
        state("b", "outdated"),
        state("b", "verified", chunk="b1"),  # one passage of b verified, the other 2 outdated
        state("c", "needs_review", chunk="c1"),  # only a passage: the rest unreviewed
        state("hidden", "outdated"),  # the caller sees none of it: not counted
    ]
    visible = {"a": 4, "b": 3, "c": 2}
    assert facet_counts(states, visible, total=20, now=NOW) == {
        "verified": 4 + 1,
        "needs_review": 1,
        "outdated": 2,
        "unreviewed": 20 - 9 + 1,
    }
    assert facet_counts([], {}, 7, NOW) == {
        "verified": 0,
        "needs_review": 0,
        "outdated": 0,
        "unreviewed": 7,
    }


def test_the_ranking_filters_by_state_facets() -> None:
    class Lookup:
        def states_for(self, ids: object) -> list[ModerationState]:
            return [state("v"), state("o", "outdated"), state("x", expires_at=NOW)]

        def flag_counts(self, ids: object) -> dict[str, int]:
            return {}

    ranking = ModerationRanking(Lookup(), lift=0.0)
    passages = [passage(d, 1.0 - i / 10) for i, d in enumerate(["v", "o", "x", "u"])]

    def kept(*facets: str) -> list[str]:
        got = ranking.apply(passages, NOW, False, facets)  # type: ignore[arg-type]
        return sorted(p.document_id for p in got)

    assert kept("verified") == ["v"]
    assert kept("needs_review") == ["x"]
    assert kept("outdated", "unreviewed") == ["o", "u"]
    assert kept() == ["o", "u", "v", "x"]  # no facet: no filter
