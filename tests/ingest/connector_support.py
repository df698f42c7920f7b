"""Helpers shared by the connector tests: fixture paths, sources and the span invariant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.schema import Document
from core.sources import SourceConfig

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
BAD = FIXTURES / "bad"
MAX_BYTES = 5_000_000


def make_source(kind: str, path: Path, **fields: Any) -> SourceConfig:
    """A SourceConfig named after the kind."""
    return SourceConfig(name=f"test-{kind}", kind=kind, path=path, **fields)


def assert_spans(document: Document) -> None:
    """Every block's span points at its own text, in order, without overlaps."""
    assert document.blocks, f"{document.native_id} has no blocks"
    previous_end = 0
    for block in document.blocks:
        assert document.text[block.start : block.end] == block.text
        assert block.start >= previous_end
        previous_end = block.end


def by_id(documents: list[Document]) -> dict[str, Document]:
    """Documents keyed by native id."""
    return {d.native_id: d for d in documents}
