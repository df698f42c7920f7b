"""The service's JSON as the UI reads it.

The core models (Answer, Citation, Expert, Person, Passage) are reused where the JSON is theirs;
the bodies that only the service defines are mirrored here, keeping just what the pages use
(unknown fields are ignored, so the service may add fields freely).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from core.api import (
    ChunkSpan as ChunkSpan,
    Counts as Counts,
    DocumentResponse as DocumentResponse,
    Facets as Facets,
    FacetValue as FacetValue,
    Health as Health,
    IndexHealth as IndexHealth,
    PeoplePage as PeoplePage,
    PersonProfile as PersonProfile,
    ProfileDocument as ProfileDocument,
    SearchHit as SearchHit,
    SearchResponse as SearchResponse,
    Topic as Topic,
)
from core.schema import Answer, Citation, Expert

Rating = Literal["helpful", "not_helpful", "wrong_citation"]

# The UI's names for the service's bodies.
SearchResult = SearchResponse
DocumentView = DocumentResponse


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


class Feedback(BaseModel):
    """Stored feedback."""

    id: int
    question_id: str
    rating: Rating
    marker: int | None = None
