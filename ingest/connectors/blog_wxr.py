"""WordPress WXR exports: published posts and pages, with authors and commenters.

The post author (dc:creator, a login) is resolved through the export's <wp:author> table
(weight 1.0); approved commenters join as contributors with weight 0.25.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from core.errors import SourceError
from core.schema import Contributor, Document
from core.sources import SourceConfig
from ingest.connectors.base import build_document, read_bytes, relative_path
from ingest.connectors.blog_feeds import CONTENT, DC
from ingest.connectors.htmltext import html_to_blocks, strip_tags
from ingest.connectors.listing import list_files
from ingest.connectors.meta import DocMeta, lenient_date
from ingest.connectors.xmlsafe import local, namespace, parse

logger = logging.getLogger(__name__)

COMMENTER_WEIGHT = 0.25
PUBLISHED_TYPES = ("post", "page")
_SHORTCODE = re.compile(r"\[/?(?:caption|gallery|embed|audio|video|playlist)\b[^\]]*\]")


def _wp(element: ET.Element, name: str) -> str:
    """Text of a wp:<name> child, whatever WXR version's namespace it uses."""
    for child in element:
        if local(child.tag) == name and "wordpress.org/export" in namespace(child.tag):
            return (child.text or "").strip()
    return ""


def _wp_all(element: ET.Element, name: str) -> list[ET.Element]:
    return [
        c for c in element if local(c.tag) == name and "wordpress.org/export" in namespace(c.tag)
    ]


class WxrConnector:
    """Reads WordPress export (WXR) files."""

    def __init__(self, source: SourceConfig, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        """The export files of the source (a single file or a folder of them)."""
        return list_files(self.source, (".xml", ".wxr"))

    def parse(self, path: Path) -> list[Document]:
        """The published posts and pages of one export."""
        root = parse(read_bytes(path, self.max_bytes), path)
        channel = root.find("channel")
        if root.tag != "rss" or channel is None or not _wp(channel, "wxr_version"):
            raise SourceError(str(path), "not a WordPress export (no <wp:wxr_version>)")
        authors = {
            _wp(a, "author_login"): Contributor(
                name=_wp(a, "author_display_name") or _wp(a, "author_login"),
                email=_wp(a, "author_email").lower() or None,
            )
            for a in _wp_all(channel, "author")
        }
        documents = []
        for item in channel.findall("item"):
            if _wp(item, "post_type") not in PUBLISHED_TYPES or _wp(item, "status") != "publish":
                continue
            if _wp(item, "post_password"):
                logger.info("password-protected post skipped", extra={"path": str(path)})
                continue
            document = self._item(item, authors, path)
            if document is None:
                logger.info("post without text skipped", extra={"path": str(path)})
            else:
                documents.append(document)
        logger.debug("parsed export", extra={"path": str(path), "posts": len(documents)})
        return documents

    def _item(
        self, item: ET.Element, authors: dict[str, Contributor], path: Path
    ) -> Document | None:
        login = (item.findtext(f"{DC}creator") or "").strip()
        author = authors.get(login) or Contributor(name=login or None)
        people = [author.model_copy()] if author.name or author.email else []
        people += _commenters(item, people)
        created = _date(_wp(item, "post_date_gmt")) or _date(item.findtext("pubDate") or "")
        updated = _date(_wp(item, "post_modified_gmt")) or created
        native_id = (item.findtext("guid") or "").strip() or _wp(item, "post_id")
        if not native_id:
            raise SourceError(str(path), "an item has neither <guid> nor <wp:post_id>")
        body = _SHORTCODE.sub("", (item.findtext(f"{CONTENT}encoded") or "").strip())
        meta = DocMeta(
            title=strip_tags(item.findtext("title") or "") or None,
            url=(item.findtext("link") or "").strip() or None,
            authors=people,
            created=created,
            updated=updated,
            tags=[(c.text or "").strip() for c in item.findall("category")],
        )
        document = build_document(
            self.source,
            native_id=native_id,
            path=relative_path(self.source, path),
            meta=meta,
            parts=html_to_blocks(body),
            fallback_title=_wp(item, "post_name") or native_id,
        )
        return document if document.text else None


def _commenters(item: ET.Element, authors: list[Contributor]) -> list[Contributor]:
    """Approved (non-pingback) comment authors, deduplicated by email (by name without one)."""
    seen = {(a.email or "").lower() for a in authors} | {(a.name or "").lower() for a in authors}
    people = []
    for comment in _wp_all(item, "comment"):
        if _wp(comment, "comment_approved") != "1":
            continue
        if _wp(comment, "comment_type") in ("pingback", "trackback"):
            continue
        name, email = _wp(comment, "comment_author"), _wp(comment, "comment_author_email").lower()
        key = email or name.lower()
        if key and key not in seen:
            seen.add(key)
            people.append(
                Contributor(name=name or None, email=email or None, weight=COMMENTER_WEIGHT)
            )
    return people


def _date(value: str) -> datetime | None:
    """A WXR date; WordPress writes '0000-00-00 00:00:00' for 'never'."""
    value = value.strip()
    return None if value.startswith("0000") else lenient_date(value)
