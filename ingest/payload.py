"""What is embedded for a chunk, and the payload stored with its point."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from core.config import UnitVectorMode
from core.embedding import Embedder
from core.generation.unit_vectors import attach, attach_pooled
from core.schema import Chunk, Contributor, Document


def embedding_text(doc: Document, chunk: Chunk) -> str:
    """Passage text with its document title and heading path (context helps both retrievers)."""
    context = " > ".join([doc.title, *chunk.heading_path])
    return f"{context}\n{chunk.text}"


def chunk_payload(doc: Document, chunk: Chunk) -> dict[str, Any]:
    """Payload for filtering (ids, groups, dates, tags) and citing (title, url, span, time)."""
    return {
        "chunk_id": chunk.id,
        "document_id": doc.id,
        "position": chunk.position,
        "source": doc.source,
        "kind": doc.kind.value,
        "title": doc.title,
        "url": doc.url,
        "path": doc.path,
        "author_ids": person_ids(doc.authors),
        "owner_ids": person_ids(doc.owners),
        "groups": sorted(doc.groups),
        "public": not doc.groups,
        "tags": sorted({t.lower() for t in doc.tags}),
        "created": _iso(doc.created),
        "updated": _iso(doc.updated or doc.created),
        "superseded_by": doc.superseded_by,
        "heading_path": chunk.heading_path,
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
        "time_start": chunk.time_start,
        "time_end": chunk.time_end,
    }


def embed_with_unit_vectors(
    texts: list[str], payloads: list[dict[str, Any]], embedder: Embedder, mode: UnitVectorMode
) -> np.ndarray:
    """The chunks' vectors; their payloads get their answer units' vectors (unless `mode` is
    off), so no answer has to embed them: pooled from the same pass, or embedded again."""
    if mode == "pooled":
        return attach_pooled(payloads, texts, embedder)
    dense = embedder.embed_documents(texts)
    if mode == "separate":
        attach(payloads, embedder)
    return dense


def person_ids(contributors: list[Contributor]) -> list[str]:
    """Resolved person ids of contributors, first occurrence order, without repeats."""
    return list(dict.fromkeys(c.person_id for c in contributors if c.person_id))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
