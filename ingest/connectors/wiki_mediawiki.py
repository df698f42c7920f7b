"""MediaWiki XML exports (Special:Export, dumpBackup; any export-0.x schema version).

Articles (namespace 0) only, redirects skipped. The latest revision's wikitext is the
text; every named contributor of every revision is an author, weighted by share of edits.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from core.errors import SourceError
from core.schema import Contributor, Document
from core.sources import SourceConfig
from ingest.connectors.base import build_document, read_bytes, relative_path
from ingest.connectors.listing import list_files
from ingest.connectors.meta import DocMeta, parse_date
from ingest.connectors.wikitext import convert, is_redirect
from ingest.connectors.xmlsafe import iterparse, local

logger = logging.getLogger(__name__)


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def _text(element: ET.Element | None, name: str) -> str:
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


class MediaWikiConnector:
    """Reads MediaWiki XML export files; one Document per article."""

    def __init__(self, source: SourceConfig, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        """The .xml export files of the source (a single file or a folder of them)."""
        return list_files(self.source, (".xml",))

    def parse(self, path: Path) -> list[Document]:
        """The articles of one export file."""
        data = read_bytes(path, self.max_bytes)
        documents: list[Document] = []
        seen: set[str] = set()
        site_base, namespaces = self.source.url_base, set()
        root = None
        for event, element in iterparse(data, path, events=("start", "end")):
            name = local(element.tag)
            if event == "start":
                if root is None:
                    if name != "mediawiki":
                        raise SourceError(str(path), f"not a MediaWiki export (root <{name}>)")
                    root = element
                continue
            if name == "siteinfo":
                site_base = site_base or _site_base(_text(element, "base"))
                spaces = _child(element, "namespaces")
                names = list(spaces) if spaces is not None else []
                namespaces = {(n.text or "").strip() for n in names if n.text}
            elif name == "page":
                document = self._page(element, path, site_base, namespaces)
                element.clear()
                if document is None:
                    continue
                if document.native_id in seen:
                    logger.warning(
                        "duplicate page skipped",
                        extra={"path": str(path), "title": document.native_id},
                    )
                    continue
                seen.add(document.native_id)
                documents.append(document)
        logger.debug("parsed export", extra={"path": str(path), "pages": len(documents)})
        return documents

    def _page(
        self, page: ET.Element, path: Path, site_base: str | None, namespaces: set[str]
    ) -> Document | None:
        """The Document of one <page>, or None for non-articles, redirects and empty pages."""
        title = _text(page, "title")
        if not title:
            raise SourceError(str(path), "a <page> has no <title>")
        ns = _text(page, "ns")
        prefix = title.split(":", 1)[0] if ":" in title else ""
        in_main = ns == "0" if ns else prefix not in namespaces
        if not in_main or _child(page, "redirect") is not None:
            return None
        revisions = [_revision(r, path, title) for r in page if local(r.tag) == "revision"]
        if not revisions:
            return None
        # the latest revision by timestamp; document order breaks ties
        _, (_, _, text) = max(enumerate(revisions), key=lambda ir: (ir[1][0] or _OLDEST, ir[0]))
        if is_redirect(text):
            return None
        wiki = convert(text)
        dates = sorted(r[0] for r in revisions if r[0] is not None)
        meta = DocMeta(
            title=title,
            url=site_base + quote(title.replace(" ", "_"), safe="/:") if site_base else None,
            authors=_authors([r[1] for r in revisions]),
            created=dates[0] if dates else None,
            updated=dates[-1] if dates else None,
            tags=wiki.categories,
            superseded_by=wiki.superseded_by,
        )
        document = build_document(
            self.source,
            native_id=title,
            path=relative_path(self.source, path),
            meta=meta,
            parts=wiki.blocks,
            fallback_title=title,
        )
        if not document.text:
            logger.info("empty page skipped", extra={"path": str(path), "title": title})
            return None
        return document


_OLDEST = datetime.min.replace(tzinfo=UTC)


def _revision(revision: ET.Element, path: Path, title: str) -> tuple[datetime | None, str, str]:
    """(timestamp, contributor username or '', wikitext) of one <revision>."""
    stamp = _text(revision, "timestamp")
    try:
        when = parse_date(stamp) if stamp else None
    except ValueError as exc:
        raise SourceError(str(path), f"page '{title}': bad revision timestamp: {exc}") from exc
    contributor = _child(revision, "contributor")
    username = _text(contributor, "username") if contributor is not None else ""
    text_element = _child(revision, "text")
    text = "".join(text_element.itertext()) if text_element is not None else ""
    return when, username, text


def _authors(usernames: list[str]) -> list[Contributor]:
    """Named contributors (IP edits skipped) weighted by their share of edits, most first."""
    counts = Counter(name for name in usernames if name)
    total = sum(counts.values())
    return [
        Contributor(name=name, weight=count / total)
        for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], usernames.index(kv[0])))
    ]


def _site_base(main_page_url: str) -> str | None:
    """'https://wiki.example.com/wiki/Main_Page' -> 'https://wiki.example.com/wiki/'."""
    if "://" not in main_page_url:
        return None
    return main_page_url.rsplit("/", 1)[0] + "/"
