"""What insights read besides the log: documents (access, staleness, titles, owners), people.

`StoreLookups` reads the manifest, the moderation states and the people directory;
`StaticLookups` holds the same facts in memory (the sample log's measurement).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from core.db import ManifestStore, ModerationStore, PeopleStore
from core.insights.reasons import DocumentFacts
from core.moderation import WHOLE_DOCUMENT
from core.schema import Person, PersonRef


@dataclass
class DocumentInfo:
    """Facts, title and owners of the documents asked about."""

    facts: dict[str, DocumentFacts] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    owners: dict[str, list[PersonRef]] = field(default_factory=dict)


class Lookups(Protocol):
    """Documents and people as insights need them."""

    def documents(self, ids: Iterable[str], now: datetime) -> DocumentInfo: ...

    def people(self, ids: Iterable[str]) -> dict[str, Person]: ...


class StoreLookups:
    """Lookups over the manifest, the moderation store and the people directory."""

    def __init__(
        self, manifest: ManifestStore, moderation: ModerationStore, people: PeopleStore
    ) -> None:
        self._manifest = manifest
        self._moderation = moderation
        self._people = people

    def documents(self, ids: Iterable[str], now: datetime) -> DocumentInfo:
        """Access groups, staleness, titles and owners of these documents."""
        wanted = sorted(set(ids))
        states = {
            s.document_id: s
            for s in self._moderation.states_for(wanted)
            if s.chunk_id == WHOLE_DOCUMENT
        }
        flagged = self._moderation.flag_counts(wanted)
        info = DocumentInfo()
        owner_ids: dict[str, list[str]] = {}
        for document_id in wanted:
            entry = self._manifest.get_document(document_id)
            if entry is None:
                continue
            state = states.get(document_id)
            stale = None
            if entry.superseded_by:
                stale = "superseded"
            elif state is not None and state.state in ("outdated", "needs_review"):
                stale = state.state.replace("_", " ")
            elif (
                state is not None
                and state.state == "verified"
                and not (state.is_valid_verification(now))
            ):
                stale = "verification expired"
            elif flagged.get(document_id):
                stale = "flagged"
            info.facts[document_id] = DocumentFacts(groups=list(entry.groups), stale=stale)
            info.titles[document_id] = entry.title
            owner_ids[document_id] = list(entry.owner_ids or entry.author_ids)
        people = self.people({p for ids_ in owner_ids.values() for p in ids_})
        for document_id, owners in owner_ids.items():
            info.owners[document_id] = [
                PersonRef(id=p, name=people[p].name) for p in owners if p in people
            ]
        return info

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        """The directory entries of these person ids (unknown ids are left out)."""
        return self._people.get_many(sorted(set(ids)))


@dataclass
class StaticLookups:
    """Lookups from facts held in memory."""

    facts: Mapping[str, DocumentFacts] = field(default_factory=dict)
    directory: Mapping[str, Person] = field(default_factory=dict)

    def documents(self, ids: Iterable[str], now: datetime) -> DocumentInfo:
        """The known facts of these documents."""
        wanted = set(ids)
        return DocumentInfo(facts={d: f for d, f in self.facts.items() if d in wanted})

    def people(self, ids: Iterable[str]) -> dict[str, Person]:
        """The known people among these ids."""
        return {p: self.directory[p] for p in ids if p in self.directory}
