"""Moderation badges on what the service returns: search hits, citations, documents.

A badge names the trainer by their directory name and a replacement only when the caller may
see it (core/moderation.py `badge`); one read of states, flags, people and replacements per
response.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, Self, TypeVar

from core.auth import can_see
from core.db import ManifestStore, ModerationStore, PeopleStore
from core.moderation import WHOLE_DOCUMENT, badge, by_document, effective
from core.schema import Answer, ModerationBadge, Principal
from service.components import Components


class Badges:
    """Badges for (document, chunk) pairs, read once for a response."""

    def __init__(
        self,
        moderation: ModerationStore,
        manifest: ManifestStore,
        people: PeopleStore,
        caller: Principal,
        refs: Iterable[tuple[str, str]],
    ) -> None:
        pairs = list(refs)
        docs = {d for d, _ in pairs}
        self._now = datetime.now(UTC)
        self._states = by_document(moderation.states_for(docs))
        self._flags = moderation.flag_counts(docs)
        states = [s for group in self._states.values() for s in group]
        self._names = {p.id: p.name for p in people.get_many([s.by for s in states]).values()}
        self._titles: dict[str, str] = {}
        for s in states:
            if s.replaced_by and s.replaced_by not in self._titles:
                entry = manifest.get_document(s.replaced_by)
                if entry is not None and can_see(caller, entry.groups):
                    self._titles[s.replaced_by] = entry.title

    def get(self, document_id: str, chunk_id: str = WHOLE_DOCUMENT) -> ModerationBadge | None:
        """The badge of a passage (its own state, else its document's) or of a document."""
        state = effective(self._states.get(document_id, []), chunk_id)
        flags = self._flags.get(document_id, 0)
        return badge(state, flags, self._now, self._names, self._titles)


_B = TypeVar("_B", bound="_Badged")


class _Badged(Protocol):
    document_id: str
    chunk_id: str
    moderation: ModerationBadge | None

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self: ...


def badged(c: Components, caller: Principal, items: Sequence[_B]) -> list[_B]:
    """Passages, hits or citations with their moderation badges."""
    if not items:
        return list(items)
    found = Badges(
        c.moderation, c.manifest, c.people, caller, [(i.document_id, i.chunk_id) for i in items]
    )
    return [
        i.model_copy(update={"moderation": found.get(i.document_id, i.chunk_id)}) for i in items
    ]


def badged_answer(c: Components, caller: Principal, answer: Answer, verified_only: bool) -> Answer:
    """The answer with badges on its citations; an abstention under `verified_only` says why."""
    update: dict[str, Any] = {
        "citations": badged(c, caller, answer.citations),
        "closest": badged(c, caller, answer.closest),
    }
    if verified_only and answer.abstained:
        update["text"] = VERIFIED_ONLY_ABSTAINED
    return answer.model_copy(update=update)


VERIFIED_ONLY_ABSTAINED = (
    "No verified content answers this question: only passages a trainer verified were "
    "searched (verified_only). Ask without it to see unverified content, or ask a trainer "
    "to verify the right page."
)
