"""Ingestion benchmark: end-to-end chunks/s against the raw encoder, and the unchanged re-run.

The sample corpus is scaled up by declaring each source several times under new names (new
document ids, the same files), until the job writes at least `--min-chunks` chunks. Figures:
  * end-to-end chunks/s of the first run (parse + chunk + embed + BM25 + write + HNSW build),
  * the raw encoder's chunks/s on exactly the same chunk texts, same batch size,
  * their ratio (target ≥ 0.8),
  * the encoder's chunks/s on everything the job's encoder does (the chunks and their answer
    units as `ingest.unit_vectors` has them made: pooled from the chunk pass, or embedded
    again), and the end-to-end ratio to that (the job's own overhead),
  * the time of a second, unchanged run, and first/second (target ≥ 20×).

`--small-files N` instead measures the fixed cost per file: a job over N one-line text files,
its time minus the encoder's, per file (target ≤ 3 ms), beside the parser workers' start-up
(paid once per job, not per file). `--quick` runs a smaller job of either kind.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import yaml

from core.config import apply_runtime_env
from core.embedding import Embedder
from core.generation.unit_vectors import unit_texts
from ingest.payload import embed_with_unit_vectors, embedding_text
from ingest.pipeline import IngestPipeline


def scaled_sources(target: Path, copies: int) -> Path:
    """A sources file declaring every bundled source `copies` times."""
    from core.sources import bundled_sources_file

    original = bundled_sources_file()
    raw = yaml.safe_load(original.read_text())
    base = original.parent
    sources = []
    for i in range(copies):
        for source in raw["sources"]:
            clone = dict(
                source,
                name=f"{source['name']}-{i}",
                path=str(base / source["path"]),
                allow_outside=True,  # the bundled folder lies outside this temporary file's
            )
            sources.append(clone)
    config = {
        "people": str(base / raw["people"]) if raw.get("people") else None,
        "owners": str(base / raw["owners"]) if raw.get("owners") else None,
        "sources": sources,
    }
    path = target / "sources.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _encode_seconds(embedder: Embedder, texts: list[str], batch_size: int) -> float:
    """Seconds the encoder alone takes for the texts, in the job's batch size."""
    started = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        embedder.embed_documents(texts[i : i + batch_size])
    return time.perf_counter() - started


def _encode_job_seconds(
    embedder: Embedder, chunks: list[tuple[str, str, str]], pipeline: IngestPipeline
) -> tuple[float, int]:
    """Seconds of the job's own encoder call for these chunks (`embed_with_unit_vectors`, one
    per write batch: the chunk pass and the answer units as `ingest.unit_vectors` has them
    made), and how many texts it embeds beside the chunk pass's in pooled mode (the units it
    could not pool). chunks: embedded text, passage text, document kind."""
    mode = pipeline.writer.unit_vectors
    counted = _CountingEmbedder(embedder)
    seconds = 0.0
    for i in range(0, len(chunks), pipeline.batch_size):
        batch = chunks[i : i + pipeline.batch_size]
        payloads: list[dict[str, Any]] = [{"text": text, "kind": kind} for _, text, kind in batch]
        started = time.perf_counter()
        embed_with_unit_vectors([t for t, _, _ in batch], payloads, counted, mode)
        seconds += time.perf_counter() - started
    return seconds, counted.texts if mode == "pooled" else 0


class _CountingEmbedder:
    """The embedder, counting the texts given to `embed_documents`."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts = 0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _TimedEmbedder:
    """The embedder, timing every encoder call (the job's and any payload hook's)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seconds = 0.0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        started = time.perf_counter()
        try:
            return self.inner.embed_documents_with_spans(texts, spans)
        finally:
            self.seconds += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def small_files(count: int) -> dict[str, object]:
    """A job over `count` one-line text files: its fixed cost per file."""
    from core.config import get_settings
    from core.db import Database
    from core.embedding import SentenceTransformerEmbedder
    from core.index.factory import open_index
    from core.sources import load_sources
    from ingest.job import build_pipeline
    from ingest.sandbox import Limits, Sandbox

    with tempfile.TemporaryDirectory(prefix="wc-bench-small-") as tmp:
        root = Path(tmp)
        (root / "notes").mkdir()
        for i in range(count):
            (root / "notes" / f"note-{i:05d}.txt").write_text(
                f"Note {i}: the kettle is on floor {i % 7}.\n"
            )
        config = root / "sources.yaml"
        config.write_text(
            yaml.safe_dump({"sources": [{"name": "notes", "kind": "doc", "path": "notes"}]})
        )
        settings = get_settings(data_dir=root / "data")
        settings.data_dir.mkdir()
        embedder = _TimedEmbedder(SentenceTransformerEmbedder(settings.embedding))
        embedder.embed_documents(["warm-up"] * 8)
        embedder.seconds = 0.0
        started = time.perf_counter()  # what one parser worker takes to start (once per job)
        with Sandbox(
            Limits(settings.ingest.parse_timeout_s, settings.ingest.parse_memory_mb)
        ) as box:
            box.run("warm-up", len, "x")
        worker_start = time.perf_counter() - started
        db = Database(settings.database_url)
        index = open_index(settings)
        try:
            pipeline = build_pipeline(
                settings,
                load_sources(config),
                index=index,
                embedder=cast(Embedder, embedder),
                db=db,
            )
            report = pipeline.run()
            workers = pipeline.parse_workers
        finally:
            index.close()
            db.dispose()
    fixed = report.seconds - embedder.seconds
    return {
        "files": count,
        "documents": report.totals.new,
        "chunks_written": report.totals.chunks,
        "parse_workers": workers,
        "device": embedder.device,
        "dtype": embedder.dtype,
        "job_s": round(report.seconds, 3),
        "encode_s": round(embedder.seconds, 3),
        "encode_s_of_chunk_vectors": round(report.embed_seconds, 3),
        "parser_worker_start_s": round(worker_start, 3),
        "fixed_ms_per_file": round(1000 * fixed / count, 2),
        "fixed_ms_per_file_after_worker_start": round(1000 * (fixed - worker_start) / count, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--min-chunks", type=int, default=5000)
    parser.add_argument("--small-files", type=int, default=0, metavar="N")
    parser.add_argument("--quick", action="store_true", help="a smaller job (a smoke run)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.small_files:
        count = min(args.small_files, 100) if args.quick else args.small_files
        return _print(
            small_files(count),
            args.out or Path("bench/out/ingest_small.json"),
            "Ingestion of small files (one run)",
            "target: fixed_ms_per_file ≤ 3",
        )
    if args.quick:
        args.min_chunks = min(args.min_chunks, 500)

    from core.config import get_settings
    from core.db import Database, ManifestStore
    from core.embedding import SentenceTransformerEmbedder
    from core.index.factory import open_index
    from core.sources import load_sources
    from ingest.job import build_pipeline

    with tempfile.TemporaryDirectory(prefix="wc-bench-") as tmp:
        tmp_path = Path(tmp)
        settings = get_settings(data_dir=tmp_path / "data")
        settings.data_dir.mkdir(parents=True)
        embedder = SentenceTransformerEmbedder(settings.embedding)
        embedder.embed_documents(["warm-up"] * 8)

        # Size the scale-up from one copy's chunk count (a throwaway run).
        probe = get_settings(data_dir=tmp_path / "probe")
        probe.data_dir.mkdir()
        db = Database(probe.database_url)
        index = open_index(probe)
        one = build_pipeline(
            probe, load_sources(scaled_sources(tmp_path, 1)), index=index, embedder=embedder, db=db
        ).run()
        # The chunk texts of one copy (every copy embeds exactly these texts).
        chunker = build_pipeline(
            probe, load_sources(scaled_sources(tmp_path, 1)), index=index, embedder=embedder, db=db
        ).chunker
        manifest = ManifestStore(db)
        one_copy = []
        for doc_id in sorted(manifest.all_document_ids()):
            doc = manifest.load_document(doc_id)
            for c in chunker.chunk(doc):
                one_copy.append((embedding_text(doc, c), c.text, doc.kind.value))
        index.close()
        db.dispose()
        per_copy = max(one.totals.chunks, 1)
        copies = -(-args.min_chunks // per_copy)
        chunks = one_copy * copies
        texts = [text for text, _, _ in chunks]

        sources = load_sources(scaled_sources(tmp_path, copies))
        db = Database(settings.database_url)
        index = open_index(settings)
        pipeline = build_pipeline(settings, sources, index=index, embedder=embedder, db=db)
        # The raw encoder runs before and after the job, so that load on a shared machine
        # that changes during the run weighs on both sides of the ratio alike.
        raw_before = _encode_seconds(embedder, texts, pipeline.batch_size)
        job_before, alone = _encode_job_seconds(embedder, chunks, pipeline)
        first = pipeline.run()
        raw_after = _encode_seconds(embedder, texts, pipeline.batch_size)
        job_after, _ = _encode_job_seconds(embedder, chunks, pipeline)
        second = pipeline.run()
        index.close()
        db.dispose()

    raw_rate = 2 * len(texts) / (raw_before + raw_after)
    # Everything the job's encoder does: the chunk pass and the answer units as
    # ingest.unit_vectors has them made (pooled from that pass, or embedded again); the ratio
    # to this is the job's own overhead (parse, write, record).
    all_rate = 2 * len(texts) / (job_before + job_after)
    unit_count = sum(len(unit_texts(text, kind == "video")) for _, text, kind in chunks)
    figures = {
        "copies_of_sample_corpus": copies,
        "documents": first.totals.new,
        "chunks_written": first.totals.chunks,
        "failed_items": first.totals.failed,
        "device": embedder.device,
        "dtype": embedder.dtype,
        "first_run_s": round(first.seconds, 2),
        "end_to_end_chunks_per_s": round(first.chunks_per_s, 1),
        "raw_encoder_chunks_per_s_before": round(len(texts) / raw_before, 1),
        "raw_encoder_chunks_per_s_after": round(len(texts) / raw_after, 1),
        "raw_encoder_chunks_per_s": round(raw_rate, 1),
        "encoder_busy_share_in_job": round(first.embed_seconds / first.seconds, 3),
        "ratio_end_to_end_to_encoder": round(first.chunks_per_s / raw_rate, 3),
        "unit_vectors": pipeline.writer.unit_vectors,
        "answer_units": unit_count,
        "answer_units_embedded_alone": alone,
        "raw_encoder_chunks_and_units_per_s": round(all_rate, 1),
        "ratio_end_to_end_to_encoder_chunks_and_units": round(first.chunks_per_s / all_rate, 3),
        "second_run_unchanged_s": round(second.seconds, 3),
        "second_run_unchanged_docs": second.totals.unchanged,
        "speedup_first_over_second": round(first.seconds / second.seconds, 1),
    }
    return _print(
        figures,
        args.out or Path("bench/out/ingest.json"),
        "Ingestion benchmark (one run)",
        "targets: ratio ≥ 0.8, speedup ≥ 20×",
    )


def _print(figures: dict[str, object], out: Path, title: str, targets: str) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    width = max(len(k) for k in figures)
    sys.stdout.write(f"{title}\n")
    for key, value in figures.items():
        sys.stdout.write(f"  {key:<{width}}  {value}\n")
    sys.stdout.write(f"{targets}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
