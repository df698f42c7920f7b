"""Knowledge moderation: the states trainers give content, who may change them, and the lift.

    verified      a trainer vouches for it (by, note, expires_at); valid until it expires
    needs_review  a trainer should look at it (reason), e.g. "content changed since verification"
    outdated      retired, optionally pointing at the document that replaces it

A state applies to a whole document (chunk_id "") or to one of its passages (a chunk id).
Rules: trainers and admins change states; any signed-in user flags a passage (outdated,
wrong, unclear); a document's authors and owners may also request a review.

Ranking (after fusion and reranking): a valid verification adds `lift` × the spread of the
candidates' scores (max − min), so a passage ahead by more than that share is never passed;
an `outdated` passage with a replacement is treated as superseded by it (demoted below it);
lapsed or expired verifications and needs_review are neutral.

Facets: a passage counts as verified (a valid verification), needs_review (asked for, or a
verification that expired), outdated, or unreviewed (no state); search and ask filter by them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from core.api import ModerationStateName, ModerationStateOut
from core.errors import PermissionDeniedError
from core.schema import ModerationBadge, Passage, Principal
from core.sources import SourcesConfig

State = ModerationStateName
StateFacet = Literal["verified", "needs_review", "outdated", "unreviewed"]
STATE_FACETS: tuple[StateFacet, ...] = ("verified", "needs_review", "outdated", "unreviewed")
FlagKind = Literal["outdated", "wrong", "unclear"]
STATES: tuple[State, ...] = ("verified", "needs_review", "outdated")
FLAG_KINDS: tuple[FlagKind, ...] = ("outdated", "wrong", "unclear")
CONTENT_CHANGED = "content changed since verification"
MODERATOR_ROLES = frozenset({"trainer", "admin"})
WHOLE_DOCUMENT = ""  # the chunk_id of a state that covers the whole document


class ModerationState(ModerationStateOut):
    """The current state of a document (chunk_id "") or of one of its passages: the API's
    shape (one definition) and the document it belongs to."""

    document_id: str

    def __init__(
        self,
        document_id: str,
        chunk_id: str,
        state: State,
        by: str,
        updated: datetime,
        **optional: Any,
    ) -> None:
        super().__init__(
            document_id=document_id,
            chunk_id=chunk_id,
            state=state,
            by=by,
            updated=updated,
            **optional,
        )

    def is_valid_verification(self, now: datetime) -> bool:
        """Verified and not expired."""
        return self.state == "verified" and (self.expires_at is None or self.expires_at > now)


@dataclass(frozen=True)
class ModerationEvent:
    """One change of state, as the history shows it."""

    document_id: str
    chunk_id: str
    at: datetime
    who: str
    from_state: str | None
    to_state: str
    note: str | None = None


@dataclass(frozen=True)
class Flag:
    """A reader's report that a passage is outdated, wrong or unclear."""

    id: int
    document_id: str
    chunk_id: str
    user_id: str
    kind: FlagKind
    note: str | None
    created: datetime


class StateLookup(Protocol):
    """What ranking and badges need: current states and open flag counts by document."""

    def states_for(self, document_ids: Iterable[str]) -> list[ModerationState]: ...

    def flag_counts(self, document_ids: Iterable[str]) -> dict[str, int]: ...


@dataclass(frozen=True)
class ModerationRanking:
    """The ranking step the retriever runs after reranking: states read, lift applied."""

    lookup: StateLookup
    lift: float

    def apply(
        self,
        passages: list[Passage],
        now: datetime,
        verified_only: bool,
        facets: Iterable[StateFacet] | None = None,
    ) -> list[Passage]:
        """Passages lifted and marked superseded as the states say; only validly verified
        ones when `verified_only`, only those in one of `facets` when given."""
        if not passages:
            return passages
        states = by_document(self.lookup.states_for({p.document_id for p in passages}))
        if verified_only:
            passages = [p for p in passages if is_verified(states, p, now)]
        if facets:
            wanted = set(facets)
            passages = [
                p
                for p in passages
                if facet_of(effective(states.get(p.document_id, []), p.chunk_id), now) in wanted
            ]
        return apply_moderation(passages, states, self.lift, now)


def is_verified(states: Mapping[str, list[ModerationState]], p: Passage, now: datetime) -> bool:
    """Whether a valid verification covers the passage."""
    state = effective(states.get(p.document_id, []), p.chunk_id)
    return state is not None and state.is_valid_verification(now)


def facet_of(state: ModerationState | None, now: datetime) -> StateFacet:
    """The facet a passage with this effective state counts under."""
    if state is None:
        return "unreviewed"
    if state.state == "verified" and not state.is_valid_verification(now):
        return "needs_review"  # an expired verification waits for a trainer
    return state.state


def facet_counts(
    states: Iterable[ModerationState], visible: Mapping[str, int], total: int, now: datetime
) -> dict[StateFacet, int]:
    """Passages per state facet. `visible` holds, per moderated document, how many of its
    passages the caller may see under the filters (0 or absent: none, so it is not counted);
    `total` is how many passages they may see in all."""
    counts: dict[StateFacet, int] = dict.fromkeys(STATE_FACETS, 0)
    moderated = 0
    for document_id, own in by_document(states).items():
        shown = visible.get(document_id, 0)
        if shown <= 0:
            continue
        moderated += shown
        whole = next((s for s in own if s.chunk_id == WHOLE_DOCUMENT), None)
        passages = [s for s in own if s.chunk_id != WHOLE_DOCUMENT][:shown]
        for s in passages:
            counts[facet_of(s, now)] += 1
        counts[facet_of(whole, now)] += shown - len(passages)
    counts["unreviewed"] += max(total - moderated, 0)
    return counts


def text_hash(text: str) -> str:
    """The hash a verification keeps of the text it vouched for."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_moderator(principal: Principal) -> bool:
    """Whether the principal may change states (trainer or admin)."""
    return principal.role in MODERATOR_ROLES


def require_moderator(principal: Principal) -> None:
    """Raise PermissionDeniedError unless the principal is a trainer or admin."""
    if not is_moderator(principal):
        raise PermissionDeniedError(
            f"changing a document's state needs the trainer role; the caller is a {principal.role}"
        )


def require_review_requester(
    principal: Principal, author_ids: list[str], owners: list[str]
) -> None:
    """Trainers, admins and the document's authors and owners may request a review."""
    if is_moderator(principal) or principal.user_id in {*author_ids, *owners}:
        return
    raise PermissionDeniedError(
        "only trainers, admins and the document's authors or owners may request a review"
    )


def require_signed_in(principal: Principal) -> None:
    """Flags need a known user (not the anonymous reader of open mode)."""
    if principal.user_id == "anonymous":
        raise PermissionDeniedError("sign in (send an API key) to flag a passage")


def expiry(now: datetime, expires_at: datetime | None, interval_days: int) -> datetime:
    """When a verification made `now` expires: `expires_at`, else now + the interval."""
    return expires_at if expires_at is not None else now + timedelta(days=interval_days)


def verification_days(source: str, sources: SourcesConfig | None, default: int) -> int:
    """How long a verification of a document of `source` lasts: the source's own interval
    from the sources file, else `default` (moderation.verification_days)."""
    for config in sources.sources if sources else []:
        if config.name == source and config.verification_days:
            return config.verification_days
    return default


def effective(states: Iterable[ModerationState], chunk_id: str) -> ModerationState | None:
    """The state that applies to a passage: its own, else its document's."""
    own = whole = None
    for s in states:
        if s.chunk_id == chunk_id:
            own = s
        elif s.chunk_id == WHOLE_DOCUMENT:
            whole = s
    return own or whole


def by_document(states: Iterable[ModerationState]) -> dict[str, list[ModerationState]]:
    """States grouped by document id."""
    out: dict[str, list[ModerationState]] = {}
    for s in states:
        out.setdefault(s.document_id, []).append(s)
    return out


def apply_moderation(
    passages: list[Passage],
    states: Mapping[str, list[ModerationState]],
    lift: float,
    now: datetime,
) -> list[Passage]:
    """Lift validly verified passages by `lift` × the score spread; outdated ones with a
    replacement become superseded by it (the caller demotes superseded passages next)."""
    if not passages or not states:
        return passages
    scores = [p.score for p in passages]
    spread = (max(scores) - min(scores)) or abs(max(scores)) or 1.0
    out = []
    for p in passages:
        state = effective(states.get(p.document_id, []), p.chunk_id)
        if state is not None and state.is_valid_verification(now):
            p = p.model_copy(update={"score": p.score + lift * spread})
        elif (
            state is not None
            and state.state == "outdated"
            and state.replaced_by not in (None, p.document_id)
            and not p.superseded_by
        ):
            p = p.model_copy(update={"superseded_by": state.replaced_by})
        out.append(p)
    return sorted(out, key=lambda p: p.score, reverse=True)


def badge(
    state: ModerationState | None,
    flags: int,
    now: datetime,
    names: Mapping[str, str],
    titles: Mapping[str, str],
) -> ModerationBadge | None:
    """What a reader sees of a passage's or document's state (None when there is nothing).

    `names` maps user ids to display names; `titles` maps the replacements the caller may
    see to their titles (a hidden replacement is not named).
    """
    if state is None and not flags:
        return None
    parts: list[str] = []
    out = ModerationBadge(state=None, flags=flags)
    if state is not None:
        out.state = state.state
        out.by = names.get(state.by, state.by)
        out.at = state.updated
        out.note = state.note
        if state.state == "verified":
            out.expires_at = state.expires_at
            expired = not state.is_valid_verification(now)
            out.state = "expired" if expired else "verified"
            when = f"Verified by {out.by} · {state.updated:%d %b %Y}"
            if state.expires_at is not None:
                days = (state.expires_at - now).days
                out.expires_in_days = days
                ago = (now - state.expires_at).days
                when += f" · expired {ago} days ago" if expired else f" · expires in {days} days"
            parts.append(when)
        elif state.state == "outdated":
            out.replaced_by = state.replaced_by if state.replaced_by in titles else None
            title = titles.get(state.replaced_by or "")
            parts.append(f"Outdated — see {title}" if title else "Outdated")
        else:
            out.reason = state.reason
            parts.append(f"Needs review: {state.reason}" if state.reason else "Needs review")
    if flags:
        parts.append(f"Flagged by {flags} {'person' if flags == 1 else 'people'}")
    out.label = " · ".join(parts)
    return out
