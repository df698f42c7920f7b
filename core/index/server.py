"""Qdrant server adapter on `qdrant_client` (also runs on its local mode, for tests).

The IndexMeta lives in the collection's metadata under the key `watercooler`, so it travels
with the collection (snapshots, aliases) and needs no reserved point.

A new collection takes its layout from IndexSettings: shards, replicas, write consistency,
payload and vectors on disk, and int8 scalar quantization of the dense vectors (quantized
copies pinned in RAM, results rescored with the originals after `oversampling`); dense searches
take `hnsw_ef` (HNSW's candidate list: recall for time) when set. An existing
collection keeps the layout it was created with. Local mode accepts the layout and ignores
it (it is brute force in numpy).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ApiException

from core.config import IndexSettings
from core.errors import IndexMismatchError, VectorIndexError
from core.index.base import (
    BOOL_FIELDS,
    DATETIME_FIELDS,
    DENSE,
    KEYWORD_FIELDS,
    RRF_K,
    SPARSE,
    Condition,
    Hit,
    IndexMeta,
    IndexPoint,
    SearchFilter,
    SearchMode,
    SparseVector,
    check_meta,
    filter_clauses,
    indexed_document_ids,
    query_vectors,
    rrf_weights,
)

log = logging.getLogger(__name__)

META_KEY = "watercooler"
UPSERT_BATCH = 256  # points per request: keeps requests well under the server's 32 MiB cap
PAYLOAD_INDEXES = {
    **dict.fromkeys(KEYWORD_FIELDS, models.PayloadSchemaType.KEYWORD),
    **dict.fromkeys(BOOL_FIELDS, models.PayloadSchemaType.BOOL),
    **dict.fromkeys(DATETIME_FIELDS, models.PayloadSchemaType.DATETIME),
}
# Remote errors (HTTP status, connection, timeout) are ApiException; local mode raises
# ValueError (also pydantic's ValidationError) and RuntimeError.
_CLIENT_ERRORS = (ApiException, ValueError, RuntimeError, OSError)


class ServerIndex:
    """VectorIndex on one collection of a Qdrant server (or qdrant_client local mode)."""

    def __init__(
        self, client: QdrantClient, collection: str, layout: IndexSettings | None = None
    ) -> None:
        self._client = client
        self._collection = collection
        self._where = f"the collection {collection!r}"
        self._layout = layout or IndexSettings()
        self._params = _search_params(self._layout)

    def ensure(self, meta: IndexMeta) -> None:
        """Create the collection and its payload indexes, or refuse if built with other `meta`."""
        info = self._info()
        if info is None:
            with self._errors("create collection"):
                self._client.create_collection(
                    self._collection, **_collection_config(meta, self._layout)
                )
            log.info(
                "collection created",
                extra={
                    "collection": self._collection,
                    "shards": self._layout.shard_number,
                    "replicas": self._layout.replication_factor,
                    "quantization": self._layout.quantization,
                },
            )
            present: set[str] = set()
        else:
            stored = self._stored_meta(info)
            if stored is None:
                raise IndexMismatchError(
                    f"{self._where} exists but was not created by Watercooler (no "
                    f"{META_KEY!r} metadata) — choose another collection or delete it"
                )
            check_meta(stored, meta, self._where)
            present = set(info.payload_schema)
        self._ensure_payload_indexes(present)

    def meta(self) -> IndexMeta | None:
        """What the index was built with, or None if it does not exist yet."""
        info = self._info()
        return self._stored_meta(info) if info is not None else None

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        """Insert or replace points by id."""
        for start in range(0, len(points), UPSERT_BATCH):
            batch = [
                models.PointStruct(
                    id=p.id,
                    vector={
                        DENSE: p.dense,
                        SPARSE: models.SparseVector(
                            indices=p.sparse.indices, values=p.sparse.values
                        ),
                    },
                    payload=p.payload,
                )
                for p in points[start : start + UPSERT_BATCH]
            ]
            with self._errors("upsert"):
                self._client.upsert(self._collection, points=batch, wait=True)
        log.debug("upserted points", extra={"collection": self._collection, "points": len(points)})

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by id (missing ids are ignored)."""
        if ids:
            selector = models.PointIdsList(points=list(ids))
            with self._errors("delete"):
                self._client.delete(self._collection, points_selector=selector, wait=True)

    def delete_documents(self, document_ids: Sequence[str]) -> None:
        """Delete every point of the given documents."""
        if document_ids:
            match = models.MatchAny(any=list(document_ids))
            flt = models.Filter(must=[models.FieldCondition(key="document_id", match=match)])
            selector = models.FilterSelector(filter=flt)
            with self._errors("delete documents"):
                self._client.delete(self._collection, points_selector=selector, wait=True)

    def count(self, flt: SearchFilter | None = None) -> int:
        """Number of points matching the filter (all points if None)."""
        with self._errors("count"):
            result = self._client.count(self._collection, count_filter=_filter(flt), exact=True)
        return result.count

    def retrieve(self, ids: Sequence[str]) -> list[Hit]:
        """Points by id with payload (score 0); unknown ids are left out."""
        if not ids:
            return []
        with self._errors("retrieve"):
            records = self._client.retrieve(self._collection, list(ids), with_payload=True)
        return [Hit(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def document_ids(self) -> set[str]:
        """Every document id that has at least one point."""
        return indexed_document_ids(self)

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
        """Top points by dense, sparse, or both fused with (weighted) reciprocal rank fusion."""
        condition = _filter(flt)
        dense_query, sparse_query = query_vectors(mode, dense, sparse)
        queries: list[tuple[Any, str]] = []
        if dense_query is not None:
            queries.append((dense_query, DENSE))
        if sparse_query is not None:
            vector = models.SparseVector(indices=sparse_query.indices, values=sparse_query.values)
            queries.append((vector, SPARSE))
        request: dict[str, Any]
        if len(queries) == 1:
            request = {"query": queries[0][0], "using": queries[0][1]}
            if queries[0][1] == DENSE and self._params is not None:
                request["search_params"] = self._params
        else:
            # RrfQuery rather than FusionQuery(fusion=RRF): only it sets k (server's default
            # is 2), and k must match the Edge adapter for both to rank alike.
            request = {
                "prefetch": [
                    models.Prefetch(
                        query=q,
                        using=name,
                        filter=condition,
                        limit=prefetch_limit,
                        params=self._params if name == DENSE else None,
                    )
                    for q, name in queries
                ],
                "query": models.RrfQuery(
                    rrf=models.Rrf(k=rrf_k, weights=rrf_weights(dense_weight))
                ),
            }
        with self._errors("search"):
            response = self._client.query_points(
                self._collection, query_filter=condition, limit=limit, with_payload=True, **request
            )
        return [Hit(str(p.id), p.score, dict(p.payload or {})) for p in response.points]

    def facet(self, key: str, flt: SearchFilter | None = None, limit: int = 50) -> dict[str, int]:
        """Point counts per value of a keyword payload field, under the filter."""
        # Local mode implements facet too (by scanning payloads, no index needed); a server
        # needs a keyword index on `key`, which ensure() creates for KEYWORD_FIELDS.
        with self._errors("facet"):
            response = self._client.facet(
                self._collection, key, facet_filter=_filter(flt), limit=limit, exact=True
            )
        return {str(h.value): h.count for h in response.hits}

    def reset(self) -> None:
        """Delete the collection and its metadata; `ensure` creates it afresh."""
        with self._errors("delete collection"):
            self._client.delete_collection(self._collection)
        log.info("collection deleted", extra={"collection": self._collection})

    def optimize(self) -> None:
        """Nothing to do: the server builds HNSW in the background as points arrive."""

    def flush(self) -> None:
        """Nothing to do: writes are acknowledged (wait=True) once in the server's WAL."""

    def close(self) -> None:
        """Close the client's connections (or local storage)."""
        with self._errors("close"):
            self._client.close()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Wrap qdrant_client's errors in VectorIndexError."""
        try:
            yield
        except _CLIENT_ERRORS as exc:
            raise VectorIndexError(f"{action} on {self._where} failed: {exc}") from exc

    def _info(self) -> models.CollectionInfo | None:
        with self._errors("read collection"):
            if not self._client.collection_exists(self._collection):
                return None
            return self._client.get_collection(self._collection)

    def _stored_meta(self, info: models.CollectionInfo) -> IndexMeta | None:
        raw = (info.config.metadata or {}).get(META_KEY)
        try:
            return IndexMeta.from_dict(raw) if raw is not None else None
        except ValueError as exc:
            raise VectorIndexError(f"{self._where}: {exc}") from exc

    def _ensure_payload_indexes(self, present: set[str]) -> None:
        with self._errors("create payload indexes"), warnings.catch_warnings():
            # Local mode warns that payload indexes have no effect there; that is expected.
            warnings.filterwarnings("ignore", "Payload indexes have no effect", UserWarning)
            for field, schema in PAYLOAD_INDEXES.items():
                if field not in present:
                    self._client.create_payload_index(self._collection, field, schema, wait=True)


def _collection_config(meta: IndexMeta, layout: IndexSettings) -> dict[str, Any]:
    """create_collection's arguments: the vectors `meta` describes, laid out per `layout`."""
    quantization = None
    if layout.quantization == "int8":
        # quantile 0.99 clips outliers so the int8 range is spent on the bulk of values
        scalar = models.ScalarQuantizationConfig(
            type=models.ScalarType.INT8, quantile=0.99, always_ram=True
        )
        quantization = models.ScalarQuantization(scalar=scalar)
    return {
        "vectors_config": {
            DENSE: models.VectorParams(
                size=meta.dimension,
                distance=models.Distance.COSINE,
                on_disk=layout.vectors_on_disk,
            )
        },
        "sparse_vectors_config": {SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        "shard_number": layout.shard_number,
        "replication_factor": layout.replication_factor,
        "write_consistency_factor": layout.write_consistency_factor,
        "on_disk_payload": layout.on_disk_payload,
        "quantization_config": quantization,
        "metadata": {META_KEY: asdict(meta)},
    }


def _search_params(layout: IndexSettings) -> models.SearchParams | None:
    """Dense search parameters: HNSW's breadth, how quantized results are rescored (None:
    the server's defaults)."""
    quantization = None
    if layout.quantization != "none":
        oversampling = layout.oversampling if layout.rescore else None
        quantization = models.QuantizationSearchParams(
            rescore=layout.rescore, oversampling=oversampling
        )
    if quantization is None and layout.hnsw_ef is None:
        return None
    return models.SearchParams(hnsw_ef=layout.hnsw_ef, quantization=quantization)


def _filter(flt: SearchFilter | None) -> models.Filter | None:
    """SearchFilter → Qdrant filter: a must-list of conditions or of nested should-filters."""
    must: list[models.Condition] = []
    for clause in filter_clauses(flt):
        conditions: list[models.Condition] = [_condition(c) for c in clause]
        must.append(conditions[0] if len(conditions) == 1 else models.Filter(should=conditions))
    return models.Filter(must=must) if must else None


def _condition(cond: Condition) -> models.FieldCondition:
    if cond.gte or cond.lte:
        return models.FieldCondition(
            key=cond.key, range=models.DatetimeRange(gte=cond.gte, lte=cond.lte)
        )
    if isinstance(cond.values, bool):
        return models.FieldCondition(key=cond.key, match=models.MatchValue(value=cond.values))
    return models.FieldCondition(key=cond.key, match=models.MatchAny(any=list(cond.values)))
