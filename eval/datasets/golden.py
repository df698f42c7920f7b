"""Watercooler's golden set: one JSON question a line, checked strictly with line numbers.

    {"id": "q-001", "question": "...", "reference_answer": "...", "answerable": true,
     "relevant_document_ids": ["..."], "expected_people": ["..."], "tags": ["..."],
     "user": {"id": "...", "groups": ["..."]}}

`id`, `question` and `answerable` are required; lists default to empty and `user` to a reader
with no groups (who sees only public documents). Types are strict (no "true" for true) and
unknown fields are refused, so a typo fails loudly. An answerable item needs a reference
answer; an unanswerable one has neither a reference answer nor relevant documents (it may
still name people to contact). Ids are unique across the file; lists hold no repeats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import DatasetError
from eval.datasets.jsonl import read_jsonl

NonEmpty = Annotated[str, Field(min_length=1)]


class GoldenUser(BaseModel):
    """Who asks: their id and access groups."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: NonEmpty = "reader"
    groups: list[NonEmpty] = Field(default_factory=list)


class GoldenItem(BaseModel):
    """One golden question with what a good answer retrieves, says and names."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: NonEmpty
    question: NonEmpty
    answerable: bool
    reference_answer: str = ""
    relevant_document_ids: list[NonEmpty] = Field(default_factory=list)
    expected_people: list[NonEmpty] = Field(default_factory=list)
    tags: list[NonEmpty] = Field(default_factory=list)
    user: GoldenUser = Field(default_factory=GoldenUser)

    @model_validator(mode="after")
    def _consistent(self) -> GoldenItem:
        if self.answerable and not self.reference_answer.strip():
            raise ValueError("an answerable item needs a reference_answer")
        if not self.answerable and self.reference_answer.strip():
            raise ValueError("an unanswerable item has a reference_answer")
        if not self.answerable and self.relevant_document_ids:
            raise ValueError("an unanswerable item lists relevant_document_ids")
        for name in ("relevant_document_ids", "expected_people", "tags"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                raise ValueError(f"{name} repeats an entry")
        if len(set(self.user.groups)) != len(self.user.groups):
            raise ValueError("user.groups repeats an entry")
        return self


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def load_golden(path: Path | str) -> list[GoldenItem]:
    """Load and validate a golden-set JSONL file."""
    path = Path(path)
    items: list[GoldenItem] = []
    first_line: dict[str, int] = {}
    for line, obj in read_jsonl(path):
        try:
            item = GoldenItem.model_validate(obj)
        except ValidationError as exc:
            raise DatasetError(path, _describe(exc), line) from exc
        if item.id in first_line:
            reason = f"duplicate id {item.id!r} (first on line {first_line[item.id]})"
            raise DatasetError(path, reason, line)
        first_line[item.id] = line
        items.append(item)
    if not items:
        raise DatasetError(path, "no items")
    return items
