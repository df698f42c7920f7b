"""Lenient metadata: an unreadable date, person or tag is left out with a warning in the report,
the document is ingested; parser libraries' output goes to the debug log, not the console."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from core.config import get_settings
from core.db import Database
from core.errors import SourceError
from core.index.factory import open_index
from core.sources import load_sources
from ingest.__main__ import print_report
from ingest.connectors.documents import DocumentsConnector
from ingest.connectors.pdftext import pdf_blocks
from ingest.job import build_pipeline
from ingest.report import IngestReport
from tests.ingest.connector_support import BAD, MAX_BYTES, make_source

RST_1999 = """\
=================
Release notes 1.2
=================

:Author: Ada Example <ada@example.org>
:Date: 12 March 1999
:Tags: release, notes

The 1.2 release fixes the printer driver and adds a quiet mode.
"""

MD_BAD = """\
---
title: Kettle policy
author: {name: Sam, weight: -1}
created: someday
updated: 2024-02-03
tags: {kettles: yes}
owners: [ops@example.org]
---
# Kettles

Descale the kettles every Friday.
"""


def _parse(folder: Path, name: str, text: str) -> Any:
    (folder / name).write_text(text, encoding="utf-8")
    [doc] = DocumentsConnector(make_source("doc", folder), MAX_BYTES).parse(folder / name)
    return doc


def test_rst_docinfo_with_an_unreadable_date_is_ingested_without_it(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "notes.rst", RST_1999)
    assert doc.title == "Release notes 1.2"
    assert doc.created is None and doc.updated is None
    assert [(a.name, a.email) for a in doc.authors] == [("Ada Example", "ada@example.org")]
    assert doc.tags == ["release", "notes"]
    assert "quiet mode" in doc.text
    [warning] = doc.warnings
    assert (warning.field, warning.value) == ("date", "12 March 1999")
    assert "not a date" in warning.reason


def test_front_matter_keeps_what_it_can_read(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "kettles.md", MD_BAD)
    assert doc.title == "Kettle policy"
    assert doc.authors == [] and doc.owners[0].email == "ops@example.org"
    assert doc.created is None and doc.updated is not None and doc.updated.year == 2024
    assert doc.tags == []
    fields = {w.field: w for w in doc.warnings}
    assert set(fields) == {"author", "created", "tags"}
    assert "weight must be a non-negative number" in fields["author"].reason
    assert fields["created"].value == "someday"
    assert fields["tags"].value == "{'kettles': True}"


def test_unreadable_groups_still_refuse_the_document(tmp_path: Path) -> None:
    text = MD_BAD.replace("owners: [ops@example.org]", "groups: {secret: 1}")
    with pytest.raises(SourceError, match="expected a list"):
        _parse(tmp_path, "secret.md", text)


def test_html_meta_and_the_bad_date_fixture(tmp_path: Path) -> None:
    html = (
        '<html><head><title>Menu</title><meta name="dc.date" content="the day after">'
        '<meta name="author" content="Chef"></head><body><p>Soup on Mondays.</p></body></html>'
    )
    doc = _parse(tmp_path, "menu.html", html)
    assert [(w.field, w.value) for w in doc.warnings] == [("dc.date", "the day after")]
    assert doc.authors[0].name == "Chef" and doc.created is None

    [fixture] = DocumentsConnector(make_source("doc", BAD), MAX_BYTES).parse(BAD / "bad-date.md")
    assert fixture.title == "Bad date"
    assert [(w.field, w.value) for w in fixture.warnings] == [("updated", "next Tuesday")]


def test_warnings_do_not_change_the_content_hash(tmp_path: Path) -> None:
    doc = _parse(tmp_path, "notes.rst", RST_1999)
    assert doc.content_hash == doc.model_copy(update={"warnings": []}).content_hash


def test_the_job_reports_the_warning_and_ingests_the_document(
    tmp_path: Path, embedder: Any
) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "notes.rst").write_text(RST_1999, encoding="utf-8")
    (corpus / "docs" / "kettles.md").write_text(MD_BAD, encoding="utf-8")
    config = corpus / "sources.yaml"
    config.write_text(
        yaml.safe_dump({"sources": [{"name": "docs", "kind": "doc", "path": "docs"}]})
    )
    settings = get_settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    db, index = Database(settings.database_url), open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(config), index=index, embedder=embedder, db=db
        )
        report = pipeline.run()
    finally:
        index.close()
        db.dispose()
    assert report.counts("docs").new == 2 and report.counts("docs").failed == 0
    assert not report.failures
    found = {(w.path, w.field, w.value) for w in report.warnings}
    assert ("notes.rst", "date", "12 March 1999") in found
    assert {("kettles.md", "created", "someday"), ("kettles.md", "tags", "{'kettles': True}")} <= (
        found
    )
    summary = report.summary()
    assert summary.warnings == report.warnings

    console = Console(record=True, width=200)
    print_report(summary, console)
    shown = console.export_text()
    assert "Ingested without unreadable metadata" in shown
    assert "notes.rst" in shown and "12 March 1999" in shown


def test_report_records_each_documents_warnings() -> None:
    report = IngestReport()
    report.warn_metadata("docs", "a.md", [])
    assert report.warnings == [] and report.summary().warnings == []


def _pdf_without_mediabox() -> bytes:
    """A one-page text PDF whose page has no MediaBox (pdfminer warns and uses US Letter)."""
    stream = b"BT /F1 24 Tf 72 700 Td (Quarterly figures) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdfminer_warnings_go_to_the_debug_log_not_the_console(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    data = _pdf_without_mediabox()
    with caplog.at_level(logging.WARNING):
        blocks, _ = pdf_blocks(data)
    assert "Quarterly figures" in " ".join(b.text for b in blocks)
    assert not [r for r in caplog.records if r.name.startswith("pdfminer")]
    out, err = capfd.readouterr()
    assert "MediaBox" not in out + err

    with caplog.at_level(logging.DEBUG):
        pdf_blocks(data)
    mediabox = [r for r in caplog.records if "MediaBox missing" in r.getMessage()]
    assert mediabox and all(r.levelno == logging.DEBUG for r in mediabox)
