"""What flows from the parse stage to the write stage of a job, in file order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.schema import Chunk, Document

ProgressHook = Callable[[str, int, int | None], None]  # (stage, advance, total)


@dataclass
class Parsed:
    """A new or changed document, chunked, waiting to be embedded."""

    source: str
    doc: Document
    chunks: list[Chunk]
    doc_hash: str
    old_chunk_ids: list[str]
    is_new: bool


@dataclass
class FileDone:
    """A file whose documents have all been queued; recorded after they are committed."""

    source: str
    path: str
    file_hash: str
    context_hash: str
    document_ids: list[str]
    error: str | None = None


@dataclass
class SourceDone:
    """All files of a source were seen: documents not seen since are deleted."""

    source: str
    seen: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    complete: bool = True


Item = Parsed | FileDone | SourceDone
