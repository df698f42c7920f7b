"""The VectorIndex seam: what every vector store adapter offers.

Points carry a named dense vector (`DENSE`) and a named BM25 sparse vector (`SPARSE`, IDF
applied by the engine) plus the payload needed to filter and cite a passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

DENSE = "dense"
SPARSE = "bm25"

# Payload fields with a payload index (the ones filters use).
KEYWORD_FIELDS = ("document_id", "source", "kind", "author_ids", "owner_ids", "groups", "tags")
BOOL_FIELDS = ("public",)
DATETIME_FIELDS = ("updated",)


@dataclass(frozen=True)
class SparseVector:
    """Sparse term weights (indices must be unique)."""

    indices: list[int]
    values: list[float]


@dataclass(frozen=True)
class IndexPoint:
    """One chunk as stored in the index."""

    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict[str, Any]


@dataclass(frozen=True)
class IndexMeta:
    """What the index was built with; opening it with something else is refused."""

    model: str
    dimension: int
    chunker_version: str


@dataclass
class SearchFilter:
    """Conditions applied inside the index query (all must hold).

    `principals` is the caller's access: a point matches when it is public or shares a group
    with them. `None` means no access restriction (admin / internal use only).
    """

    principals: list[str] | None = None
    document_ids: list[str] | None = None
    sources: list[str] | None = None
    kinds: list[str] | None = None
    people: list[str] | None = None  # author or owner ids
    tags: list[str] | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None


@dataclass(frozen=True)
class Hit:
    """A scored point returned by a search."""

    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


SearchMode = Literal["dense", "sparse", "hybrid"]


@runtime_checkable
class VectorIndex(Protocol):
    """A vector store holding dense + BM25 vectors per chunk, with filterable payloads."""

    def ensure(self, meta: IndexMeta) -> None:
        """Create the collection if missing, or refuse if it was built with other `meta`."""
        ...

    def meta(self) -> IndexMeta | None:
        """What the index was built with, or None if it does not exist yet."""
        ...

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        """Insert or replace points by id."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by id (missing ids are ignored)."""
        ...

    def delete_documents(self, document_ids: Sequence[str]) -> None:
        """Delete every point of the given documents."""
        ...

    def count(self, flt: SearchFilter | None = None) -> int:
        """Number of points matching the filter (all points if None)."""
        ...

    def retrieve(self, ids: Sequence[str]) -> list[Hit]:
        """Points by id with payload (score 0); unknown ids are left out."""
        ...

    def document_ids(self) -> set[str]:
        """Every document id that has at least one point."""
        ...

    def search(
        self,
        *,
        dense: list[float] | None = None,
        sparse: SparseVector | None = None,
        mode: SearchMode = "hybrid",
        flt: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int = 50,
    ) -> list[Hit]:
        """Top points by dense, sparse, or both fused with reciprocal rank fusion."""
        ...

    def facet(self, key: str, flt: SearchFilter | None = None, limit: int = 50) -> dict[str, int]:
        """Point counts per value of a keyword payload field, under the filter."""
        ...

    def optimize(self) -> None:
        """Build/refresh search structures (HNSW) after a bulk load; may block."""
        ...

    def flush(self) -> None:
        """Make every acknowledged write durable."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
