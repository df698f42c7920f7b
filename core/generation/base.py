"""The Generator seam: a question and numbered passages in, text with `[n]` markers out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from core.schema import Passage


class Generated(BaseModel):
    """An answer text whose `[n]` markers point to the n-th given passage (1-based)."""

    text: str
    unsupported_sentences: list[str] = Field(default_factory=list)
    removed_markers: list[int] = Field(default_factory=list)


@runtime_checkable
class Generator(Protocol):
    """Writes an answer to a question from passages, citing them as `[n]`."""

    name: str

    def generate(self, question: str, passages: list[Passage]) -> Generated:
        """The whole answer, citations validated; empty text when the passages do not answer."""
        ...

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """Pieces of the answer as they come; the caller validates the joined text."""
        ...
