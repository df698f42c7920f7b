"""Parallel parsing loses nothing: N parse workers build the index one worker builds, and the
parse cache lets a job with a changed chunker skip parsing."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from core.config import Settings, get_settings
from core.db import Database, ManifestStore
from core.generation.unit_vectors import PAYLOAD_KEY, decode, unit_key, unit_texts
from core.index.edge import EdgeIndex
from core.index.factory import open_index
from core.sources import load_sources
from ingest import parse_cache
from ingest.job import build_pipeline
from ingest.report import IngestReport
from tests.ingest.test_pipeline import SAMPLE, make_corpus

Snapshot = dict[str, Any]


def mixed_corpus(root: Path) -> Path:
    """The pipeline tests' corpus (wiki, videos, blog, broken files) plus the sample's drive
    (PDF, DOCX, PPTX, HTML, RST, Markdown, text)."""
    config = make_corpus(root)
    shutil.copytree(SAMPLE / "docs", root / "drive")
    raw = yaml.safe_load(config.read_text())
    raw["sources"].append({"name": "drive", "kind": "doc", "path": "drive"})
    config.write_text(yaml.safe_dump(raw))
    return config


def run(settings: Settings, config: Path, embedder: Any) -> IngestReport:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(config), index=index, embedder=embedder, db=db
        )
        return pipeline.run()
    finally:
        index.close()
        db.dispose()


def snapshot(settings: Settings) -> Snapshot:
    """Every point (id → payload, vector) and every manifest row but their times."""
    db = Database(settings.database_url)
    index = EdgeIndex(settings.index_path)
    try:
        manifest = ManifestStore(db)
        documents = {}
        for doc_id in sorted(manifest.all_document_ids()):
            entry = manifest.get_document(doc_id)
            assert entry is not None
            documents[doc_id] = {k: v for k, v in asdict(entry).items() if k != "last_seen"}
        sources = {d["source"] for d in documents.values()} | {"drop"}
        files = {
            (f.source, f.path): {k: v for k, v in asdict(f).items() if k != "last_seen"}
            for source in sorted(sources)
            for f in manifest.files_for_source(source)
        }
        ids = [c for d in documents.values() for c in d["chunk_ids"]]
        assert index._shard is not None
        records = index._shard.retrieve(ids, True, True)
        points = {
            str(r.id): (dict(r.payload or {}), np.asarray(r.vector["dense"], dtype=np.float32))
            for r in records
        }
        assert len(points) == len(ids) == index.count()
        return {"documents": documents, "files": files, "points": points}
    finally:
        index.close()
        db.dispose()


def assert_same_index(one: Snapshot, other: Snapshot) -> None:
    assert one["documents"] == other["documents"]
    assert one["files"] == other["files"]
    assert one["points"].keys() == other["points"].keys()
    for point_id, (payload, vector) in one["points"].items():
        other_payload, other_vector = other["points"][point_id]
        assert payload == other_payload, point_id
        assert float(vector @ other_vector) > 0.999, point_id


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> tuple[Path, Any, Snapshot]:
    root = tmp_path_factory.mktemp("parallel")
    config = mixed_corpus(root / "corpus")
    settings = get_settings(
        data_dir=root / "serial", ingest={"parse_workers": 1, "parse_cache_mb": 0}
    )
    report = run(settings, config, embedder)
    return config, report, snapshot(settings)


def test_a_parallel_job_builds_the_serial_index(
    tmp_path: Path, embedder: Any, serial: tuple[Path, IngestReport, Snapshot]
) -> None:
    config, serial_report, serial_state = serial
    settings = get_settings(
        data_dir=tmp_path / "par", ingest={"parse_workers": 3, "parse_cache_mb": 0}
    )
    report = run(settings, config, embedder)
    assert report.counts("drive").new >= 25 and report.counts("drop").failed == 7
    assert report.sources == serial_report.sources
    assert report.failures == serial_report.failures  # same reasons, same order
    assert report.notes == serial_report.notes
    assert_same_index(snapshot(settings), serial_state)


def test_the_written_unit_vectors_decode_for_every_unit(
    embedder: Any, serial: tuple[Path, IngestReport, Snapshot]
) -> None:
    # The default (pooled) unit vectors, as the generator reads them back from the payload.
    units = 0
    for payload, _ in serial[2]["points"].values():
        texts = unit_texts(payload["text"], payload["kind"] == "video")
        stored = decode(payload[PAYLOAD_KEY], embedder.dimension)
        assert list(stored) == [unit_key(t) for t in texts], payload["chunk_id"]
        for vector in stored.values():
            assert abs(float(np.linalg.norm(vector)) - 1.0) < 0.02
        units += len(texts)
    assert units > 100


def test_a_changed_chunker_reuses_the_parses(
    tmp_path: Path,
    embedder: Any,
    serial: tuple[Path, IngestReport, Snapshot],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, _, _ = serial
    monkeypatch.setattr(parse_cache, "MIN_PARSE_S", 0.0)  # keep even the quickest parses
    data = tmp_path / "cached"
    first = get_settings(data_dir=data, ingest={"parse_workers": 2})
    run(first, config, embedder)
    assert any((data / "parse-cache").rglob("*"))

    # Another chunk size and a rebuild (--rebuild): every document is chunked and embedded
    # again, none parsed again.
    rechunk = get_settings(data_dir=data, ingest={"parse_workers": 2}, chunking={"max_tokens": 120})
    db = Database(rechunk.database_url)
    index = open_index(rechunk)
    try:
        pipeline = build_pipeline(
            rechunk, load_sources(config), index=index, embedder=embedder, db=db
        )
        pipeline.reset()
        report = pipeline.run()
        cache = pipeline.parse_cache
        assert cache is not None
        assert report.counts("drive").new >= 25
        assert cache.misses == 7  # only the broken files (failures are not stored)
        assert cache.hits >= report.counts("drive").new
    finally:
        index.close()
        db.dispose()

    fresh = get_settings(
        data_dir=tmp_path / "fresh",
        ingest={"parse_workers": 1, "parse_cache_mb": 0},
        chunking={"max_tokens": 120},
    )
    run(fresh, config, embedder)
    assert_same_index(snapshot(rechunk), snapshot(fresh))
