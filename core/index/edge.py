"""Qdrant Edge adapter: an embedded shard in a directory, durable through its WAL.

Layout of `path`: the shard's own files (`edge_config.json`, `wal/`, `segments/`) plus
`watercooler-index.json` holding the IndexMeta. One process at a time may open the shard.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import qdrant_edge as qe

from core.errors import IndexLockedError, IndexMismatchError, VectorIndexError
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

if TYPE_CHECKING:
    from qdrant_edge import ConditionType  # defined in the stub only

log = logging.getLogger(__name__)

META_FILE = "watercooler-index.json"
SHARD_CONFIG = "edge_config.json"
PAYLOAD_INDEXES = {
    **dict.fromkeys(KEYWORD_FIELDS, qe.PayloadSchemaType.Keyword),
    **dict.fromkeys(BOOL_FIELDS, qe.PayloadSchemaType.Bool),
    **dict.fromkeys(DATETIME_FIELDS, qe.PayloadSchemaType.Datetime),
}


class EdgeIndex:
    """VectorIndex on an embedded Qdrant Edge shard stored under `path`."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._where = f"the index at {path}"
        self._lock = threading.RLock()
        self._shard: qe.EdgeShard | None = None
        if (path / SHARD_CONFIG).exists():
            self._shard = self._open()

    def ensure(self, meta: IndexMeta) -> None:
        """Create the shard and its payload indexes, or refuse if built with other `meta`."""
        with self._lock:
            if self._shard is None and (self._path / SHARD_CONFIG).exists():
                self._shard = self._open()  # closed earlier, or created by another instance
            stored = self.meta()
            if stored is not None:
                check_meta(stored, meta, self._where)
            elif self._shard is not None:
                raise IndexMismatchError(
                    f"{self._where} has no {META_FILE}, so its embedding model is unknown — "
                    f"delete {self._path} or re-run ingestion with --rebuild"
                )
            else:
                self._write_meta(meta)
            if self._shard is None:
                self._shard = self._create(meta)
            self._ensure_payload_indexes()

    def meta(self) -> IndexMeta | None:
        """What the index was built with, or None if it does not exist yet."""
        file = self._path / META_FILE
        try:
            return IndexMeta.from_dict(json.loads(file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise VectorIndexError(f"cannot read {file}: {exc}") from exc

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        """Insert or replace points by id."""
        if not points:
            return
        batch = [
            qe.Point(
                p.id,
                {DENSE: p.dense, SPARSE: qe.SparseVector(p.sparse.indices, p.sparse.values)},
                p.payload,
            )
            for p in points
        ]
        with self._errors("upsert") as shard:
            shard.update(qe.UpdateOperation.upsert_points(batch))
        log.debug("upserted points", extra={"index": str(self._path), "points": len(batch)})

    def delete(self, ids: Sequence[str]) -> None:
        """Delete points by id (missing ids are ignored)."""
        if ids:
            with self._errors("delete") as shard:
                shard.update(qe.UpdateOperation.delete_points(list(ids)))

    def delete_documents(self, document_ids: Sequence[str]) -> None:
        """Delete every point of the given documents."""
        if document_ids:
            match = qe.MatchAny(list(document_ids))
            flt = qe.Filter(must=[qe.FieldCondition(key="document_id", match=match)])
            with self._errors("delete documents") as shard:
                shard.update(qe.UpdateOperation.delete_points_by_filter(flt))

    def count(self, flt: SearchFilter | None = None) -> int:
        """Number of points matching the filter (all points if None)."""
        with self._errors("count") as shard:
            return shard.count(qe.CountRequest(exact=True, filter=_filter(flt)))

    def retrieve(self, ids: Sequence[str]) -> list[Hit]:
        """Points by id with payload (score 0); unknown ids are left out."""
        if not ids:
            return []
        with self._errors("retrieve") as shard:
            records = shard.retrieve(list(ids), True, False)  # flags required, despite the stub
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
        queries: list[qe.Query] = []
        if dense_query is not None:
            queries.append(qe.Query.Nearest(dense_query, using=DENSE))
        if sparse_query is not None:
            vector = qe.SparseVector(sparse_query.indices, sparse_query.values)
            queries.append(qe.Query.Nearest(vector, using=SPARSE))
        if len(queries) == 1:
            request = qe.QueryRequest(
                limit=limit, query=queries[0], filter=condition, with_payload=True
            )
        else:
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[
                    qe.Prefetch(limit=prefetch_limit, query=q, filter=condition) for q in queries
                ],
                query=qe.Fusion.Rrf(k=rrf_k, weights=rrf_weights(dense_weight)),  # type: ignore[arg-type]  # stub lacks Fusion.Rrf
                filter=condition,
                with_payload=True,
            )
        with self._errors("search") as shard:
            points = shard.query(request)
        return [Hit(str(p.id), p.score, dict(p.payload or {})) for p in points]

    def facet(self, key: str, flt: SearchFilter | None = None, limit: int = 50) -> dict[str, int]:
        """Point counts per value of a keyword payload field, under the filter."""
        request = qe.FacetRequest(key=key, limit=limit, exact=True, filter=_filter(flt))
        with self._errors("facet") as shard:
            response = shard.facet(request)
        return {str(h.value): h.count for h in response.hits}

    def reset(self) -> None:
        """Delete the shard and its metadata; `ensure` creates it afresh."""
        with self._lock:
            self.close()
            if not self._path.exists():
                return
            if not ((self._path / SHARD_CONFIG).exists() or (self._path / META_FILE).exists()):
                raise VectorIndexError(f"refusing to delete {self._path}: not a Watercooler index")
            shutil.rmtree(self._path)
            log.info("index deleted", extra={"index": str(self._path)})

    def optimize(self) -> None:
        """Build HNSW and merge segments; blocks until done."""
        started = time.perf_counter()
        with self._errors("optimize") as shard:
            changed = shard.optimize()
        log.info(
            "index optimized",
            extra={
                "index": str(self._path),
                "changed": changed,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )

    def flush(self) -> None:
        """Write pending changes to the segments (the WAL already holds them)."""
        with self._errors("flush") as shard:
            shard.flush()

    def close(self) -> None:
        """Flush and release the shard's files (idempotent)."""
        with self._lock:
            shard, self._shard = self._shard, None
            if shard is not None:
                try:
                    shard.flush()
                    shard.close()
                except Exception as exc:  # the binding raises bare Exception
                    raise VectorIndexError(f"closing {self._where} failed: {exc}") from exc

    @contextmanager
    def _errors(self, action: str) -> Iterator[qe.EdgeShard]:
        """Yield the open shard; wrap the binding's errors (bare Exception) in ours."""
        shard = self._shard
        if shard is None:
            exists = (self._path / SHARD_CONFIG).exists()
            state = "is closed" if exists else "does not exist yet — run ingestion first"
            raise VectorIndexError(f"{self._where} {state}")
        try:
            yield shard
        except Exception as exc:
            raise VectorIndexError(f"{action} on {self._where} failed: {exc}") from exc

    def _open(self) -> qe.EdgeShard:
        try:
            shard = qe.EdgeShard.load(str(self._path))
        except Exception as exc:  # the binding raises bare Exception; its text says which
            if "WouldBlock" in str(exc):
                raise IndexLockedError(
                    f"cannot open {self._where} (is another process using it?): {exc}"
                ) from exc
            raise VectorIndexError(f"cannot open {self._where}: {exc}") from exc
        log.info("index opened", extra={"index": str(self._path)})
        return shard

    def _create(self, meta: IndexMeta) -> qe.EdgeShard:
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=meta.dimension, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )
        try:
            shard = qe.EdgeShard.create(str(self._path), config)
        except Exception as exc:  # the binding raises bare Exception
            raise VectorIndexError(f"cannot create {self._where}: {exc}") from exc
        log.info("index created", extra={"index": str(self._path), "meta": asdict(meta)})
        return shard

    def _ensure_payload_indexes(self) -> None:
        """Create missing payload indexes (also repairs a shard interrupted during ensure)."""
        with self._errors("create payload indexes") as shard:
            present = set(shard.info().payload_schema)
            for field, schema in PAYLOAD_INDEXES.items():
                if field not in present:
                    shard.update(qe.UpdateOperation.create_field_index(field, schema))

    def _write_meta(self, meta: IndexMeta) -> None:
        """Write the metadata atomically, before the shard, so no shard exists without it."""
        self._path.mkdir(parents=True, exist_ok=True)
        tmp = self._path / f"{META_FILE}.tmp"
        tmp.write_text(json.dumps(asdict(meta), indent=2), encoding="utf-8")
        os.replace(tmp, self._path / META_FILE)


def _filter(flt: SearchFilter | None) -> qe.Filter | None:
    """SearchFilter → Edge filter: a must-list of conditions or of nested should-filters."""
    must: list[ConditionType] = []
    for clause in filter_clauses(flt):
        conditions: list[ConditionType] = [_condition(c) for c in clause]
        must.append(conditions[0] if len(conditions) == 1 else qe.Filter(should=conditions))
    return qe.Filter(must=must) if must else None


def _condition(cond: Condition) -> qe.FieldCondition:
    if cond.gte or cond.lte:
        since = cond.gte.isoformat() if cond.gte else None
        until = cond.lte.isoformat() if cond.lte else None
        return qe.FieldCondition(key=cond.key, range=qe.RangeDateTime(gte=since, lte=until))
    if isinstance(cond.values, bool):
        # qdrant-edge-py 0.9.0 turns a Python bool into the integer 1/0 (bool subclasses
        # int), which never matches a bool payload; numpy.bool_ reaches Rust as a bool.
        flag = np.bool_(cond.values)
        return qe.FieldCondition(key=cond.key, match=qe.MatchValue(flag))  # type: ignore[arg-type]
    return qe.FieldCondition(key=cond.key, match=qe.MatchAny(list(cond.values)))
