"""Request and response bodies of the API (the core models are reused where they fit)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.api import (
    AskResponse as AskResponse,
    ChunkSpan as ChunkSpan,
    Counts as Counts,
    DocumentResponse as DocumentResponse,
    Facets as Facets,
    FacetValue as FacetValue,
    FeedbackResponse as FeedbackResponse,
    Health as Health,
    IndexHealth as IndexHealth,
    IngestJob as IngestJob,
    PeoplePage as PeoplePage,
    PersonProfile as PersonProfile,
    ProfileDocument as ProfileDocument,
    SearchHit as SearchHit,
    SearchResponse as SearchResponse,
    StageProgress as StageProgress,
    Text,
    Topic as Topic,
)
from core.retrieval import QueryFilters
from core.schema import Expert, Rating, Role

# Longest question the model accepts; service.max_question_chars (≤ this) is checked per request.
QUESTION_HARD_LIMIT = 20000
# An answer cites at most top_k (≤ 50) passages; a larger marker cannot name a citation.
MAX_MARKER = 50
MAX_KEY_GROUPS = 100


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

    question: Text = Field(min_length=1, max_length=QUESTION_HARD_LIMIT)
    filters: QueryFilters = Field(default_factory=QueryFilters)
    generator: Literal["extractive", "llm", "local"] | None = Field(
        None, description="default: the configured answer.generator"
    )
    top_k: int | None = Field(None, ge=1, le=50, description="passages retrieved")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the question is empty")
        return value


class ExpertsResponse(BaseModel):
    """The people to contact about a topic, with their evidence."""

    query: str
    people: list[Expert]


class IngestJobRequest(BaseModel):
    """Which source to ingest (all configured sources when empty), from which sources file."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"source": None}]})

    source: Text | None = Field(None, max_length=255)
    config: Text | None = Field(
        None,
        max_length=4096,
        description="a sources YAML on the service's machine (default: ingest.config)",
    )


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

    question_id: Text = Field(min_length=1, max_length=64)
    rating: Rating
    marker: int | None = Field(
        None, ge=1, le=MAX_MARKER, description="the citation [n] the rating is about"
    )
    comment: Text | None = Field(None, max_length=2000)


class KeyCreateRequest(BaseModel):
    """Who a new API key stands for."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"user_id": "alice", "groups": ["hr"], "role": "reader", "label": "UI"}]
        },
    )

    user_id: Text = Field(min_length=1, max_length=255, pattern=r"^\S+$")
    groups: list[Annotated[Text, Field(min_length=1, max_length=255)]] = Field(
        default_factory=list, max_length=MAX_KEY_GROUPS
    )
    role: Role = "reader"
    label: Text | None = Field(None, max_length=200)


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
