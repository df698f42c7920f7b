"""MediaWiki XML exports: articles only, latest revision, weighted authors, wikitext."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.errors import SourceError
from core.schema import SourceKind, document_id
from ingest.connectors import xmlsafe
from ingest.connectors.wiki_mediawiki import MediaWikiConnector
from ingest.connectors.wikitext import convert
from tests.ingest.connector_support import (
    BAD,
    FIXTURES,
    MAX_BYTES,
    assert_spans,
    by_id,
    make_source,
)

WIKI = FIXTURES / "wiki"
EXPORT = WIKI / "acme-wiki.xml"


def _connector(path: Path = WIKI, **fields: Any) -> MediaWikiConnector:
    return MediaWikiConnector(make_source("wiki", path, **fields), MAX_BYTES)


def test_files_are_the_export_files() -> None:
    assert _connector().files() == [EXPORT, WIKI / "legacy-export.xml"]
    assert _connector(EXPORT).files() == [EXPORT]


def test_only_articles_with_text_become_documents() -> None:
    documents = _connector(groups=["staff"]).parse(EXPORT)
    # the redirect, the Talk page and the empty page are skipped
    assert [d.native_id for d in documents] == ["Incident Response", "Incident Process 2019"]
    for document in documents:
        assert_spans(document)
        assert document.kind is SourceKind.WIKI
        assert document.path == "acme-wiki.xml"
        assert document.groups == ["staff"]


def test_latest_revision_text_sections_tables_and_lists() -> None:
    doc = by_id(_connector().parse(EXPORT))["Incident Response"]
    assert doc.id == document_id("test-wiki", "Incident Response")
    assert doc.title == "Incident Response"
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        (
            [],
            "Incident response is how we handle outages. Page the on-call engineer first, "
            "then open a Slack channel.",
        ),
        (
            ["Severity"],
            "Severity levels\nLevel | Meaning\nSEV1 | Customers cannot use the product\n"
            "SEV2 | Degraded service",
        ),
        (["Steps"], "- Acknowledge the page\n  - Within five minutes\n- Open an incident document"),
        (["Steps", "Communication"], "Post updates every 30 minutes on the status page."),
    ]
    for leftover in ("{{", "[[", "'''", "ref", "SRE book", "keep this", "Escalation.png"):
        assert leftover not in doc.text
    assert "Older text by Bob" not in doc.text


def test_authors_are_weighted_by_share_of_edits_and_ips_are_skipped() -> None:
    doc = by_id(_connector().parse(EXPORT))["Incident Response"]
    assert [(a.name, a.email) for a in doc.authors] == [("Alice Wong", None), ("Bob Stone", None)]
    assert [a.weight for a in doc.authors] == pytest.approx([2 / 3, 1 / 3])
    assert sum(a.weight for a in doc.authors) == pytest.approx(1.0)
    assert doc.created == datetime(2023, 5, 1, 9, 0, tzinfo=UTC)
    assert doc.updated == datetime(2024, 2, 10, 16, 45, tzinfo=UTC)


def test_categories_become_tags_and_superseded_template_is_read() -> None:
    docs = by_id(_connector().parse(EXPORT))
    assert docs["Incident Response"].tags == ["Operations", "On call"]
    assert docs["Incident Response"].superseded_by is None
    old = docs["Incident Process 2019"]
    assert old.superseded_by == "Incident Response"
    assert old.text == "Email the ops list when something breaks."


def test_urls_from_url_base_or_the_site_base() -> None:
    from_site = by_id(_connector().parse(EXPORT))["Incident Process 2019"]
    assert from_site.url == "https://wiki.acme.example/wiki/Incident_Process_2019"
    configured = by_id(_connector(url_base="https://intra.example/w/").parse(EXPORT))
    assert configured["Incident Response"].url == "https://intra.example/w/Incident_Response"


def test_old_export_schema_without_namespace_ids() -> None:
    (doc,) = _connector().parse(WIKI / "legacy-export.xml")
    assert doc.native_id == "Coffee Machine"
    assert doc.text == "The coffee machine is descaled on Fridays."
    assert [(a.name, a.weight) for a in doc.authors] == [("Carol", 1.0)]
    assert doc.url is None  # no url_base and no <siteinfo><base>


def test_a_file_that_is_not_an_export_is_refused() -> None:
    with pytest.raises(SourceError) as err:
        _connector(BAD).parse(BAD / "malformed-feed.xml")
    assert err.value.reason == "not a MediaWiki export (root <rss>)"


def test_malformed_xml_reports_the_line(tmp_path: Path) -> None:
    lines = EXPORT.read_text().splitlines()
    broken_line = next(i for i, line in enumerate(lines, start=1) if "</page>" in line)
    path = tmp_path / "broken.xml"
    path.write_text(EXPORT.read_text().replace("</page>", "</pag>", 1))
    with pytest.raises(SourceError) as err:
        _connector(tmp_path).parse(path)
    assert err.value.path == str(path)
    assert err.value.reason.startswith(f"malformed XML at line {broken_line}, column ")
    assert "mismatched tag" in err.value.reason


def test_entity_expansion_is_refused() -> None:
    with pytest.raises(SourceError, match="unsafe XML refused"):
        _connector(BAD).parse(BAD / "entity-bomb.xml")


def test_doctype_is_refused_without_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlsafe, "_DEFUSED", False)
    with pytest.raises(SourceError, match="DOCTYPE declaration is refused"):
        _connector(BAD).parse(BAD / "entity-bomb.xml")


def test_oversized_and_empty_exports_are_refused() -> None:
    with pytest.raises(SourceError, match="file too large"):
        MediaWikiConnector(make_source("wiki", WIKI), max_bytes=512).parse(EXPORT)
    with pytest.raises(SourceError, match="empty file"):
        _connector(BAD).parse(BAD / "empty.md")


def test_wikitext_links_quotes_and_nested_templates() -> None:
    wiki = convert(
        "{{Note|text={{b|x}}}}''Read'' [[Policy:Leave|the leave policy]], [[:Category:HR]], "
        "[mailto:hr@acme.example HR] and [https://acme.example].<br/>Next line &amp; more\n"
        "== A ==\n;Term\n:Definition\n----\n{{superseded by|by=Leave 2025}}"
    )
    assert [(b.heading_path, b.text) for b in wiki.blocks] == [
        (
            [],
            "Read the leave policy, Category:HR, HR and https://acme.example.\nNext line & more",
        ),
        (["A"], "Term\nDefinition"),
    ]
    assert wiki.superseded_by == "Leave 2025"


def test_nowiki_text_is_literal_and_never_a_template() -> None:
    wiki = convert(
        "# Put <code><nowiki>{{Superseded|New page title}}</nowiki></code> at the top.\n"
        "== Links <nowiki>[[like this]]</nowiki> ==\nText"
    )
    assert wiki.superseded_by is None
    assert [(b.heading_path, b.text) for b in wiki.blocks] == [
        ([], "- Put {{Superseded|New page title}} at the top."),
        (["Links [[like this]]"], "Text"),
    ]
