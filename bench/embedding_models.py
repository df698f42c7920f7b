"""Embedding-model cost side by side: passages/s on the sample corpus's chunks, ms per query.

    python -m bench.embedding_models --model all-MiniLM-L6-v2 --model data/models/all-mpnet-base-v2

The bundled sample content is ingested once (with the first model, into a temporary folder) to
get its chunk texts; every model then encodes exactly those texts in the configured batch size,
and embeds each benchmark question alone (the query path of /search and /ask for a question not
in the query cache). The models take turns round by round, so load from other processes on a
shared machine weighs on all alike; each figure is the median over the rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from core.config import apply_runtime_env
from core.embedding import SentenceTransformerEmbedder


def sample_chunk_texts(embedder: SentenceTransformerEmbedder, work: Path) -> list[str]:
    """The embedding texts of the bundled sample content's chunks (chunked with `embedder`)."""
    from core.config import get_settings
    from core.db import Database, ManifestStore
    from core.index.factory import open_index
    from core.sources import load_sources
    from ingest.job import build_pipeline
    from ingest.payload import embedding_text

    settings = get_settings(data_dir=work)
    work.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(settings, load_sources(), index=index, embedder=embedder, db=db)
        pipeline.run()
        manifest = ManifestStore(db)
        texts = []
        for doc_id in sorted(manifest.all_document_ids()):
            doc = manifest.load_document(doc_id)
            texts += [embedding_text(doc, c) for c in pipeline.chunker.chunk(doc)]
    finally:
        index.close()
        db.dispose()
    return texts


def encode_rate(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    """Passages per second, in the embedder's batch size."""
    started = time.perf_counter()
    for i in range(0, len(texts), embedder.batch_size):
        embedder.embed_documents(texts[i : i + embedder.batch_size])
    return len(texts) / (time.perf_counter() - started)


def query_ms(embedder: SentenceTransformerEmbedder, questions: tuple[str, ...]) -> list[float]:
    """Milliseconds to embed each question alone, as a question the query cache lacks."""
    times = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed_documents([question])  # embed_query would answer repeats from its cache
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print one row per model."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", action="append", required=True, help="name or path; repeat")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/out/embedding_models.json"))
    args = parser.parse_args(argv)

    import torch

    from bench.questions import QUESTIONS
    from core.config import EmbeddingSettings

    embedders = [SentenceTransformerEmbedder(EmbeddingSettings(model=m)) for m in args.model]
    with tempfile.TemporaryDirectory(prefix="wc-embed-bench-") as tmp:
        texts = sample_chunk_texts(embedders[0], Path(tmp) / "data")
    rates: list[list[float]] = [[] for _ in embedders]
    latencies: list[list[float]] = [[] for _ in embedders]
    for embedder in embedders:  # warm-up: first-call allocations and kernel selection
        embedder.embed_documents(texts[: embedder.batch_size])
        query_ms(embedder, QUESTIONS[:5])
    for _ in range(args.rounds):
        for i, embedder in enumerate(embedders):
            rates[i].append(encode_rate(embedder, texts))
            latencies[i] += query_ms(embedder, QUESTIONS)

    rows: list[dict[str, Any]] = []
    for embedder, rate, lat in zip(embedders, rates, latencies, strict=True):
        ordered = sorted(lat)
        rows.append(
            {
                "model": embedder.model_name,
                "dimension": embedder.dimension,
                "device": embedder.device,
                "dtype": embedder.dtype,
                "torch_threads": torch.get_num_threads(),
                "chunks": len(texts),
                "mean_tokens_per_chunk": round(statistics.fmean(embedder.token_lengths(texts)), 1),
                "encode_chunks_per_s": round(statistics.median(rate), 1),
                "encode_chunks_per_s_rounds": [round(r, 1) for r in rate],
                "query_ms_p50": round(statistics.median(ordered), 2),
                "query_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
                "queries": len(ordered),
            }
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))
    sys.stdout.write("| model | dim | dtype | chunks | chunks/s | query ms p50 | p95 |\n")
    sys.stdout.write("|---|---|---|---|---|---|---|\n")
    for r in rows:
        sys.stdout.write(
            f"| {r['model']} | {r['dimension']} | {r['dtype']} | {r['chunks']} "
            f"| {r['encode_chunks_per_s']} | {r['query_ms_p50']} | {r['query_ms_p95']} |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
