"""Hostile files: each is reported and skipped, and the good files of the same run ingested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from core.config import Settings, get_settings
from core.db import Database, ManifestStore
from core.index.factory import open_index
from core.sources import load_sources
from ingest.job import build_pipeline
from ingest.report import IngestReport
from tests.fixtures.hostile import GOOD_PAGE, NON_UTF8_NAME, build_corpus, spoil

REPO = Path(__file__).resolve().parents[2]
# Small limits, so that the hostile files stay small: what each limit does is the same.
LIMITS = {
    "WATERCOOLER_INGEST__MAX_UNPACKED_MB": "100",
    "WATERCOOLER_INGEST__MAX_CHUNKS_PER_FILE": "2000",
    "WATERCOOLER_INGEST__PEOPLE_MAX_FIELD_CHARS": "100000",
    "WATERCOOLER_INGEST__PARSE_TIMEOUT_S": "60",
    "WATERCOOLER_EMBEDDING__BATCH_SIZE": "16",
}
PEAK_MB = 1200  # the job's process: the model (~650 MB) and one bounded file (measured 841)
PARSER_PEAK_MB = 1100  # the parser worker: unstructured and one file (measured 762)


def run_measured(config: Path, data_dir: Path) -> dict[str, Any]:
    """A job in its own process (its peak memory is its own): report and peaks in MB."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.fixtures.hostile", "--run", str(config), str(data_dir)],
        cwd=REPO,
        env={**os.environ, **LIMITS},
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def run_job(settings: Settings, config: Path, embedder: Any) -> IngestReport:
    """One ingestion job, with its own index and database handles."""
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        sources = load_sources(config)
        return build_pipeline(settings, sources, index=index, embedder=embedder, db=db).run()
    finally:
        index.close()
        db.dispose()


def stored_paths(settings: Settings) -> set[str]:
    """Paths of the documents the manifest holds."""
    db = Database(settings.database_url)
    try:
        manifest = ManifestStore(db)
        entries = [manifest.get_document(d) for d in manifest.all_document_ids()]
        return {e.path for e in entries if e and e.path}
    finally:
        db.dispose()


def test_a_file_name_that_is_not_utf8_is_kept_escaped(tmp_path: Path, embedder: Any) -> None:
    docs = tmp_path / "corpus" / "docs"
    docs.mkdir(parents=True)
    (docs / os.fsdecode(NON_UTF8_NAME)).write_text(GOOD_PAGE.format(title="Menu", body="Soup."))
    (docs / "after.md").write_text(GOOD_PAGE.format(title="After", body="Read after it."))
    config = tmp_path / "corpus" / "sources.yaml"
    config.write_text(yaml.safe_dump({"sources": [{"name": "d", "kind": "doc", "path": "docs"}]}))
    settings = get_settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()

    report = run_job(settings, config, embedder)
    assert report.failures == []
    assert report.counts("d").new == 2
    assert [(n.path, "UTF-8" in n.reason) for n in report.notes] == [("caf\\xe9 menu.md", True)]
    assert stored_paths(settings) == {"caf\\xe9 menu.md", "after.md"}
    again = run_job(settings, config, embedder)
    assert again.counts("d").unchanged == 2 and again.totals.new == 0


def test_hostile_corpus_is_reported_and_the_good_files_ingested(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "corpus")
    settings = get_settings(data_dir=tmp_path / "data")
    first = run_measured(corpus.config, settings.data_dir)
    before = stored_paths(settings)
    assert before == set(corpus.good)

    spoil(corpus, bomb_mb=128, long_line_mb=5)
    started = time.perf_counter()
    second = run_measured(corpus.config, settings.data_dir)
    seconds = time.perf_counter() - started

    spoiled = ("report.docx", "diary.txt")
    for run, expected in (
        (first, {k: v for k, v in corpus.reported.items() if k not in spoiled}),
        (second, corpus.reported),
    ):
        report = run["report"]
        reasons = {f["path"]: f["reason"] for f in report["failures"] if f["source"] == "docs"}
        assert set(reasons) == set(expected), reasons
        for path, words in expected.items():
            assert words in reasons[path], (path, reasons[path])
        people = {
            f["path"].split(": ")[1]: f["reason"]
            for f in report["failures"]
            if f["source"] == "people directory"
        }
        assert set(people) == set(corpus.people_skipped)
        assert all(words in people[where] for where, words in corpus.people_skipped.items())
        assert [n["path"] for n in report["notes"]] == [corpus.escaped_name]
        assert run["peak_mb"] < PEAK_MB and run["parser_peak_mb"] < PARSER_PEAK_MB, run
    assert first["report"]["sources"]["docs"]["new"] == len(corpus.good)
    counts = second["report"]["sources"]["docs"]
    assert counts["failed"] == len(corpus.reported)
    assert counts["deleted"] == counts["chunks"] == 0
    assert stored_paths(settings) == before  # the earlier report.docx and diary.txt are kept
    assert seconds < 300
