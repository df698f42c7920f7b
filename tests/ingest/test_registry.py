"""Picking a connector by kind and format, with auto-detection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import ConfigError
from ingest.connectors import connector_for
from ingest.connectors.blog_feeds import BlogFeedConnector
from ingest.connectors.blog_wxr import WxrConnector
from ingest.connectors.documents import DocumentsConnector
from ingest.connectors.video import VideoConnector
from ingest.connectors.wiki_markdown import MarkdownWikiConnector
from ingest.connectors.wiki_mediawiki import MediaWikiConnector
from tests.ingest.connector_support import FIXTURES, make_source

BLOG = FIXTURES / "blog"


@pytest.mark.parametrize(
    ("kind", "path", "fmt", "expected"),
    [
        ("wiki", FIXTURES / "wiki" / "acme-wiki.xml", None, MediaWikiConnector),
        ("wiki", FIXTURES / "wiki", "mediawiki", MediaWikiConnector),
        ("wiki", FIXTURES / "wiki-md", None, MarkdownWikiConnector),
        ("wiki", FIXTURES / "wiki-md", "MarkDown", MarkdownWikiConnector),
        ("wiki", FIXTURES / "nowhere.xml", None, MediaWikiConnector),
        ("blog", BLOG / "engineering.rss", None, BlogFeedConnector),
        ("blog", BLOG / "news.atom", None, BlogFeedConnector),
        ("blog", BLOG / "learning.wordpress.xml", None, WxrConnector),
        ("blog", BLOG / "engineering.rss", "rss", BlogFeedConnector),
        ("blog", BLOG / "news.atom", "atom", BlogFeedConnector),
        ("blog", BLOG / "learning.wordpress.xml", "wxr", WxrConnector),
        ("doc", FIXTURES / "docs", None, DocumentsConnector),
        ("video", FIXTURES / "videos", None, VideoConnector),
    ],
)
def test_connector_for_kind_and_format(
    kind: str, path: Path, fmt: str | None, expected: type
) -> None:
    connector = connector_for(make_source(kind, path, format=fmt), 1000)
    assert type(connector) is expected
    assert connector.source.path == path


def test_a_folder_of_feeds_is_read_per_file(tmp_path: Path) -> None:
    for name in ("engineering.rss", "news.atom"):
        (tmp_path / name).write_bytes((BLOG / name).read_bytes())
    connector = connector_for(make_source("blog", tmp_path), 10_000_000)
    assert isinstance(connector, BlogFeedConnector)
    assert len([d for p in connector.files() for d in connector.parse(p)]) == 4


def test_a_folder_mixing_exports_and_feeds_is_refused() -> None:
    with pytest.raises(ConfigError, match="mixes WordPress exports and feeds"):
        connector_for(make_source("blog", BLOG), 1000)


@pytest.mark.parametrize(
    ("kind", "fmt", "message"),
    [
        (
            "wiki",
            "confluence",
            "unknown format 'confluence' for kind 'wiki'; expected mediawiki, markdown",
        ),
        ("blog", "json", "expected rss, atom, wxr"),
        ("doc", "pdf", "unknown format 'pdf' for kind 'doc'; expected none (leave it empty)"),
    ],
)
def test_unknown_format_is_a_config_error(kind: str, fmt: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        connector_for(make_source(kind, FIXTURES, format=fmt), 1000)
