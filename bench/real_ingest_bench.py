"""Ingestion on the real-world corpus (bench/corpus.py), per format (`make bench-real`).

    python -m bench.real_ingest_bench [--quick] [--corpus DIR] [--files-per-format N]

For each format folder of the corpus (html, rst, txt, pdf, small), on the same files:
  * parse on one core: files/s and chunks/s of the connector (`DocumentsConnector.parse`, what
    a parse worker runs) plus chunking, and milliseconds per file;
  * before/after for HTML and RST: unstructured's partitioner (pandoc for RST) against the
    fast path on the same texts, files/s of each, the speed-up, and how many documents give
    identical blocks (their differences are documented in ingest/connectors/rstblocks.py);
  * end to end: one job per format (`IngestPipeline.run`, its parse workers as configured),
    chunks/s, and the time per file that is neither encoding nor starting the job's parse
    worker (measured apart: a cost per job);
  * the fixed cost per file, on `small` (one paragraph per file): a job over half of those
    files and one over all of them; the difference of their times less encoding, per file
    of the difference (what a job's own start costs cancels out);
  * the raw encoder's chunks/s on exactly the job's chunk texts, in the job's batch size,
    measured before and after the job (load on a shared machine weighs on both sides), and
    the ratio end-to-end / encoder. The job also makes the chunks' answer-unit vectors as
    `ingest.unit_vectors` says (printed as `unit_vectors`): pooled from the chunk pass by
    default, so the chunk texts are all the encoder reads but for the units it cannot pool.
    Parse chunks/s per core times the worker count is the encoder speed the parse stage keeps
    up with.
The figures go to bench/out/real_ingest.json and stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.corpus import DEFAULT_DEST
from core.config import apply_runtime_env
from core.embedding import Embedder

FORMATS = ("html", "rst", "txt", "pdf", "small")
SMALL_FACTOR = 8  # small pages are one chunk each: take more of them, the fixed cost is small


def select(
    corpus: Path, per_format: int, into: Path, formats: tuple[str, ...] = FORMATS
) -> dict[str, list[Path]]:
    """Up to `per_format` files of each format, spread evenly over the sorted list, copied."""
    chosen: dict[str, list[Path]] = {fmt: [] for fmt in FORMATS}
    for fmt in formats:
        files = sorted(p for p in (corpus / fmt).rglob("*") if p.is_file())
        wanted = per_format * SMALL_FACTOR if fmt == "small" else per_format
        step = max(1, len(files) // wanted) if files else 1
        picked = files[::step][:wanted]
        chosen[fmt] = []
        for path in picked:
            target = into / fmt / path.relative_to(corpus / fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            chosen[fmt].append(target)
    if len(chosen["small"]) >= 2:  # half of the small pages again, for the fixed cost
        for path in chosen["small"][: len(chosen["small"]) // 2]:
            target = into / "small-half" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return {fmt: files for fmt, files in chosen.items() if files}


def sources_file(root: Path, formats: list[str]) -> Path:
    """A sources file with one document source per format folder."""
    sources = [
        {"name": fmt, "kind": "doc", "path": str(root / fmt), "allow_outside": True}
        for fmt in formats
    ]
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}))
    return path


def parse_on_one_core(
    files: list[Path], root: Path, pipeline: Any, max_bytes: int
) -> dict[str, Any]:
    """Connector parse and chunking, in this process: per-core rates, and the chunk texts."""
    from core.sources import SourceConfig
    from ingest.connectors.documents import DocumentsConnector
    from ingest.payload import embedding_text

    source = SourceConfig(name="bench", kind="doc", path=root, allow_outside=True)
    connector = DocumentsConnector(source, max_bytes)
    parse_s = chunk_s = 0.0
    texts: list[str] = []
    failed = 0
    for path in files:
        started = time.perf_counter()
        try:
            docs = connector.parse(path)
        except Exception:  # a broken file is the job's to report; here it only isn't counted
            failed += 1
            continue
        parsed = time.perf_counter()
        for doc in docs:
            texts += [embedding_text(doc, c) for c in pipeline.chunker.chunk(doc)]
        parse_s += parsed - started
        chunk_s += time.perf_counter() - parsed
    done = len(files) - failed
    return {
        "files": done,
        "failed": failed,
        "chunks": len(texts),
        "parse_files_per_s_per_core": round(done / parse_s, 2) if parse_s else None,
        "parse_ms_per_file": round(1000 * parse_s / done, 2) if done else None,
        "parse_and_chunk_chunks_per_s_per_core": (
            round(len(texts) / (parse_s + chunk_s), 1) if parse_s + chunk_s else None
        ),
        "texts": texts,
    }


def before_after(kind: str, files: list[Path]) -> dict[str, Any]:
    """unstructured against the fast path on the same texts: speed and identical blocks."""
    from ingest.connectors.doc_formats import rst_docinfo
    from ingest.connectors.elements import blocks_from_elements, partition
    from ingest.connectors.htmlblocks import Unsupported, html_blocks
    from ingest.connectors.rstblocks import rst_blocks

    fast = rst_blocks if kind == "rst" else html_blocks
    texts = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        texts.append(rst_docinfo(text)[1] if kind == "rst" else text)
    # Each side in its own loop: interleaved, unstructured's garbage is collected on the fast
    # path's clock (a parse worker runs only one of them).
    theirs: dict[int, tuple[Any, Any]] = {}
    started = time.perf_counter()
    for i, text in enumerate(texts):
        try:
            theirs[i] = blocks_from_elements(partition(kind, text=text))
        except Exception:  # unstructured failing on a file: not comparable
            continue
    old_s = time.perf_counter() - started
    ours: dict[int, tuple[Any, Any]] = {}
    started = time.perf_counter()
    for i, text in enumerate(texts):
        try:
            ours[i] = fast(text)
        except Unsupported:
            continue
    new_s = time.perf_counter() - started
    both = sorted(set(theirs) & set(ours))
    compared = len(both)
    old_s *= compared / max(len(theirs), 1)  # rates over the files both sides read
    new_s *= compared / max(len(ours), 1)

    def pairs(result: tuple[Any, Any]) -> tuple[list[tuple[str, list[str]]], Any]:
        return [(b.text, b.heading_path) for b in result[0]], result[1]

    same = sum(pairs(ours[i]) == pairs(theirs[i]) for i in both)
    return {
        "files": compared,
        "unstructured_files_per_s": round(compared / old_s, 2) if old_s else None,
        "fast_path_files_per_s": round(compared / new_s, 2) if new_s else None,
        "speedup": round(old_s / new_s, 1) if new_s else None,
        "identical_blocks": f"{same}/{compared}",
    }


def _fixed_cost_ms(pipeline: Any, files: int, whole: dict[str, Any]) -> float:
    """Per file: (all small pages - half of them) in job time less encoding, over the files
    the two jobs differ by."""
    half = pipeline.run(only="small-half")
    not_encoding = whole["job_seconds"] - whole["embed_seconds"]
    half_not_encoding = half.seconds - half.embed_seconds
    return round(1000 * (not_encoding - half_not_encoding) / (files - half.totals.new), 1)


def _worker_start_seconds() -> float:
    """Starting one parse worker (spawn, import the parsers): a cost per job, not per file."""
    from ingest.sandbox import Limits, Sandbox

    started = time.perf_counter()
    with Sandbox(Limits(timeout_s=900, memory_mb=2048)) as sandbox:
        sandbox.run("probe", len, "x")
    return time.perf_counter() - started


def _encode_seconds(embedder: Embedder, texts: list[str], batch_size: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        embedder.embed_documents(texts[i : i + batch_size])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--files-per-format", type=int, default=25)
    parser.add_argument("--compare-files", type=int, default=20, help="before/after files")
    parser.add_argument("--quick", action="store_true", help="8 files per format, 5 compared")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help=f"comma-separated subset of {FORMATS}"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out/real_ingest.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.files_per_format, args.compare_files = 8, 5
    if not (args.corpus / "manifest.json").is_file():
        sys.stderr.write(f"no corpus in {args.corpus}: run `python -m bench.corpus build`\n")
        return 2

    from core.config import get_settings
    from core.db import Database
    from core.embedding import SentenceTransformerEmbedder
    from core.index.factory import open_index
    from core.sources import load_sources
    from ingest.job import build_pipeline

    figures: dict[str, Any] = {"machine": _machine(), "per_format": {}}
    with tempfile.TemporaryDirectory(prefix="wc-real-bench-") as tmp:
        root = Path(tmp) / "corpus"
        formats = tuple(f for f in args.formats.split(",") if f in FORMATS)
        chosen = select(args.corpus, args.files_per_format, root, formats)
        # A generous parse time limit: the benchmark measures speed, not the hostile-file guard
        # (the Debian Reference PDF takes over the default minute on a loaded machine).
        settings = get_settings(data_dir=Path(tmp) / "data", ingest={"parse_timeout_s": 900})
        settings.data_dir.mkdir(parents=True)
        embedder = SentenceTransformerEmbedder(settings.embedding)
        embedder.embed_documents(["warm-up"] * 8)
        db, index = Database(settings.database_url), open_index(settings)
        halves = ["small-half"] if (root / "small-half").is_dir() else []
        sources = load_sources(sources_file(root, [*chosen, *halves]))
        pipeline = build_pipeline(settings, sources, index=index, embedder=embedder, db=db)
        workers = getattr(pipeline, "parse_workers", None) or 1
        max_bytes = int(settings.ingest.max_file_mb * 2**20)
        figures.update(
            parse_workers=workers,
            worker_start_s=round(_worker_start_seconds(), 2),
            encoder={"device": embedder.device, "dtype": embedder.dtype},
            batch_size=pipeline.batch_size,
            unit_vectors=settings.ingest.unit_vectors,  # the job's answer-unit encoder work
        )
        totals = {"chunks": 0, "seconds": 0.0, "raw_seconds": 0.0}
        try:
            for fmt, files in chosen.items():
                row = parse_on_one_core(files, root / fmt, pipeline, max_bytes)
                texts = row.pop("texts")
                if fmt in ("html", "rst"):
                    row["before_after"] = before_after(fmt, files[: args.compare_files])
                raw_before = _encode_seconds(embedder, texts, pipeline.batch_size)
                job = pipeline.run(only=fmt)
                raw_after = _encode_seconds(embedder, texts, pipeline.batch_size)
                raw_s = (raw_before + raw_after) / 2
                chunks = job.totals.chunks
                row.update(
                    job_seconds=round(job.seconds, 2),
                    embed_seconds=round(job.embed_seconds, 2),
                    job_files=job.totals.new,
                    job_failed=job.totals.failed,
                    job_chunks=chunks,
                    end_to_end_chunks_per_s=round(chunks / job.seconds, 1),
                    raw_encoder_chunks_per_s=round(len(texts) / raw_s, 1) if raw_s else None,
                    ratio=round((chunks / job.seconds) / (len(texts) / raw_s), 3)
                    if raw_s
                    else None,
                    not_encoding_ms_per_file=round(
                        1000
                        * max(0.0, job.seconds - job.embed_seconds - figures["worker_start_s"])
                        / max(job.totals.new, 1),
                        1,
                    ),
                    parse_keeps_up_with_encoder_up_to_chunks_per_s=(
                        round(row["parse_and_chunk_chunks_per_s_per_core"] * workers)
                        if row["parse_and_chunk_chunks_per_s_per_core"]
                        else None
                    ),
                )
                figures["per_format"][fmt] = row
                totals["chunks"] += chunks
                totals["seconds"] += job.seconds
                totals["raw_seconds"] += raw_s * chunks / max(len(texts), 1)
                _print_row(fmt, row)
            if halves:
                figures["fixed_cost_ms_per_file"] = _fixed_cost_ms(
                    pipeline, len(chosen["small"]), figures["per_format"]["small"]
                )
        finally:
            index.close()
            db.dispose()
    if totals["seconds"] and totals["raw_seconds"]:
        figures["mixed"] = {
            "chunks": totals["chunks"],
            "end_to_end_chunks_per_s": round(totals["chunks"] / totals["seconds"], 1),
            "raw_encoder_chunks_per_s": round(totals["chunks"] / totals["raw_seconds"], 1),
            "ratio": round(totals["raw_seconds"] / totals["seconds"], 3),
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    sys.stdout.write(json.dumps({k: v for k, v in figures.items() if k != "per_format"}) + "\n")
    return 0


def _print_row(fmt: str, row: dict[str, Any]) -> None:
    sys.stdout.write(f"{fmt}: {json.dumps(row)}\n")
    sys.stdout.flush()


def _machine() -> dict[str, Any]:
    """CPU count and whether the CPU has bf16 (the encoder's speed depends on it)."""
    import os

    flags = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        lines = cpuinfo.read_text().splitlines()
        flags = next((line for line in lines if line.startswith("flags")), "")
    return {
        "cpus": os.cpu_count(),
        "avx512_bf16": "avx512_bf16" in flags,
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    sys.exit(main())
