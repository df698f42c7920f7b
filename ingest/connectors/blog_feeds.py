"""Blog feeds: RSS 2.0 and Atom 1.0 files, one Document per entry.

The format comes from the source (``rss``/``atom``) or from each file's root element.
Bodies come from content:encoded, content, description or summary; HTML becomes blocks.
"""

from __future__ import annotations

import copy
import logging
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

from core.errors import ConfigError, SourceError
from core.schema import Block, Contributor, Document
from core.sources import SourceConfig
from ingest.connectors.base import build_document, read_bytes, relative_path
from ingest.connectors.htmltext import html_to_blocks, plain_to_blocks, strip_tags
from ingest.connectors.listing import list_files
from ingest.connectors.meta import DocMeta, lenient_date, parse_contributor
from ingest.connectors.xmlsafe import local, namespace, parse

logger = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SUFFIXES = (".xml", ".rss", ".atom")


class BlogFeedConnector:
    """Reads RSS 2.0 and Atom 1.0 feed files."""

    def __init__(self, source: SourceConfig, max_bytes: int) -> None:
        if source.format not in (None, "", "rss", "atom"):
            raise ConfigError(
                f"source '{source.name}': feeds are rss or atom, not {source.format!r}"
            )
        self.source = source
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        """The feed files of the source (a single file or a folder of them)."""
        return list_files(self.source, SUFFIXES)

    def parse(self, path: Path) -> list[Document]:
        """The entries of one feed file."""
        root = parse(read_bytes(path, self.max_bytes), path)
        kind = "atom" if root.tag == f"{ATOM}feed" else "rss" if root.tag == "rss" else ""
        if not kind or (self.source.format and kind != self.source.format):
            expected = self.source.format or "RSS 2.0 or Atom 1.0"
            raise SourceError(str(path), f"not an {expected} feed (root <{local(root.tag)}>)")
        entries = _atom_entries(root) if kind == "atom" else _rss_entries(root, path)
        documents: list[Document] = []
        seen: set[str] = set()
        for native_id, meta, blocks in entries:
            if not native_id:
                logger.warning("entry without id or link skipped", extra={"path": str(path)})
                continue
            if native_id in seen:
                logger.warning(
                    "duplicate entry skipped", extra={"path": str(path), "id": native_id}
                )
                continue
            document = build_document(
                self.source,
                native_id=native_id,
                path=relative_path(self.source, path),
                meta=meta,
                parts=blocks,
                fallback_title=native_id,
            )
            if not document.text:
                logger.info(
                    "entry without text skipped", extra={"path": str(path), "id": native_id}
                )
                continue
            seen.add(native_id)
            documents.append(document)
        logger.debug(
            "parsed feed", extra={"path": str(path), "format": kind, "entries": len(documents)}
        )
        return documents


Entry = tuple[str, DocMeta, list[Block]]


def _text(element: ET.Element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _rss_entries(root: ET.Element, path: Path) -> list[Entry]:
    channel = root.find("channel")
    if channel is None:
        raise SourceError(str(path), "RSS feed without a <channel>")
    if any("wordpress.org/export" in namespace(child.tag) for child in channel):
        raise SourceError(str(path), "a WordPress export, not a feed: use format 'wxr'")
    entries = []
    for item in channel.iter("item"):
        link = _text(item, "link")
        authors = [parse_contributor(a.text or "") for a in item.findall("author")]
        authors += [parse_contributor(a.text or "") for a in item.findall(f"{DC}creator")]
        people = [a for a in authors if a]
        for person in people:
            person.weight = 1.0 / len(people)
        published = lenient_date(_text(item, "pubDate") or _text(item, f"{DC}date"), path)
        body = _text(item, f"{CONTENT}encoded") or _text(item, "description")
        meta = DocMeta(
            title=strip_tags(_text(item, "title")) or None,
            url=link or None,
            authors=people,
            created=published,
            updated=lenient_date(_text(item, f"{ATOM}updated"), path) or published,
            tags=[(c.text or "").strip() for c in item.findall("category")],
        )
        entries.append((_text(item, "guid") or link, meta, html_to_blocks(body)))
    return entries


def _atom_entries(root: ET.Element) -> list[Entry]:
    feed_authors = _atom_authors(root)
    base = _atom_link(root, "")
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        link = _atom_link(entry, base)
        published = lenient_date(_text(entry, f"{ATOM}published"))
        updated = lenient_date(_text(entry, f"{ATOM}updated"))
        content = entry.find(f"{ATOM}content")
        if content is None or not _atom_text(content):
            content = entry.find(f"{ATOM}summary")
        meta = DocMeta(
            title=_atom_plain(entry.find(f"{ATOM}title")) or None,
            url=link or None,
            authors=_atom_authors(entry) or [a.model_copy() for a in feed_authors],
            created=published or updated,
            updated=updated or published,
            tags=[c.get("label") or c.get("term") or "" for c in entry.findall(f"{ATOM}category")],
        )
        blocks = _atom_blocks(content) if content is not None else []
        entries.append((_text(entry, f"{ATOM}id") or link, meta, blocks))
    return entries


def _atom_authors(element: ET.Element) -> list[Contributor]:
    people = []
    for author in element.findall(f"{ATOM}author"):
        name, email = _text(author, f"{ATOM}name"), _text(author, f"{ATOM}email")
        if name or email:
            people.append(Contributor(name=name or None, email=email.lower() or None))
    for person in people:
        person.weight = 1.0 / len(people)
    return people


def _atom_link(element: ET.Element, base: str) -> str:
    for link in element.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return urljoin(base, link.get("href", ""))
    return ""


def _atom_text(element: ET.Element) -> str:
    """An Atom text construct as HTML or plain text (xhtml content is serialised back)."""
    if element.get("type") == "xhtml":
        parts = []
        for child in element:
            child = copy.deepcopy(child)
            for node in child.iter():
                node.tag = local(node.tag)  # serialise as plain HTML, without ns0: prefixes
            parts.append(ET.tostring(child, encoding="unicode"))
        return "".join(parts).strip()
    return (element.text or "").strip()


def _atom_plain(element: ET.Element | None) -> str:
    if element is None:
        return ""
    text = _atom_text(element)
    return strip_tags(text) if element.get("type") in ("html", "xhtml") else text


def _atom_blocks(element: ET.Element) -> list[Block]:
    text = _atom_text(element)
    if element.get("type") in ("html", "xhtml"):
        return html_to_blocks(text)
    return plain_to_blocks(text)
