"""GPU path benchmark: the embedder's bucketed, tokenize-ahead encoder against plain
`SentenceTransformer.encode` on the same pre-parsed chunk texts, and parse throughput with N
parse workers. Runs on a CPU too (`--device cpu --quick`), so it is proven before a GPU is lent.

    python -m bench.gpu_bench [--device auto|cpu|cuda] [--quick] [--texts N] [--batch-size B]
                              [--workers 1,4,16] [--out bench/out/gpu.json]

Figures (one run each): chunks/s of both encoders (same model, dtype, batch size and texts),
their ratio, the share of padded positions each computes, and the sample documents parsed per
second by 1..N sandboxed workers (worker start-up excluded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from core.config import apply_runtime_env

SAMPLE_DOCS = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"


def chunk_texts(embedder: Any, count: int) -> list[str]:
    """The sample documents' chunk texts (as the job embeds them), repeated to `count`."""
    from core.config import ChunkingSettings
    from core.sources import SourceConfig
    from ingest.chunking import Chunker
    from ingest.connectors.documents import DocumentsConnector
    from ingest.payload import embedding_text

    connector = DocumentsConnector(
        SourceConfig(name="docs", kind="doc", path=SAMPLE_DOCS), 50 << 20
    )
    chunker = Chunker(ChunkingSettings(), embedder.token_lengths, embedder.token_offsets)
    texts = []
    for path in connector.files():
        for doc in connector.parse(path):
            texts += [embedding_text(doc, c) for c in chunker.chunk(doc)]
    return [texts[i % len(texts)] for i in range(count)]


def padded_shares(embedder: Any, texts: list[str], batch_size: int) -> tuple[float, float]:
    """Padding computed by our bucketing (per window) and by plain encode (its global sort)."""
    from core.batching import length_batches, padded_share
    from core.embedding import WINDOW_BATCHES

    lengths = [min(n + 2, embedder.max_tokens) for n in embedder.token_lengths(texts)]
    window = batch_size * WINDOW_BATCHES
    ours = [
        [start + i for i in b]
        for start in range(0, len(texts), window)
        for b in length_batches(lengths[start : start + window], batch_size)
    ]
    by_chars = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    plain = [by_chars[i : i + batch_size] for i in range(0, len(texts), batch_size)]
    return padded_share(lengths, ours), padded_share(lengths, plain)


def encoder_rates(embedder: Any, texts: list[str], batch_size: int) -> dict[str, float]:
    """Chunks/s of our path and of plain encode, each after a warm-up, our path measured twice
    around plain encode (load that changes during the run weighs on both)."""
    import torch

    def sync() -> None:
        if embedder.device.startswith("cuda"):
            torch.cuda.synchronize()

    def ours() -> float:
        sync()
        started = time.perf_counter()
        embedder.embed_documents(texts)
        sync()
        return time.perf_counter() - started

    def plain() -> float:
        sync()
        started = time.perf_counter()
        embedder._model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
        sync()
        return time.perf_counter() - started

    warm = texts[: batch_size * 2]
    embedder.embed_documents(warm)
    embedder._model.encode(warm, batch_size=batch_size)
    first = ours()
    plain_s = plain()
    second = ours()
    ours_s = (first + second) / 2
    return {
        "ours_chunks_per_s": round(len(texts) / ours_s, 1),
        "plain_encode_chunks_per_s": round(len(texts) / plain_s, 1),
        "ratio_ours_to_plain": round(plain_s / ours_s, 2),
    }


def parse_rates(workers: list[int], repeats: int) -> dict[str, float]:
    """Sample documents parsed per second by each number of sandboxed parse workers."""
    from core.config import IngestSettings
    from core.sources import SourceConfig
    from ingest.connectors.documents import DocumentsConnector
    from ingest.parse_pool import ParsePool
    from ingest.sandbox import Limits

    limits = IngestSettings()
    connector = DocumentsConnector(
        SourceConfig(name="docs", kind="doc", path=SAMPLE_DOCS), 50 << 20
    )
    files = connector.files() * repeats
    rates = {}
    for n in workers:
        with ParsePool(Limits(limits.parse_timeout_s, limits.parse_memory_mb), n) as pool:
            for warm in [pool.submit("warm-up", len, "x") for _ in range(2 * n)]:
                warm.result()  # every worker started: start-up is not parse throughput
            started = time.perf_counter()
            for future in [pool.submit(str(p), connector.parse, p) for p in files]:
                future.result()
            rates[f"parse_files_per_s_{n}_workers"] = round(
                len(files) / (time.perf_counter() - started), 2
            )
    return rates


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="few texts, few files (a smoke run)")
    parser.add_argument("--texts", type=int, default=None, help="chunk texts to encode")
    parser.add_argument("--batch-size", type=int, default=None, help="default: 512 on a GPU")
    parser.add_argument("--workers", default=None, help="parse workers to try, e.g. 1,4,16")
    parser.add_argument("--out", type=Path, default=Path("bench/out/gpu.json"))
    args = parser.parse_args(argv)

    import os

    from core.config import EmbeddingSettings
    from core.embedding import SentenceTransformerEmbedder
    from core.models import choose_device, cpu_has_bf16
    from ingest.parse_pool import default_parse_workers

    device = choose_device(args.device)
    gpu = device.startswith("cuda")
    batch_size = args.batch_size or (512 if gpu else EmbeddingSettings().batch_size)
    count = args.texts or (600 if args.quick else (50_000 if gpu else 3_000))
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(device=device, batch_size=batch_size))
    texts = chunk_texts(embedder, count)
    ours_pad, plain_pad = padded_shares(embedder, texts, batch_size)
    workers = (
        [int(n) for n in args.workers.split(",")]
        if args.workers
        else sorted({1, default_parse_workers(device)})
    )
    figures: dict[str, Any] = {
        "device": device,
        "gpu": _gpu_name() if gpu else None,
        "dtype": embedder.dtype,
        "cpu_cores": os.cpu_count(),
        "cpu_bf16": cpu_has_bf16(),
        "tokenizer_threads": len(embedder._encoder_tokenizers),
        "batch_size": batch_size,
        "texts": len(texts),
        "padded_share_ours": round(ours_pad, 3),
        "padded_share_plain_encode": round(plain_pad, 3),
        **encoder_rates(embedder, texts, batch_size),
        **parse_rates(workers, 1 if args.quick else 3),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    width = max(len(k) for k in figures)
    sys.stdout.write("GPU path benchmark (one run; pre-parsed sample chunk texts)\n")
    for key, value in figures.items():
        sys.stdout.write(f"  {key:<{width}}  {value}\n")
    sys.stdout.write("targets on an H200: ours ≥ 10,000 chunks/s and ≥ 3× plain encode\n")
    return 0


def _gpu_name() -> str:
    import torch

    return str(torch.cuda.get_device_name())


if __name__ == "__main__":
    sys.exit(main())
