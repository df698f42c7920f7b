"""Markdown wiki folders: front matter, headings, code blocks and broken pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import SourceError
from core.schema import Document, SourceKind, document_id
from ingest.connectors.wiki_markdown import MarkdownWikiConnector
from tests.ingest.connector_support import BAD, FIXTURES, MAX_BYTES, assert_spans, make_source

WIKI_MD = FIXTURES / "wiki-md"


@pytest.fixture(scope="module")
def connector() -> MarkdownWikiConnector:
    source = make_source(
        "wiki", WIKI_MD, groups=["staff"], url_base="https://wiki.acme.example/md/"
    )
    return MarkdownWikiConnector(source, MAX_BYTES)


@pytest.fixture(scope="module")
def pages(connector: MarkdownWikiConnector) -> dict[str, Document]:
    parsed = {}
    for path in connector.files():
        if path.name != "placeholder.md":
            (page,) = connector.parse(path)
            parsed[page.native_id] = page
    return parsed


def test_files_are_markdown_pages_only(connector: MarkdownWikiConnector) -> None:
    assert [p.relative_to(WIKI_MD).as_posix() for p in connector.files()] == [
        "index.md",
        "ops/glossary.markdown",
        "ops/on-call.md",
        "ops/placeholder.md",
    ]


def test_spans_kind_and_ids(pages: dict[str, Document]) -> None:
    assert sorted(pages) == ["index.md", "ops/glossary.markdown", "ops/on-call.md"]
    for native_id, page in pages.items():
        assert_spans(page)
        assert page.kind is SourceKind.WIKI
        assert page.id == document_id("test-wiki", native_id)
        assert page.path == native_id
        assert page.url == f"https://wiki.acme.example/md/{native_id}"


def test_front_matter_fields(pages: dict[str, Document]) -> None:
    page = pages["ops/on-call.md"]
    assert page.title == "On-call Guide"
    assert [(a.name, a.email, a.weight) for a in page.authors] == [
        (None, "alex.kim@acme.example", 0.5),
        ("Ola Berg", None, 0.5),
    ]
    assert [(o.name, o.email, o.weight) for o in page.owners] == [
        ("SRE Team", "sre@acme.example", 1.0)
    ]
    assert page.created == datetime(2022, 1, 15, 9, 0, tzinfo=UTC)
    assert page.updated == datetime(2024, 4, 1, 12, 0, tzinfo=UTC)
    assert page.tags == ["oncall", "sre"]
    assert page.groups == ["staff", "sre"]
    assert page.superseded_by == "On-call Guide 2025"


def test_headings_become_paths_and_code_blocks_stay(pages: dict[str, Document]) -> None:
    page = pages["ops/on-call.md"]
    assert [(b.heading_path, b.text) for b in page.blocks] == [
        ([], "Every engineer joins the rota after three months."),
        (["Paging"], "Pages go to the phone app first and escalate after ten minutes."),
        (["Paging"], "pagerctl ack --incident 1234\npagerctl escalate"),
        (["Handover"], "Write a handover note at the end of the week."),
    ]


def test_single_date_sets_created_and_updated(pages: dict[str, Document]) -> None:
    page = pages["index.md"]
    assert page.title == "Team Wiki Home"
    assert [(a.name, a.email, a.weight) for a in page.authors] == [
        ("Priya Raman", "priya.raman@acme.example", 1.0)
    ]
    assert page.created == page.updated == datetime(2024, 5, 6, tzinfo=UTC)
    assert page.tags == ["home"]
    assert page.blocks[-1].heading_path == ["Where things live"]


def test_page_without_front_matter_takes_its_first_heading(pages: dict[str, Document]) -> None:
    page = pages["ops/glossary.markdown"]
    assert page.title == "Glossary"
    assert page.blocks[0].heading_path == []
    assert "Error budget is what the SLO allows you to spend." in page.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("broken-front-matter.md", "invalid YAML at line 4"),
        ("unclosed-front-matter.md", "front matter starts with '---' but is never closed"),
        ("only-front-matter.md", "no text extracted"),
        ("binary.md", "binary content in a text file"),
        ("empty.md", "empty file"),
    ],
)
def test_broken_pages_raise_source_error(
    connector: MarkdownWikiConnector, name: str, reason: str
) -> None:
    with pytest.raises(SourceError) as err:
        connector.parse(BAD / name)
    assert err.value.path == str(BAD / name)
    assert reason in err.value.reason


def test_page_over_the_size_limit_is_refused() -> None:
    connector = MarkdownWikiConnector(make_source("wiki", WIKI_MD), max_bytes=64)
    with pytest.raises(SourceError, match="file too large"):
        connector.parse(WIKI_MD / "ops" / "on-call.md")
