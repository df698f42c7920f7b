"""Request and response bodies of the API (the core models are reused where they fit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.db.questions import Rating
from core.retrieval import QueryFilters
from core.schema import Answer, Expert, Passage, Person, PersonRef, Role, SourceKind

# Longest question the model accepts; service.max_question_chars (≤ this) is checked per request.
QUESTION_HARD_LIMIT = 20000


class AskRequest(BaseModel):
    """A question, optionally narrowed by filters, and the generator to answer with."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "What is the pass mark for scored quizzes?",
                    "filters": {"kinds": ["wiki"], "tags": ["assessment"]},
                    "generator": "extractive",
                }
            ]
        },
    )

    question: str = Field(min_length=1, max_length=QUESTION_HARD_LIMIT)
    filters: QueryFilters = Field(default_factory=QueryFilters)
    generator: Literal["extractive", "llm", "local"] | None = Field(
        None, description="default: the configured llm.generator"
    )
    top_k: int | None = Field(None, ge=1, le=50, description="passages retrieved")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the question is empty")
        return value


class AskResponse(Answer):
    """The answer, and the id under which the question was logged (for feedback)."""

    question_id: str


class FacetValue(BaseModel):
    """One value of a facet and how many matching passages have it."""

    value: str
    label: str
    count: int


class Facets(BaseModel):
    """Passage counts under the caller's access and the other filters."""

    kinds: list[FacetValue] = Field(default_factory=list)
    sources: list[FacetValue] = Field(default_factory=list)
    authors: list[FacetValue] = Field(default_factory=list)
    teams: list[FacetValue] = Field(default_factory=list)


class SearchHit(Passage):
    """A ranked passage with its text HTML-escaped and the query terms in <mark>."""

    highlight: str


class SearchResponse(BaseModel):
    """Ranked passages and facets."""

    query: str
    mode: str
    passages: list[SearchHit]
    facets: Facets
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ExpertsResponse(BaseModel):
    """The people to contact about a topic, with their evidence."""

    query: str
    people: list[Expert]


class ChunkSpan(BaseModel):
    """Where a chunk of a document lies in its text (and in time, for videos)."""

    id: str
    position: int
    start: int
    end: int
    heading_path: list[str] = Field(default_factory=list)
    time_start: float | None = None
    time_end: float | None = None


class DocumentResponse(BaseModel):
    """A document: its text, metadata and chunk spans."""

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
    """A page of the people directory."""

    total: int
    limit: int
    offset: int
    items: list[Person]


class ProfileDocument(BaseModel):
    """A document someone wrote or owns (one the caller may see)."""

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
    """A person, their visible documents and their topics."""

    person: Person
    documents: list[ProfileDocument]
    topics: list[Topic]


class IngestJobRequest(BaseModel):
    """Which source to ingest (all configured sources when empty)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"source": None}]})

    source: str | None = None


class StageProgress(BaseModel):
    """Items done in a pipeline stage, and the total when known."""

    done: int
    total: int | None = None


class IngestJob(BaseModel):
    """An ingestion job: status, live progress while it runs, and its report."""

    id: str
    status: Literal["running", "succeeded", "failed"]
    source: str | None = None
    started: datetime
    finished: datetime | None = None
    progress: dict[str, StageProgress] = Field(default_factory=dict)
    report: dict[str, Any] | None = None
    error: str | None = None


class IngestJobList(BaseModel):
    """Recent ingestion jobs, newest first."""

    items: list[IngestJob]


class FeedbackRequest(BaseModel):
    """A rating of an answer, or of one of its citations."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question_id": "0f8c1c9e-6d5b-4c1e-9a43-3f0f6a0b9d11",
                    "rating": "wrong_citation",
                    "marker": 2,
                    "comment": "This passage is about the 2022 standard.",
                }
            ]
        },
    )

    question_id: str = Field(min_length=1, max_length=64)
    rating: Rating
    marker: int | None = Field(None, ge=1, description="the citation [n] the rating is about")
    comment: str | None = Field(None, max_length=2000)


class FeedbackResponse(BaseModel):
    """Stored feedback."""

    id: int
    question_id: str
    rating: Rating
    marker: int | None = None
    comment: str | None = None
    created: datetime


class KeyCreateRequest(BaseModel):
    """Who a new API key stands for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"user_id": "alice", "groups": ["hr"], "role": "reader", "label": "UI"}]
        },
    )

    user_id: str = Field(min_length=1, max_length=255, pattern=r"^\S+$")
    groups: list[str] = Field(default_factory=list)
    role: Role = "reader"
    label: str | None = Field(None, max_length=200)


class ApiKeyInfo(BaseModel):
    """An API key as stored (never the key itself)."""

    id: str
    prefix: str
    user_id: str
    groups: list[str]
    role: Role
    label: str | None = None
    created: datetime
    last_used: datetime | None = None
    revoked: datetime | None = None
    active: bool


class KeyCreated(ApiKeyInfo):
    """A new key: the plain `key` is shown this once and cannot be recovered."""

    key: str


class IndexHealth(BaseModel):
    """The vector index as the service sees it."""

    backend: str
    model: str | None = None
    dimension: int | None = None
    chunker_version: str | None = None


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
    generators: list[str]
    auth_mode: str
    ingest_job: str | None = Field(None, description="id of the running ingestion job")
