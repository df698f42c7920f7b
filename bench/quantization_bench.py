"""Scalar quantization's effect on recall and latency, in the embedded engine (Qdrant Edge).

`python -m bench.quantization_bench [--size 100000] [--corpus mixtures|clones] [--rounds 3]
                                    [--work-dir D] [--quick]`

The vectors come from the bundled sample content ingested for real (~680 chunks, real MiniLM
vectors; bench/synthetic.py), grown to `--size` points in one of two ways:
  mixtures  each point the normalised weighted mean of 3 random real chunk vectors (Dirichlet
            weights) plus small noise: a mean-pooled model embeds a passage made of parts of
            three passages close to that mean, so the points spread like distinct passages;
  clones    the service benchmark's corpus: every real chunk copied ~size/680 times with
            noise (cosine ~0.94): crowds of near-duplicates, the hard case for HNSW and
            quantization alike (a company's content copied across many spaces).
The queries are bench/questions.py embedded with the real model. Two Edge
shards hold the same dense vectors (384-d, cosine), one as float32 and one with int8 scalar
quantization (quantile 0.99, quantized vectors in RAM); both are optimized (HNSW, m=16,
ef_construct=100, Qdrant's defaults). Each query runs against:

  float32            HNSW over the original vectors
  int8               HNSW over the quantized vectors, no rescoring
  int8 + rescore     the same, oversampling x2, the top rescored with the original vectors
  ... ef=256         float32 and int8 + rescore again with a wider HNSW search (hnsw_ef 256,
                     the setting index.hnsw_ef)

Recall@10 is against exact (brute-force float32) search in numpy; latency is one query at a
time (`--rounds` passes over the questions), p50 and p95. The shards' files are summed per
kind (original vectors, quantized vectors, HNSW graph, the rest). Cloned near-duplicates make the
top-10 crowded with close scores.
Figures are printed and written as JSON (bench/out/quantization.json).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.questions import QUESTIONS
from bench.synthetic import PERTURBATION, ScaledCorpus, base_corpus
from core.config import apply_runtime_env

log = logging.getLogger("bench.quantization")

TOP_K = 10
OVERSAMPLING = 2.0
WIDE_EF = 256  # a wider HNSW search than the default (ef_construct, 100): recall for time
MIX_PARTS = 3  # real chunk vectors per mixture point
MIX_NOISE = 0.1  # norm of the noise added to a mixture (before normalising)
BATCH = 2_000
QUICK = {"size": 10_000, "rounds": 1}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures and write them as JSON."""
    apply_runtime_env()
    args = _parser().parse_args(argv)
    if args.quick:
        args.size, args.rounds = QUICK["size"], QUICK["rounds"]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="wc-quant-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = run(work, args.size, args.rounds, args.corpus)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(_report(figures))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.quantization_bench")
    parser.add_argument("--size", type=int, default=100_000, help="points in the index")
    parser.add_argument("--corpus", choices=("mixtures", "clones"), default="mixtures")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions")
    parser.add_argument("--work-dir", type=Path, help="keep the corpus and shards here")
    parser.add_argument("--output", type=Path, default=Path("bench/out/quantization.json"))
    parser.add_argument("--quick", action="store_true", help="10k points, one round")
    return parser


def run(work: Path, size: int, rounds: int, kind: str = "mixtures") -> dict[str, Any]:
    """Build both shards at `size` points and measure every variant."""
    from core.config import get_settings
    from core.embedding import SentenceTransformerEmbedder

    settings = get_settings(data_dir=work / "unused")
    embedder = SentenceTransformerEmbedder(settings.embedding)
    base = base_corpus(work, embedder)
    if kind == "clones":
        vectors = ScaledCorpus(base, size, work).vectors
    else:
        vectors = mixtures(base.dense, size)
    queries = np.asarray([embedder.embed_query(q) for q in QUESTIONS], dtype=np.float32)
    truth = _exact_top(vectors, queries)
    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "embedding": {"model": embedder.model_name, "dtype": embedder.dtype},
        "points": size,
        "corpus": kind,
        "dimension": int(vectors.shape[1]),
        "queries": len(queries),
        "rounds": rounds,
        "perturbation": PERTURBATION if kind == "clones" else MIX_NOISE,
        "shards": {},
        "variants": {},
    }
    for name, quantized in (("float32", False), ("int8", True)):
        path = work / f"shard-{name}-{size}"
        shutil.rmtree(path, ignore_errors=True)
        shard, build = _build(path, vectors, quantized)
        figures["shards"][name] = {**build, "disk_mb": _disk(path)}
        # (label, rescore: None = no quantization params, hnsw_ef: None = the default)
        variants: list[tuple[str, bool | None, int | None]]
        variants = [(name, None, None), (f"{name} ef={WIDE_EF}", None, WIDE_EF)]
        if quantized:
            variants = [("int8", False, None), ("int8+rescore", True, None)]
            variants.append((f"int8+rescore ef={WIDE_EF}", True, WIDE_EF))
        for label, rescore, ef in variants:
            figures["variants"][label] = _measure(shard, queries, truth, rounds, rescore, ef)
        shard.close()
    return figures


def _build(path: Path, vectors: np.ndarray, quantized: bool) -> tuple[Any, dict[str, float]]:
    """An Edge shard holding `vectors`, optimized (HNSW); returns it and the build times."""
    import qdrant_edge as qe

    quantization = (
        qe.ScalarQuantizationConfig(qe.ScalarType.Int8, quantile=0.99, always_ram=True)
        if quantized
        else None
    )
    config = qe.EdgeConfig(
        vectors=qe.EdgeVectorParams(size=vectors.shape[1], distance=qe.Distance.Cosine),
        quantization_config=quantization,
    )
    shard = qe.EdgeShard.create(str(path), config)
    started = time.perf_counter()
    for start in range(0, len(vectors), BATCH):
        batch = [
            qe.Point(i, vectors[i].tolist(), None)
            for i in range(start, min(start + BATCH, len(vectors)))
        ]
        shard.update(qe.UpdateOperation.upsert_points(batch))
    upserted = time.perf_counter()
    shard.optimize()
    optimized = time.perf_counter()
    log.info("shard built", extra={"path": str(path), "seconds": round(optimized - started, 1)})
    return shard, {
        "upsert_s": round(upserted - started, 2),
        "optimize_s": round(optimized - upserted, 2),
    }


def _measure(
    shard: Any,
    queries: np.ndarray,
    truth: list[set[int]],
    rounds: int,
    rescore: bool | None,
    hnsw_ef: int | None = None,
) -> dict[str, Any]:
    """Recall@10 against exact search, and one-at-a-time latency."""
    import qdrant_edge as qe

    quant = None
    if rescore is not None:
        oversampling = OVERSAMPLING if rescore else None
        quant = qe.QuantizationSearchParams(rescore=rescore, oversampling=oversampling)
    params = qe.SearchParams(hnsw_ef=hnsw_ef, quantization=quant)

    def search(vector: np.ndarray) -> list[int]:
        request = qe.QueryRequest(
            limit=TOP_K, query=qe.Query.Nearest(vector.tolist()), params=params
        )
        return [int(p.id) for p in shard.query(request)]

    for vector in queries[:5]:  # warm-up
        search(vector)
    recalls, timings = [], []
    for _ in range(rounds):
        for vector, expected in zip(queries, truth, strict=True):
            started = time.perf_counter()
            found = search(vector)
            timings.append((time.perf_counter() - started) * 1000)
            recalls.append(len(expected.intersection(found)) / TOP_K)
    return {
        "recall_at_10": round(float(np.mean(recalls)), 4),
        "p50_ms": round(float(np.percentile(timings, 50)), 3),
        "p95_ms": round(float(np.percentile(timings, 95)), 3),
    }


def mixtures(dense: np.ndarray, size: int, seed: int = 11) -> np.ndarray:
    """`size` unit rows, each a Dirichlet-weighted mean of 3 random rows of `dense` plus noise."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, dense.shape[1]), dtype=np.float32)
    for start in range(0, size, 20_000):
        n = min(20_000, size - start)
        picks = rng.integers(0, len(dense), size=(n, MIX_PARTS))
        weights = rng.dirichlet(np.ones(MIX_PARTS), size=n).astype(np.float32)
        rows = np.einsum("nk,nkd->nd", weights, dense[picks])
        rows += rng.normal(0, MIX_NOISE / np.sqrt(dense.shape[1]), rows.shape).astype(np.float32)
        out[start : start + n] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return out


def _exact_top(vectors: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    """The true top-10 point numbers of each query (vectors and queries are unit rows)."""
    scores = queries @ vectors.T
    top = np.argpartition(-scores, TOP_K, axis=1)[:, :TOP_K]
    return [set(map(int, row)) for row in top]


def _disk(path: Path) -> dict[str, float]:
    """Megabytes per kind of file: original vectors, quantized vectors, HNSW graph, the rest
    (WAL, payload and id tracker files, mostly preallocated)."""
    sizes = {"vectors": 0, "quantized": 0, "hnsw": 0, "other": 0}
    for file in path.rglob("*"):
        if not file.is_file():
            continue
        parts = file.relative_to(path).parts
        if "vector_index" in parts:
            kind = "hnsw"
        elif file.name.startswith("quantized"):
            kind = "quantized"
        elif file.name == "matrix.dat":
            kind = "vectors"
        else:
            kind = "other"
        sizes[kind] += file.stat().st_size
    return {kind: round(n / 2**20, 2) for kind, n in sizes.items()}


def _machine() -> dict[str, Any]:
    flags = ""
    with contextlib.suppress(OSError):
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "avx512_bf16": "avx512_bf16" in flags,
    }


def _report(figures: dict[str, Any]) -> str:
    lines = [
        f"Qdrant Edge, {figures['points']:,} points ({figures['corpus']}) x "
        f"{figures['dimension']}-d, "
        f"{figures['queries']} questions x {figures['rounds']} rounds, top-{TOP_K}",
        f"{'variant':<22}{'recall@10':>10}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    for name, v in figures["variants"].items():
        lines.append(f"{name:<22}{v['recall_at_10']:>10.3f}{v['p50_ms']:>9.2f}{v['p95_ms']:>9.2f}")
    for name, s in figures["shards"].items():
        lines.append(
            f"shard {name}: upsert {s['upsert_s']} s, optimize {s['optimize_s']} s, "
            f"disk {s['disk_mb']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
