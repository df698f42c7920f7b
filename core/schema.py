"""The shared data model: documents, their text blocks and chunks, and people."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

# Namespace for deterministic point ids (uuid5), so re-runs write the same ids.
ID_NAMESPACE = uuid.UUID("6f1c6a52-8a8e-4a53-9d7e-2f1a3c0de001")


class SourceKind(StrEnum):
    """The four kinds of content Watercooler reads, and experts' answers it keeps."""

    WIKI = "wiki"
    BLOG = "blog"
    DOC = "doc"
    VIDEO = "video"
    ANSWER = "answer"  # written by the service (Ask an expert), never read from a source


class Contributor(BaseModel):
    """An author or owner as a source names them, later resolved to a Person."""

    name: str | None = None
    email: str | None = None
    weight: float = 1.0
    person_id: str | None = None

    def label(self) -> str:
        """Human-readable name of the contributor."""
        return self.name or self.email or "unknown"


class Block(BaseModel):
    """A run of document text under one heading path (a paragraph, a cue, a list)."""

    text: str
    heading_path: list[str] = Field(default_factory=list)
    start: int = 0
    end: int = 0
    time_start: float | None = None
    time_end: float | None = None


class MetadataWarning(BaseModel):
    """A metadata value a document was ingested without, because it could not be read."""

    field: str
    value: str
    reason: str


class Document(BaseModel):
    """One item of content: a wiki page, blog post, shared file or video transcript."""

    id: str
    source: str
    native_id: str
    kind: SourceKind
    title: str
    url: str | None = None
    path: str | None = None
    authors: list[Contributor] = Field(default_factory=list)
    owners: list[Contributor] = Field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    language: str = "en"
    superseded_by: str | None = None
    text: str = ""
    blocks: list[Block] = Field(default_factory=list)
    warnings: list[MetadataWarning] = Field(
        default_factory=list, description="metadata left out at parse time (the job reports it)"
    )

    @property
    def content_hash(self) -> str:
        """Hash of everything that would change what the index holds for this document."""
        payload = self.model_dump(mode="json", exclude={"blocks", "warnings"})
        for people in (payload["authors"], payload["owners"]):
            for person in people:
                person.pop("person_id", None)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    @property
    def is_public(self) -> bool:
        """Documents without access groups are visible to everyone."""
        return not self.groups


def document_id(source: str, native_id: str) -> str:
    """Stable document id from the source name and the item's id inside the source."""
    return hashlib.sha1(f"{source}\x00{native_id}".encode()).hexdigest()[:16]


class Chunk(BaseModel):
    """A passage of a document: the unit that is embedded, retrieved and cited."""

    id: str
    document_id: str
    position: int
    text: str
    heading_path: list[str] = Field(default_factory=list)
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None

    @staticmethod
    def make_id(document_id: str, position: int, text: str) -> str:
        """Deterministic point id from (document, position, content hash)."""
        digest = hashlib.sha1(text.encode()).hexdigest()
        return str(uuid.uuid5(ID_NAMESPACE, f"{document_id}:{position}:{digest}"))


class Person(BaseModel):
    """Someone who knows things: an author or owner, with how to reach them."""

    id: str
    name: str
    email: str | None = None
    team: str | None = None
    title: str | None = None
    timezone: str | None = None
    chat: str | None = None
    aliases: list[str] = Field(default_factory=list)
    in_directory: bool = True


def person_id_for(name: str | None, email: str | None) -> str:
    """Stable person id: the email's local part plus a short hash, or a slug of the name."""
    key = (email or name or "unknown").strip().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", key.split("@")[0]).strip("-") or "person"
    return f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"


Role = Literal["reader", "trainer", "admin"]
Rating = Literal["helpful", "not_helpful", "wrong_citation"]  # feedback on an answer


class Principal(BaseModel):
    """Who is asking: their user id, access groups and role."""

    user_id: str = "anonymous"
    groups: list[str] = Field(default_factory=list)
    role: Role = "reader"
    person_id: str | None = None  # the directory person calling, when known
    demo: bool = False  # an open-mode demo identity (chosen, not authenticated)

    def access(self) -> list[str]:
        """Principals a document's groups are matched against."""
        return [f"user:{self.user_id}", *self.groups]


class ModerationBadge(BaseModel):
    """What a reader sees of a trainer's state and readers' flags (core/moderation.py)."""

    state: Literal["verified", "expired", "needs_review", "outdated"] | None = None
    label: str = ""  # "Verified by X · 12 Mar 2026 · expires in 41 days", "Flagged by 3 people"
    by: str | None = None
    at: datetime | None = None
    note: str | None = None
    reason: str | None = None
    expires_at: datetime | None = None
    expires_in_days: int | None = None
    replaced_by: str | None = None
    flags: int = 0


class Passage(BaseModel):
    """A retrieved chunk with what is needed to rank, cite and attribute it."""

    chunk_id: str
    document_id: str
    title: str
    kind: SourceKind
    source: str
    url: str | None = None
    path: str | None = None
    heading_path: list[str] = Field(default_factory=list)
    text: str
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None
    author_ids: list[str] = Field(default_factory=list)
    owner_ids: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    updated: datetime | None = None
    superseded_by: str | None = None
    moderation: ModerationBadge | None = None
    score: float = 0.0
    # The answer units' vectors from ingestion (core/generation/unit_vectors.py); internal:
    # never serialised into a response.
    unit_vectors: str | None = Field(None, exclude=True, repr=False)


class PersonRef(BaseModel):
    """A person named in a citation: enough to show and link them."""

    id: str
    name: str


class Citation(BaseModel):
    """A cited passage: marker `[n]` in the answer text points here."""

    marker: int
    chunk_id: str
    document_id: str
    title: str
    kind: SourceKind
    url: str | None = None
    path: str | None = None
    heading_path: list[str] = Field(default_factory=list)
    text: str
    start: int
    end: int
    time_start: float | None = None
    quote: str | None = None
    authors: list[PersonRef] = Field(default_factory=list)
    moderation: ModerationBadge | None = None


class ExpertDocument(BaseModel):
    """A document that makes someone the right person to ask."""

    document_id: str
    title: str
    url: str | None = None
    role: Literal["author", "owner"]
    updated: datetime | None = None


class Expert(BaseModel):
    """A person to contact about a question, with the evidence and whether they are at work."""

    person: Person
    score: float
    documents: list[ExpertDocument] = Field(default_factory=list)
    local_time: str | None = None
    working_hours: bool | None = None
    why: str = ""
    topics: list[str] = Field(
        default_factory=list, description="the most frequent tags of the evidence documents"
    )


class Answer(BaseModel):
    """An answer with its citations, the people to contact, and how sure we are."""

    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    people: list[Expert] = Field(default_factory=list)
    confidence: float = 0.0
    abstained: bool = False
    # With an abstention: the nearest passages the caller may see ("closest I found").
    closest: list[Citation] = Field(default_factory=list)
    unsupported_sentences: list[str] = Field(default_factory=list)
    generator: str = "extractive"
    timings_ms: dict[str, float] = Field(default_factory=dict)
