"""Source connectors: one module per source kind, picked by `connector_for`.

    wiki   mediawiki (wiki_mediawiki.py)  markdown (wiki_markdown.py)
    blog   rss, atom (blog_feeds.py)      wxr (blog_wxr.py)
    doc    documents.py (pdf, docx, pptx, html, md, rst, txt)
    video  video.py (vtt, srt)

Shared helpers: base.py (protocol, TextBuilder, file listing, Document assembly),
meta.py (front matter, dates, people), htmltext.py, elements.py (unstructured),
pdftext.py, doc_formats.py, wikitext.py, xmlsafe.py.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import ConfigError, SourceError
from core.schema import SourceKind
from core.sources import SourceConfig
from ingest.connectors.base import Connector
from ingest.connectors.blog_feeds import SUFFIXES as FEED_SUFFIXES, BlogFeedConnector
from ingest.connectors.blog_wxr import WxrConnector
from ingest.connectors.documents import MAX_UNPACKED_BYTES, DocumentsConnector
from ingest.connectors.listing import check_entry, list_files
from ingest.connectors.video import VideoConnector
from ingest.connectors.wiki_markdown import MarkdownWikiConnector
from ingest.connectors.wiki_mediawiki import MediaWikiConnector
from ingest.connectors.xmlsafe import sniff

FORMATS: dict[SourceKind, tuple[str, ...]] = {
    SourceKind.WIKI: ("mediawiki", "markdown"),
    SourceKind.BLOG: ("rss", "atom", "wxr"),
    SourceKind.DOC: (),
    SourceKind.VIDEO: (),
}

__all__ = ["Connector", "connector_for"]


def connector_for(
    source: SourceConfig, max_bytes: int, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
) -> Connector:
    """The connector for a source, by kind and format (auto-detected when empty).

    `max_bytes` limits a file's size, `max_unpacked_bytes` what an archive (docx, pptx) unpacks to.

    Raises:
        ConfigError: the format is unknown for the kind, or a blog folder mixes formats.
    """
    fmt = (source.format or "").strip().lower()
    allowed = FORMATS[source.kind]
    if fmt and fmt not in allowed:
        choices = ", ".join(allowed) if allowed else "none (leave it empty)"
        raise ConfigError(
            f"source '{source.name}': unknown format '{source.format}' for kind "
            f"'{source.kind.value}'; expected {choices}"
        )
    if source.kind == SourceKind.WIKI:
        fmt = fmt or (
            "markdown" if source.path.is_dir() or source.path.suffix != ".xml" else "mediawiki"
        )
        if fmt == "mediawiki":
            return MediaWikiConnector(source, max_bytes)
        return MarkdownWikiConnector(source, max_bytes)
    if source.kind == SourceKind.BLOG:
        fmt = fmt or _blog_format(source)
        if fmt == "wxr":
            return WxrConnector(source, max_bytes)
        return BlogFeedConnector(source.model_copy(update={"format": fmt or None}), max_bytes)
    if source.kind == SourceKind.DOC:
        return DocumentsConnector(source, max_bytes, max_unpacked_bytes)
    return VideoConnector(source, max_bytes)


def _blog_format(source: SourceConfig) -> str:
    """'wxr' when the files are WordPress exports, '' (feeds, per file) otherwise."""
    path = source.path
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = [p for p in list_files(source, (*FEED_SUFFIXES, ".wxr")) if _readable(source, p)]
    else:
        return ""
    kinds = {_sniff_blog(p) for p in files} - {""}
    if len(kinds) > 1 and "wxr" in kinds:
        raise ConfigError(
            f"source '{source.name}': {path} mixes WordPress exports and feeds; "
            "split it into two sources or set format"
        )
    return "wxr" if kinds == {"wxr"} else ""


def _sniff_blog(path: Path) -> str:
    root, namespaces = sniff(path)
    if root == "rss" and any("wordpress.org/export" in ns for ns in namespaces):
        return "wxr"
    return {"rss": "rss", "feed": "atom"}.get(root, "")


def _readable(source: SourceConfig, path: Path) -> bool:
    """Whether a listed file may be opened (links leading outside are not sniffed either)."""
    try:
        check_entry(source, path)
    except SourceError:
        return False
    return True
