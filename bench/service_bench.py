"""Service benchmark: /search, /ask and the two index adapters on a 10k and a 100k index.

`python -m bench.service_bench [--sizes 10000,100000] [--duration 60] [--clients 20]
                               [--passages sample|real] [--quick]`

For each size, in one run:
  * the index: the bundled sample content (`--passages sample`, ~680 chunks, with the
    questions of bench/questions.py) or long real manuals that installed packages ship
    (`--passages real`, ~840 chunks, the questions of bench/real_corpus.py) ingested for real
    (with their answer units' vectors), cloned to `size` points (bench/synthetic.py: new ids,
    the real payloads, real BM25 vectors, real dense vectors plus small noise — a stand-in for
    the encoder; queries use the real model);
  * index level, the same queries on both adapters in turn: hybrid search (dense + BM25,
    RRF) on the embedded Qdrant Edge index (after optimize(): HNSW) and on qdrant-client
    local mode (brute force in numpy), without a filter and with the anonymous caller's
    access filter (local mode runs few filtered queries: seconds each at 100k); and the
    three facet calls /search makes, on Edge;
  * HTTP, one request at a time after warm-up, against `python -m service serve` on
    127.0.0.1: /search without reranking, /ask (extractive; and again with the generator's
    unit-vector cache off, `ask_cold`: every answer embeds its units), and /search with a
    cross-encoder of ms-marco-MiniLM-L-6-v2's architecture and random weights (real cost,
    meaningless scores) at the default rerank depth; with `--variant-env KEY=VALUE`, /search
    and /ask again on a service started with that environment (a diagnostic);
  * at the largest size, a load run: `--clients` concurrent clients for `--duration` s,
    two /search for every /ask.
Figures are printed (bench/service_report.py) and written as JSON (bench/out/service.json).
Targets on 2 cores: /search p95 ≤ 60 ms without reranking at 100k chunks, /ask p95 ≤ 150 ms
(issue 12: on real passages, bf16 or fp32: `--variant-env WATERCOOLER_EMBEDDING__DTYPE=float32`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load import Call, ServiceProcess, calls, load_run, sequential, summary
from bench.questions import QUESTIONS as SAMPLE_QUESTIONS
from bench.real_corpus import QUESTIONS as REAL_QUESTIONS, real_sources
from bench.service_report import report
from bench.synthetic import PERTURBATION, ScaledCorpus, base_corpus, random_cross_encoder
from core.config import RetrievalSettings, apply_runtime_env
from core.index.base import IndexMeta, SearchFilter, SparseVector, VectorIndex

log = logging.getLogger("bench.service")

UPSERT_BATCH = 2_000
WARMUP = 5  # untimed requests per endpoint after start-up
QUICK = {
    "sizes": "2000",
    "duration": 5.0,
    "clients": 4,
    "requests": 20,
    "rerank_requests": 5,
    "index_queries": 10,
    "local_filtered_queries": 3,
}


@dataclass(frozen=True)
class Query:
    """A question with its real dense and BM25 query vectors."""

    text: str
    dense: list[float]
    sparse: SparseVector


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures and write them as JSON."""
    apply_runtime_env()
    args = _parser().parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("bench").setLevel(logging.INFO)
    sizes = sorted({int(s) for s in str(args.sizes).split(",") if s.strip()})
    started = time.perf_counter()
    load_before = os.getloadavg()

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="wc-service-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = _run(work, sizes, args)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    figures["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    figures["wall_s"] = round(time.perf_counter() - started, 1)
    figures["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    sys.stdout.write(report(figures))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.service_bench", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add("--sizes", default="10000,100000", help="index sizes, comma-separated")
    add("--duration", type=float, default=60.0, help="load run seconds (largest size)")
    add("--clients", type=int, default=20, help="load run concurrent clients")
    add("--requests", type=int, default=100, help="timed /search and /ask requests")
    add("--rerank-requests", type=int, default=20, help="timed /search requests with rerank")
    add("--index-queries", type=int, default=30, help="queries per index at the index level")
    add(
        "--local-filtered-queries",
        type=int,
        default=5,
        help="filtered queries on local mode (seconds each at 100k; 0 skips the comparison)",
    )
    add(
        "--variant-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="also time /search and /ask on a service with this environment variable set "
        "(repeatable; a diagnostic, e.g. OMP_WAIT_POLICY=PASSIVE)",
    )
    add(
        "--passages",
        choices=("sample", "real"),
        default="sample",
        help="the ingested content cloned to each size: the sample or real manuals",
    )
    add("--quick", action="store_true", help="2k points, 5 s load run, 4 clients, few requests")
    add("--work-dir", type=Path, help="keep the ingested sample and arrays here (default: tmp)")
    add("--out", type=Path, default=Path("bench/out/service.json"))
    return parser


def _run(work: Path, sizes: list[int], args: argparse.Namespace) -> dict[str, Any]:
    from core.assembly import index_meta
    from core.config import get_settings
    from core.embedding import SentenceTransformerEmbedder
    from core.models import resolve_model_path
    from core.sparse import Bm25Encoder

    settings = get_settings(data_dir=work / "unused")
    embedder = SentenceTransformerEmbedder(settings.embedding)
    if args.passages == "real":
        base = base_corpus(work, embedder, real_sources(work), name="real")
    else:
        base = base_corpus(work, embedder)
    questions = _questions(args)
    bm25 = Bm25Encoder()
    queries = [Query(q, embedder.embed_query(q).tolist(), bm25.encode_query(q)) for q in questions]
    meta = index_meta(embedder)
    reranker = random_cross_encoder(
        work / "random-cross-encoder", resolve_model_path(settings.embedding.model)
    )
    retrieval = settings.retrieval
    per_size = {}
    for size in sizes:
        corpus = ScaledCorpus(base, size, work / args.passages)
        per_size[str(size)] = {
            "index": _index_level(corpus, meta, queries, retrieval, args),
            "http": _http(corpus, reranker, args, load=size == sizes[-1]),
        }
    return {
        "setup": {
            "passages": args.passages,
            "real_chunks": len(base.ids),
            "vector_stand_in": f"real chunk vectors + Gaussian noise of norm {PERTURBATION}, "
            "renormalised; real BM25 vectors; queries embedded with the real model",
            "embedding": {"model": embedder.model_name, "dtype": embedder.dtype},
            "questions": len(questions),
            "requests": args.requests,
            "rerank_requests": args.rerank_requests,
            "index_queries": args.index_queries,
            "local_filtered_queries": args.local_filtered_queries,
            "rerank_depth": retrieval.rerank_depth,
            "prefetch_limit": retrieval.prefetch_limit,
            "reranker": "random-weight CrossEncoder shaped like ms-marco-MiniLM-L-6-v2 (BERT, "
            "6 layers, hidden 384, 12 heads, intermediate 1536, fp32): real cost, "
            "meaningless scores",
            "load_mix": "2 × /search : 1 × /ask",
        },
        "sizes": per_size,
    }


def _index_level(
    corpus: ScaledCorpus,
    meta: IndexMeta,
    queries: list[Query],
    retrieval: RetrievalSettings,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Build both indexes on the same points; time hybrid search on each, interleaved."""
    from qdrant_client import QdrantClient

    from core.index.edge import EdgeIndex
    from core.index.server import ServerIndex

    corpus.copy_database()
    shutil.rmtree(corpus.data_dir / "index", ignore_errors=True)
    edge = EdgeIndex(corpus.data_dir / "index")
    local = ServerIndex(QdrantClient(":memory:"), "bench")
    indexes: dict[str, VectorIndex] = {"edge": edge, "local_mode": local}
    depth = max(retrieval.rerank_depth, retrieval.top_k)
    params: dict[str, Any] = {
        "mode": "hybrid",
        "limit": depth,
        "prefetch_limit": max(retrieval.prefetch_limit, depth),
        "rrf_k": retrieval.rrf_k,
    }
    public = SearchFilter(principals=[])  # the anonymous caller's access: public points only
    batch = [queries[i % len(queries)] for i in range(args.index_queries)]
    try:
        out: dict[str, Any] = {
            "build": {
                "edge": _build(edge, corpus, meta, optimize=True),
                "local_mode": _build(local, corpus, meta, optimize=False),
            }
        }
        out["hybrid"] = _side_by_side(indexes, batch, params)
        out["hybrid_access_filter"] = _side_by_side(
            indexes, batch, {**params, "flt": public}, local_limit=args.local_filtered_queries
        )
        out["facets_edge"] = _facets(edge, public, len(batch))
        log.info("index level timed", extra={"size": corpus.size, "queries": len(batch)})
    finally:
        local.close()
        edge.close()
    return out


def _side_by_side(
    indexes: dict[str, VectorIndex],
    batch: list[Query],
    params: dict[str, Any],
    local_limit: int | None = None,
) -> dict[str, Any]:
    """Each query on each index in turn (so background load hits both alike); latencies."""
    timed: dict[str, list[float]] = {name: [] for name in indexes}
    for i, query in enumerate([batch[0], *batch]):  # the first one warms up
        for name, index in indexes.items():
            if name == "local_mode" and local_limit is not None and i > local_limit:
                continue
            mark = time.perf_counter()
            index.search(dense=query.dense, sparse=query.sparse, **params)
            if i:
                timed[name].append(time.perf_counter() - mark)
    figures: dict[str, Any] = {name: summary(t) for name, t in timed.items()}
    # the ratio compares the same queries: the first ones, which both indexes ran
    if not timed["local_mode"]:  # --local-filtered-queries 0: nothing to compare with
        return figures
    local = figures["local_mode"]
    edge = summary(timed["edge"][: len(timed["local_mode"])])
    figures["ratio_local_over_edge"] = {
        "p50": _ratio(local["p50_ms"], edge["p50_ms"]),
        "p95": _ratio(local["p95_ms"], edge["p95_ms"]),
    }
    return figures


def _facets(index: VectorIndex, flt: SearchFilter, n: int) -> dict[str, Any]:
    """The three facet calls /search makes (kind, source, author_ids), timed together."""
    from service.routes.search import AUTHOR_FACET_LIMIT, FACET_LIMIT

    facets = (("kind", FACET_LIMIT), ("source", FACET_LIMIT), ("author_ids", AUTHOR_FACET_LIMIT))
    timed = []
    for i in range(n + 1):
        mark = time.perf_counter()
        for key, limit in facets:
            index.facet(key, flt, limit=limit)
        if i:
            timed.append(time.perf_counter() - mark)
    return summary(timed)


def _build(
    index: VectorIndex, corpus: ScaledCorpus, meta: IndexMeta, optimize: bool
) -> dict[str, float]:
    """Upsert every point (and build HNSW when asked); seconds spent."""
    index.ensure(meta)
    mark = time.perf_counter()
    with warnings.catch_warnings():
        # local mode warns above 20,000 points that it is not meant for them: known, measured
        warnings.filterwarnings("ignore", "Local mode is not recommended", UserWarning)
        for start in range(0, corpus.size, UPSERT_BATCH):
            index.upsert(corpus.points(start, start + UPSERT_BATCH))
    upsert_s = time.perf_counter() - mark
    out = {"upsert_s": round(upsert_s, 2), "points_per_s": round(corpus.size / upsert_s)}
    if optimize:
        mark = time.perf_counter()
        index.optimize()
        out["optimize_s"] = round(time.perf_counter() - mark, 2)
    log.info("index built", extra={"size": corpus.size, "index": type(index).__name__, **out})
    return out


def _http(
    corpus: ScaledCorpus, reranker: Path, args: argparse.Namespace, load: bool
) -> dict[str, Any]:
    """Sequential /search and /ask, the load run; then /search with the cross-encoder."""
    logs = corpus.dir / "logs"
    with ServiceProcess(corpus.data_dir, logs / "service.log") as service:
        out = _sequential(service, args.requests, ("search", "ask"), _questions(args))
        if load:
            mix = _mix(_questions(args))
            out["load"] = load_run(service.url, mix, args.clients, args.duration)
            log.info("load run done", extra={"size": corpus.size, **out["load"]["all"]})
    # The extractive generator keeps unit vectors, and the questions cycle over passages it has
    # seen: "ask_cold" is /ask with that cache off, every answer embedding its units.
    cold = {"WATERCOOLER_ANSWER__UNIT_CACHE_SIZE": "0"}
    with ServiceProcess(corpus.data_dir, logs / "cold.log", cold) as service:
        out["ask_cold"] = _sequential(service, args.requests, ("ask",), _questions(args))["ask"]
    rerank = {"WATERCOOLER_RETRIEVAL__RERANKER": str(reranker)}
    with ServiceProcess(corpus.data_dir, logs / "rerank.log", rerank) as service:
        reranked = _sequential(service, args.rerank_requests, ("search",), _questions(args))
        out["search_rerank"] = reranked["search"]
    if args.variant_env:
        env = dict(item.split("=", 1) for item in args.variant_env)
        with ServiceProcess(corpus.data_dir, logs / "variant.log", env) as service:
            variant = _sequential(service, args.requests, ("search", "ask"), _questions(args))
        out["variant"] = {"env": env, **variant}
    return out


def _questions(args: argparse.Namespace) -> tuple[str, ...]:
    """The questions asked of the content `--passages` chose."""
    return REAL_QUESTIONS if args.passages == "real" else SAMPLE_QUESTIONS


def _sequential(
    service: ServiceProcess, n: int, endpoints: tuple[str, ...], questions: tuple[str, ...]
) -> dict[str, Any]:
    """`n` timed requests to each endpoint, one at a time, each after a few untimed ones."""
    out = {}
    with service.client() as client:
        for endpoint in endpoints:
            warm = calls(endpoint, questions, WARMUP, offset=len(questions) - WARMUP)
            out[endpoint] = sequential(client, calls(endpoint, questions, n), warm).figures()
    log.info("sequential requests timed", extra={"log": service.log_file.name, "requests": n})
    return out


def _mix(questions: tuple[str, ...]) -> list[Call]:
    """The load run's request cycle: two /search for every /ask, questions in turn."""
    return [
        call
        for i in range(len(questions))
        for call in (
            *calls("search", questions, 2, offset=2 * i),
            *calls("ask", questions, 1, offset=i),
        )
    ]


def _ratio(a: float | int, b: float | int) -> float | None:
    return round(a / b, 1) if b else None


if __name__ == "__main__":
    sys.exit(main())
