"""The ingestion job end to end: real connectors, real model, real Qdrant Edge, real SQLite."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import Settings, get_settings
from core.db import Database, ManifestStore, PeopleStore
from core.index.base import IndexMeta
from core.index.edge import EdgeIndex
from core.index.factory import open_index
from core.sources import load_sources
from ingest.job import build_pipeline
from ingest.report import IngestReport

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
BAD = REPO / "tests" / "fixtures" / "ingest" / "bad"

# Broken files in the corpus's "drop" folder: each must be reported and skipped.
BAD_FILES = (
    "empty.md",
    "binary.md",
    "broken-front-matter.md",
    "latin1.txt",
    "not-a-pdf.pdf",
    "truncated.pdf",
    "not-a-zip.docx",
)


def make_corpus(root: Path, with_bad: bool = True) -> Path:
    """A small corpus copied from the sample content, plus a folder of broken files."""
    shutil.copytree(SAMPLE / "wiki-md", root / "wiki-md")
    shutil.copytree(SAMPLE / "videos", root / "videos")
    (root / "blog").mkdir()
    shutil.copy(SAMPLE / "blog" / "engineering.rss", root / "blog" / "engineering.rss")
    shutil.copy(SAMPLE / "people.yaml", root / "people.yaml")
    sources: list[dict[str, Any]] = [
        {"name": "wiki", "kind": "wiki", "format": "markdown", "path": "wiki-md"},
        {"name": "talks", "kind": "video", "path": "videos", "optional": True},
        # optional: a single-source run must not touch it even while its file is gone
        {
            "name": "blog",
            "kind": "blog",
            "format": "rss",
            "path": "blog/engineering.rss",
            "optional": True,
        },
    ]
    if with_bad:
        (root / "drop").mkdir()
        for name in BAD_FILES:
            shutil.copy(BAD / name, root / "drop" / name)
        (root / "drop" / "good.md").write_text(
            "---\ntitle: Printer guide\nauthor: Priya\n---\n"
            "# Printing\n\nUse the 3rd floor printer."
        )
        sources.append({"name": "drop", "kind": "doc", "path": "drop", "groups": ["ops"]})
    config = root / "sources.yaml"
    config.write_text(yaml.safe_dump({"people": "people.yaml", "sources": sources}))
    return config


class Harness:
    """Runs jobs against one data directory, reopening the index like separate processes."""

    def __init__(self, settings: Settings, config: Path, embedder: Any) -> None:
        self.settings, self.config, self.embedder = settings, config, embedder

    def run(self, only: str | None = None) -> IngestReport:
        db = Database(self.settings.database_url)
        index = open_index(self.settings)
        try:
            pipeline = build_pipeline(
                self.settings, load_sources(self.config), index=index, embedder=self.embedder, db=db
            )
            return pipeline.run(only=only)
        finally:
            index.close()
            db.dispose()

    def state(self) -> tuple[int, dict[str, list[str]]]:
        """Point count and each document's chunk ids (checked to exist in the index)."""
        db = Database(self.settings.database_url)
        index = EdgeIndex(self.settings.index_path)
        try:
            manifest = ManifestStore(db)
            docs = {d: manifest.get_document(d) for d in manifest.all_document_ids()}
            chunks = {d: list(e.chunk_ids) for d, e in docs.items() if e}
            every = [c for ids in chunks.values() for c in ids]
            assert len(index.retrieve(every)) == len(every), "manifest chunk missing in index"
            assert index.document_ids() == set(chunks), "index and manifest disagree"
            return index.count(), chunks
        finally:
            index.close()
            db.dispose()


@pytest.fixture()
def harness(tmp_path: Path, embedder: Any) -> Iterator[Harness]:
    config = make_corpus(tmp_path / "corpus")
    settings = get_settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    yield Harness(settings, config, embedder)


def test_first_run_ingests_and_reports_bad_files(harness: Harness) -> None:
    report = harness.run()
    totals = report.totals
    assert totals.new > 15 and totals.chunks > 60
    reasons = {f.path: f.reason for f in report.failures}
    assert set(reasons) == set(BAD_FILES)
    assert "empty" in reasons["empty.md"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert report.counts("drop").new == 1  # the good file next to the broken ones
    assert report.counts("drop").failed == 7
    count, chunks = harness.state()
    assert count == sum(len(c) for c in chunks.values()) == totals.chunks


def test_unchanged_run_skips_everything(harness: Harness) -> None:
    first = harness.run()
    second = harness.run()
    assert second.totals.new == second.totals.changed == second.totals.chunks == 0
    assert second.totals.unchanged == first.totals.new
    assert second.totals.failed == 7  # broken files are reported on every run


def test_changed_and_deleted_documents(harness: Harness) -> None:
    harness.run()
    _, chunks_before = harness.state()
    root = harness.config.parent
    page = next((root / "wiki-md").rglob("*.md"))
    page.write_text(page.read_text() + "\n\n## Addendum\n\nA brand new paragraph on kettles.\n")
    victim = sorted((root / "videos").glob("*.vtt"))[0]
    victim.unlink()
    report = harness.run()
    assert report.counts("wiki").changed == 1
    assert report.counts("talks").deleted == 1
    assert report.totals.new == 0
    count_after, chunks_after = harness.state()
    assert len(chunks_after) == len(chunks_before) - 1
    assert count_after == sum(len(c) for c in chunks_after.values())


def test_single_source_run_leaves_others_alone(harness: Harness) -> None:
    harness.run()
    (harness.config.parent / "blog" / "engineering.rss").unlink()
    report = harness.run(only="wiki")
    assert list(report.sources) == ["wiki"]
    _, chunks = harness.state()
    assert any(True for _ in chunks)  # blog documents still there: its source was not run


def test_missing_source_root_deletes_nothing(harness: Harness) -> None:
    first = harness.run()
    shutil.rmtree(harness.config.parent / "videos")
    report = harness.run()
    assert report.counts("talks").deleted == 0
    assert any("videos" in f.path for f in report.failures)
    count, _ = harness.state()
    assert count == first.totals.chunks


def test_people_are_resolved_and_unknown_authors_kept(harness: Harness) -> None:
    report = harness.run()
    db = Database(harness.settings.database_url)
    try:
        people = PeopleStore(db)
        directory = [p for p in people.list(limit=500) if p.in_directory]
        assert len(directory) >= 12
        manifest = ManifestStore(db)
        entries = [manifest.get_document(d) for d in manifest.all_document_ids()]
        known = {p.id for p in directory}
        stored = {p.id for p in people.list(limit=500)}
        with_authors = [e for e in entries if e and e.author_ids]
        assert len(with_authors) >= 0.8 * len(entries)
        assert sum(1 for e in with_authors if set(e.author_ids) & known) >= 0.8 * len(entries)
        for e in with_authors:  # every author resolves to a stored person
            assert set(e.author_ids) <= stored
        unknown = {p.name for p in people.list(limit=500) if not p.in_directory}
        assert unknown == set(report.unknown_people)
    finally:
        db.dispose()


def _cli(config: Path, data_dir: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ingest",
        "run",
        "--config",
        str(config),
        "--data-dir",
        str(data_dir),
        "--quiet",
        *extra,
    ]


def _env() -> dict[str, str]:
    # Small batches so the job is killed between two committed batches; two parse workers, so
    # that a job killed with parses in flight resumes to the same index too.
    return {
        **os.environ,
        "WATERCOOLER_EMBEDDING__BATCH_SIZE": "8",
        "WATERCOOLER_INGEST__PARSE_WORKERS": "2",
    }


@pytest.fixture(scope="module")
def clean_run(
    tmp_path_factory: pytest.TempPathFactory, embedder: Any
) -> tuple[Path, tuple[int, dict[str, list[str]]]]:
    """A corpus, and the state of the index an uninterrupted job builds from it."""
    root = tmp_path_factory.mktemp("resume")
    config = make_corpus(root / "corpus", with_bad=False)
    clean_dir = root / "clean"
    clean = subprocess.run(
        _cli(config, clean_dir), env=_env(), cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert clean.returncode == 0, clean.stderr
    return config, Harness(get_settings(data_dir=clean_dir), config, embedder).state()


@pytest.mark.parametrize(
    ("marker", "count"),
    [
        ("batch written", 3),  # between two committed batches
        ("embedding batch", 3),  # while a batch is being embedded
        ("document recorded", 5),  # part way through recording a batch in the manifest
    ],
)
def test_killed_job_resumes_to_the_same_index(
    tmp_path: Path,
    embedder: Any,
    clean_run: tuple[Path, tuple[int, dict[str, list[str]]]],
    marker: str,
    count: int,
) -> None:
    config, (clean_count, clean_chunks) = clean_run
    killed_dir = tmp_path / "killed"
    proc = subprocess.Popen(
        _cli(config, killed_dir, "--verbose"),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=REPO,
    )
    assert proc.stderr is not None
    seen = 0
    for line in proc.stderr:
        if marker in line:
            seen += 1
            if seen == count:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the job finished before it could be killed"

    resumed = subprocess.run(
        _cli(config, killed_dir), env=_env(), cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    settings = get_settings(data_dir=killed_dir)
    killed_count, killed_chunks = Harness(settings, config, embedder).state()
    assert killed_chunks == clean_chunks, "same documents with the same chunk ids"
    assert killed_count == clean_count == sum(len(c) for c in clean_chunks.values())


def test_cli_exit_codes(tmp_path: Path) -> None:
    missing = subprocess.run(
        _cli(tmp_path / "nope.yaml", tmp_path / "d"),
        env=_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2
    assert "not found" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_cli_refuses_a_missing_source_path_and_a_misspelled_key(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: [{name: wiki, kind: wiki, path: nowhere}]")
    missing = subprocess.run(
        _cli(config, tmp_path / "d"), env=_env(), cwd=REPO, capture_output=True, text=True
    )
    assert missing.returncode == 2, missing.stderr
    assert "'wiki'" in missing.stderr and "does not exist" in missing.stderr
    config.write_text("peeple: people.yaml\nsources: []")
    typo = subprocess.run(
        _cli(config, tmp_path / "d"), env=_env(), cwd=REPO, capture_output=True, text=True
    )
    assert typo.returncode == 2
    assert "'peeple'" in typo.stderr and "'people'" in typo.stderr
    assert "Traceback" not in missing.stderr + typo.stderr


def test_index_of_another_model_is_refused_then_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    shutil.copytree(SAMPLE / "wiki-md" / "security", root / "pages")
    config = root / "sources.yaml"
    config.write_text(
        yaml.safe_dump(
            {"sources": [{"name": "pages", "kind": "wiki", "format": "markdown", "path": "pages"}]}
        )
    )
    data_dir = tmp_path / "data"
    foreign = EdgeIndex(get_settings(data_dir=data_dir).index_path)
    foreign.ensure(IndexMeta("some-other-model", 384, "1"))
    foreign.close()

    refused = subprocess.run(
        _cli(config, data_dir), env=_env(), cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert refused.returncode == 3
    assert "some-other-model" in refused.stderr and "--rebuild" in refused.stderr
    rebuilt = subprocess.run(
        _cli(config, data_dir, "--rebuild"),
        env=_env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    index = EdgeIndex(get_settings(data_dir=data_dir).index_path)
    try:
        meta = index.meta()
        assert meta is not None and meta.model == "all-MiniLM-L6-v2"
        assert index.count() > 0
    finally:
        index.close()
