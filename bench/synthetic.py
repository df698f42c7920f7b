"""The synthetic corpus of the service benchmark, and its random-weight cross-encoder.

base_corpus        ingests the bundled sample content (or another sources file: the real
                   manuals of bench/real_corpus.py) for real (parse, chunk, embed, BM25,
                   people, documents) into `<work>/<name>/data`, then reads every point back
                   with its vectors; cached as `<work>/<name>/points.npz` + `payloads.json`
ScaledCorpus       `size` points cloned from the real ones: copy 0 is the real chunks (same
                   ids, so the people and documents in the database match), copy c > 0 gets
                   new point and document ids (`<document>-c<c>`), the same payload otherwise
                   (kind, source, groups, authors, owners, dates, text), the real BM25 vector,
                   and the real dense vector plus Gaussian noise of norm ~PERTURBATION,
                   renormalised (cosine ~0.94 to the original); the vectors are cached as
                   `<work>/size-<n>/vectors.npy`. A fast stand-in for embedding 100k passages:
                   what the benchmark measures is the service and the index, not the encoder.
random_cross_encoder  a CrossEncoder directory with the architecture of ms-marco-MiniLM-L-6-v2
                   and random weights: its cost is real, its scores are meaningless.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.embedding import Embedder
from core.index.base import IndexPoint, SparseVector

log = logging.getLogger(__name__)

PERTURBATION = 0.35  # norm of the noise added to a unit vector (cosine ~ 1/sqrt(1 + 0.35²))
_ID_NAMESPACE = uuid.UUID("6f1d2b8e-3c1a-4c59-9a57-0b7e2f6d5a10")
_NOISE_BLOCK = 20_000  # rows of noise generated at once


@dataclass(frozen=True)
class BaseCorpus:
    """The real points of the sample content: ids, vectors and payloads."""

    data_dir: Path  # the ingested data dir (its database holds people and documents)
    ids: list[str]
    dense: np.ndarray  # (n, dim) float32, unit rows
    sparse: list[SparseVector]
    payloads: list[dict[str, Any]]

    @property
    def database(self) -> Path:
        """The SQLite file of the ingested data dir."""
        return self.data_dir / "watercooler.db"


def base_corpus(
    work: Path, embedder: Embedder, sources: Path | None = None, name: str = "base"
) -> BaseCorpus:
    """A sources file (default: the sample content) ingested for real under `work/<name>`
    (reused when already there)."""
    base = work / name
    arrays, payload_file = base / "points.npz", base / "payloads.json"
    if not (arrays.exists() and payload_file.exists()):
        _ingest(base / "data", embedder, sources)
        _dump_points(base / "data" / "index", arrays, payload_file)
    else:
        log.info("reusing the ingested sample content", extra={"path": str(base)})
    with np.load(arrays) as raw:
        offsets = raw["sparse_offsets"]
        indices, values = raw["sparse_indices"], raw["sparse_values"]
        sparse = [
            SparseVector(
                indices[offsets[i] : offsets[i + 1]].tolist(),
                values[offsets[i] : offsets[i + 1]].tolist(),
            )
            for i in range(len(offsets) - 1)
        ]
        ids, dense = [str(x) for x in raw["ids"]], raw["dense"].astype(np.float32)
    payloads = json.loads(payload_file.read_text(encoding="utf-8"))
    return BaseCorpus(base / "data", ids, dense, sparse, payloads)


def _ingest(data_dir: Path, embedder: Embedder, sources: Path | None = None) -> None:
    """Run the real ingestion pipeline over a sources file (default: the sample content)."""
    from core.config import get_settings
    from core.db import Database
    from core.index.factory import open_index
    from core.sources import load_sources
    from ingest.job import build_pipeline

    settings = get_settings(data_dir=data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(sources), index=index, embedder=embedder, db=db
        )
        report = pipeline.run()
    finally:
        index.close()
        db.dispose()
    log.info(
        "sample content ingested",
        extra={"documents": report.totals.new, "chunks": report.totals.chunks},
    )


def _dump_points(index_path: Path, arrays: Path, payload_file: Path) -> None:
    """Read every point of an Edge shard with its vectors and save them as arrays + JSON."""
    import qdrant_edge as qe

    from core.index.base import DENSE, SPARSE

    shard = qe.EdgeShard.load(str(index_path))
    try:
        request = qe.ScrollRequest(limit=1_000_000, with_payload=True, with_vector=True)
        records, _ = shard.scroll(request)
    finally:
        shard.close()
    records.sort(key=lambda r: str(r.id))
    dense, payloads, offsets = [], [], [0]
    indices: list[int] = []
    values: list[float] = []
    for record in records:
        named: Any = record.vector
        dense.append(named[DENSE])
        indices += list(named[SPARSE].indices)
        values += list(named[SPARSE].values)
        offsets.append(len(indices))
        payloads.append(dict(record.payload or {}))
    np.savez(
        arrays,
        ids=np.array([str(r.id) for r in records]),
        dense=np.asarray(dense, dtype=np.float32),
        sparse_indices=np.asarray(indices, dtype=np.uint32),
        sparse_values=np.asarray(values, dtype=np.float32),
        sparse_offsets=np.asarray(offsets, dtype=np.int64),
    )
    payload_file.write_text(json.dumps(payloads), encoding="utf-8")


class ScaledCorpus:
    """`size` points cloned from the base corpus (see the module docstring)."""

    def __init__(self, base: BaseCorpus, size: int, work: Path, seed: int = 7) -> None:
        self.base = base
        self.size = size
        self.dir = work / f"size-{size}"
        self.dir.mkdir(parents=True, exist_ok=True)
        cache = self.dir / "vectors.npy"
        if cache.exists():
            self.vectors = np.load(cache)
        else:
            self.vectors = _perturbed(base.dense, size, seed)
            np.save(cache, self.vectors)

    @property
    def data_dir(self) -> Path:
        """The data dir the service runs on at this size."""
        return self.dir / "data"

    def points(self, start: int, stop: int) -> list[IndexPoint]:
        """Points `start` to `stop` (exclusive)."""
        n = len(self.base.ids)
        out = []
        for i in range(start, min(stop, self.size)):
            copy, j = divmod(i, n)
            payload = self.base.payloads[j]
            point_id = self.base.ids[j]
            if copy:
                point_id = str(uuid.uuid5(_ID_NAMESPACE, f"{point_id}/{copy}"))
                successor = payload.get("superseded_by")
                payload = {
                    **payload,
                    "chunk_id": point_id,
                    "document_id": f"{payload['document_id']}-c{copy}",
                    "superseded_by": f"{successor}-c{copy}" if successor else None,
                }
            out.append(IndexPoint(point_id, self.vectors[i].tolist(), self.base.sparse[j], payload))
        return out

    def copy_database(self) -> None:
        """The base database (people, documents, runs) into this size's data dir."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        target = self.data_dir / "watercooler.db"
        target.unlink(missing_ok=True)
        with sqlite3.connect(self.base.database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)


def _perturbed(dense: np.ndarray, size: int, seed: int) -> np.ndarray:
    """`size` rows: the base rows in turn, exact for the first copy, perturbed after."""
    n, dim = dense.shape
    rng = np.random.default_rng(seed)
    out = np.empty((size, dim), dtype=np.float32)
    out[: min(n, size)] = dense[: min(n, size)]
    for start in range(n, size, _NOISE_BLOCK):
        stop = min(start + _NOISE_BLOCK, size)
        rows = dense[np.arange(start, stop) % n]
        noise = rng.standard_normal((stop - start, dim), dtype=np.float32)
        block = rows + noise * (PERTURBATION / np.sqrt(dim))
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def random_cross_encoder(path: Path, tokenizer_dir: Path, seed: int = 0) -> Path:
    """A CrossEncoder shaped like ms-marco-MiniLM-L-6-v2 with random weights, saved to `path`.

    BERT, 6 layers, hidden 384, 12 heads, intermediate 1536, the packaged MiniLM tokenizer's
    vocabulary, one output: its reranking cost is realistic, its scores are noise.
    """
    if (path / "config.json").exists():
        return path
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=1536,
        max_position_embeddings=512,
    )
    config.num_labels = 1  # one relevance score per pair
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    log.info("random cross-encoder saved", extra={"path": str(path)})
    return path
