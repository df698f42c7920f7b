"""The VectorIndex seam: what every vector store adapter offers.

Points carry a named dense vector (`DENSE`) and a named BM25 sparse vector (`SPARSE`, IDF
applied by the engine) plus the payload needed to filter and cite a passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from core.clock import as_utc
from core.errors import IndexMismatchError, VectorIndexError

DENSE = "dense"
SPARSE = "bm25"
# Default reciprocal rank fusion constant (`search(rrf_k=...)`):
# score = sum of 1 / (rrf_k + rank), rank from 0.
RRF_K = 60

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


# The chunking scheme's version (`ingest.chunking`): bump it when a chunk's boundaries or
# text change, so an index built with the old chunks is refused rather than mixed.
CHUNKER_VERSION = "1"


@dataclass(frozen=True)
class IndexMeta:
    """What the index was built with; opening it with something else is refused."""

    model: str
    dimension: int
    chunker_version: str

    @classmethod
    def from_dict(cls, raw: object) -> IndexMeta:
        """Parse stored metadata; ValueError if it is malformed."""
        if not isinstance(raw, dict):
            raise ValueError(f"malformed index metadata {raw!r}")
        try:
            return cls(str(raw["model"]), int(raw["dimension"]), str(raw["chunker_version"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed index metadata {raw!r}") from exc


@dataclass
class SearchFilter:
    """Conditions applied inside the index query (all must hold).

    `principals` is the caller's access: a point matches when it is public or shares a group
    with them; `[]` means public points only; `None` means no access restriction (admin /
    internal use only). For the other fields, `None` or an empty list means no restriction.
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


@dataclass(frozen=True)
class Condition:
    """One payload condition: `key` holds any of `values`, or a datetime within [gte, lte]."""

    key: str
    values: tuple[str, ...] | bool = ()
    gte: datetime | None = None
    lte: datetime | None = None


def filter_clauses(flt: SearchFilter | None) -> list[list[Condition]]:
    """The filter as an AND of ORs (each inner list needs one match); adapters translate it."""
    if flt is None:
        return []
    clauses: list[list[Condition]] = []
    if flt.principals is not None:
        access = [Condition("public", True)]
        if flt.principals:
            access.append(Condition("groups", tuple(flt.principals)))
        clauses.append(access)
    for key, values in (
        ("document_id", flt.document_ids),
        ("source", flt.sources),
        ("kind", flt.kinds),
        ("tags", flt.tags),
    ):
        if values:
            clauses.append([Condition(key, tuple(values))])
    if flt.people:
        people = tuple(flt.people)
        clauses.append([Condition("author_ids", people), Condition("owner_ids", people)])
    if flt.updated_from or flt.updated_to:
        since = as_utc(flt.updated_from) if flt.updated_from else None
        until = as_utc(flt.updated_to) if flt.updated_to else None
        clauses.append([Condition("updated", gte=since, lte=until)])
    return clauses


def indexed_document_ids(index: VectorIndex) -> set[str]:
    """Every document id with at least one point, from a facet over all points."""
    total = index.count()
    return set(index.facet("document_id", limit=total)) if total else set()


def query_vectors(
    mode: str, dense: list[float] | None, sparse: SparseVector | None
) -> tuple[list[float] | None, SparseVector | None]:
    """The query vectors a search mode uses; a mode without its vector is refused."""
    use_dense, use_sparse = mode in ("dense", "hybrid"), mode in ("sparse", "hybrid")
    if use_dense and dense is None:
        raise VectorIndexError(f"{mode} search needs a dense query vector")
    if use_sparse and sparse is None:
        raise VectorIndexError(f"{mode} search needs a sparse query vector")
    return (dense if use_dense else None), (sparse if use_sparse else None)


def rrf_weights(dense_weight: float) -> list[float] | None:
    """RRF weights of the (dense, sparse) prefetches, in that order; None (plain RRF, which
    servers older than weighted RRF also take) when they are equal."""
    return None if dense_weight == 1.0 else [dense_weight, 1.0]


def check_meta(stored: IndexMeta, wanted: IndexMeta, where: str) -> None:
    """Refuse an index built with another model, dimension or chunker version."""
    if stored == wanted:
        return
    if (stored.model, stored.dimension) != (wanted.model, wanted.dimension):
        raise IndexMismatchError(
            f"{where} was built with model {stored.model} ({stored.dimension}-d, chunker "
            f"v{stored.chunker_version}); settings ask for model {wanted.model} "
            f"({wanted.dimension}-d) — re-index into a new data dir or collection, or delete "
            f"{where} (ingestion with --rebuild does that)"
        )
    raise IndexMismatchError(
        f"{where} was built with chunker v{stored.chunker_version}; this version chunks with "
        f"v{wanted.chunker_version} — re-run ingestion with --rebuild to reset and rebuild it"
    )


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
        rrf_k: int = RRF_K,
        dense_weight: float = 1.0,
    ) -> list[Hit]:
        """Top points by dense, sparse, or both fused with reciprocal rank fusion (`rrf_k`;
        the dense ranking weighs `dense_weight`, the sparse one 1)."""
        ...

    def facet(self, key: str, flt: SearchFilter | None = None, limit: int = 50) -> dict[str, int]:
        """Point counts per value of a keyword payload field, under the filter."""
        ...

    def reset(self) -> None:
        """Delete the collection, its points and its metadata; `ensure` creates it afresh."""
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
