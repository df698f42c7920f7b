"""The service's JSON as the UI reads it.

The core models (Answer, Citation, Expert, Person, Passage) are reused where the JSON is theirs;
the bodies that only the service defines are mirrored here, keeping just what the pages use
(unknown fields are ignored, so the service may add fields freely).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from core.schema import Answer, Citation, Expert, Passage, Person, PersonRef, SourceKind

Rating = Literal["helpful", "not_helpful", "wrong_citation"]


class Filters(BaseModel):
    """What a search or a question is narrowed to; empty fields do not restrict."""

    kinds: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    updated_from: date | None = None
    updated_to: date | None = None

    def body(self) -> dict[str, list[str] | str]:
        """As the `filters` object of POST /ask (empty fields left out)."""
        out: dict[str, list[str] | str] = {
            name: list(getattr(self, name)) for name in _LIST_FIELDS if getattr(self, name)
        }
        if self.updated_from:
            out["updated_from"] = f"{self.updated_from.isoformat()}T00:00:00Z"
        if self.updated_to:
            out["updated_to"] = f"{self.updated_to.isoformat()}T23:59:59Z"
        return out

    def query_params(self) -> list[tuple[str, str]]:
        """As repeated query-string parameters (GET /search, GET /experts)."""
        return [
            (name, item)
            for name, value in self.body().items()
            for item in ([value] if isinstance(value, str) else value)
        ]


_LIST_FIELDS = ("kinds", "sources", "people", "teams", "tags")


class AskResult(Answer):
    """An answer and the id it was logged under (for feedback)."""

    question_id: str


@dataclass
class AskView:
    """An answer as the Ask page keeps it across reruns (with the cited documents)."""

    result: AskResult
    documents: dict[str, DocumentView] = field(default_factory=dict)
    rated: str | None = None


@dataclass(frozen=True)
class TokenEvent:
    """A piece of the answer text as it is written."""

    text: str


@dataclass(frozen=True)
class CitationsEvent:
    """The answer's citations (`[n]` in the text points to marker n)."""

    citations: list[Citation]


@dataclass(frozen=True)
class PeopleEvent:
    """The people to contact."""

    people: list[Expert]


@dataclass(frozen=True)
class DoneEvent:
    """The whole answer; authoritative."""

    answer: AskResult


StreamEvent = TokenEvent | CitationsEvent | PeopleEvent | DoneEvent


class FacetValue(BaseModel):
    """A facet value and how many matching passages have it."""

    value: str
    label: str
    count: int


class Facets(BaseModel):
    """Passage counts per kind, source, author and team."""

    kinds: list[FacetValue] = Field(default_factory=list)
    sources: list[FacetValue] = Field(default_factory=list)
    authors: list[FacetValue] = Field(default_factory=list)
    teams: list[FacetValue] = Field(default_factory=list)


class SearchHit(Passage):
    """A ranked passage; `highlight` is its text HTML-escaped with the query words in <mark>."""

    highlight: str


class SearchResult(BaseModel):
    """Ranked passages and facets."""

    query: str
    mode: str
    passages: list[SearchHit]
    facets: Facets
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ChunkSpan(BaseModel):
    """Where a chunk lies in its document's text (and in time, for videos)."""

    id: str
    position: int
    start: int
    end: int
    heading_path: list[str] = Field(default_factory=list)
    time_start: float | None = None
    time_end: float | None = None


class DocumentView(BaseModel):
    """A document with its text, metadata and chunk spans."""

    id: str
    source: str
    kind: SourceKind
    title: str
    url: str | None = None
    path: str | None = None
    authors: list[PersonRef] = Field(default_factory=list)
    owners: list[PersonRef] = Field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    superseded_by: str | None = None
    text: str
    chunks: list[ChunkSpan] = Field(default_factory=list)


class PeoplePage(BaseModel):
    """A page of the directory."""

    total: int
    limit: int
    offset: int
    items: list[Person]


class ProfileDocument(BaseModel):
    """A document a person wrote or owns."""

    document_id: str
    title: str
    kind: SourceKind
    url: str | None = None
    role: Literal["author", "owner"]
    updated: datetime | None = None
    tags: list[str] = Field(default_factory=list)


class Topic(BaseModel):
    """A tag and in how many of the person's documents it appears."""

    tag: str
    documents: int


class PersonProfile(BaseModel):
    """A person, their documents and their topics."""

    person: Person
    documents: list[ProfileDocument] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)


class Feedback(BaseModel):
    """Stored feedback."""

    id: int
    question_id: str
    rating: Rating
    marker: int | None = None


class IndexHealth(BaseModel):
    """The vector index as the service sees it."""

    backend: str
    model: str | None = None
    dimension: int | None = None


class Counts(BaseModel):
    """What the service holds."""

    documents: int | None = None
    chunks: int | None = None
    people: int | None = None


class Health(BaseModel):
    """Whether the service can answer, and if not, why."""

    status: Literal["ok", "unavailable"]
    problems: list[str] = Field(default_factory=list)
    index: IndexHealth
    embedding_model: str
    counts: Counts
    database_reachable: bool
    generators: list[str] = Field(default_factory=list)
    auth_mode: str = "open"
    ingest_job: str | None = None
