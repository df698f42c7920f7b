"""Hostile files: each is reported and skipped, and the good files of the same run ingested."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from core.config import Settings, get_settings
from core.db import Database, ManifestStore
from core.index.factory import open_index
from core.sources import load_sources
from ingest.job import build_pipeline
from ingest.report import IngestReport
from tests.fixtures.hostile import GOOD_PAGE, NON_UTF8_NAME


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
