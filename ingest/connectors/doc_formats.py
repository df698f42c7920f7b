"""Metadata embedded in shared documents, and checks that a file is what its name says.

Office core properties (docx, pptx), the PDF info dictionary, HTML <title>/<meta>, and an
RST docinfo field list. Functions raise ValueError with a human reason.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from datetime import datetime
from typing import Any

from core.schema import MetadataWarning
from ingest.connectors.htmltext import html_head
from ingest.connectors.meta import (
    DocMeta,
    lenient_date,
    parse_contributors,
    parse_date,
    split_list,
)
from ingest.connectors.pdftext import quiet_library

logger = logging.getLogger(__name__)

_OFFICE_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml"}
_OFFICE_NAMES = {"docx": "Word document", "pptx": "PowerPoint presentation"}
_DC = "{http://purl.org/dc/elements/1.1/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_RST_FIELD = re.compile(r"^:([A-Za-z][\w -]*):(?:\s+(.*))?$")
_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_HTML_FIELDS = {
    "author": "author",
    "dc.creator": "author",
    "date": "date",
    "dc.date": "date",
    "dcterms.created": "created",
    "article:published_time": "created",
    "dcterms.modified": "updated",
    "article:modified_time": "updated",
    "keywords": "tags",
}


def check_text(text: str) -> None:
    """Refuse text that is really binary data (control characters a text file never has)."""
    sample = text[:8192]
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v"
    )
    if controls > max(2, len(sample) // 100):
        raise ValueError("binary content in a text file")


def check_pdf(data: bytes) -> None:
    """Refuse files that are not PDFs, and PDFs cut short."""
    if b"%PDF-" not in data[:1024]:
        raise ValueError("not a PDF (no %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise ValueError("truncated PDF (no %%EOF marker at the end)")


def office_meta(data: bytes, kind: str, max_unpacked_bytes: int) -> DocMeta:
    """Core properties of a .docx/.pptx, after checking it is a zip with the right parts.

    The sizes its parts declare are summed first: a zip bomb is refused before anything is
    unpacked (Python's zipfile never unpacks more than a part declares).
    """
    label = _OFFICE_NAMES[kind]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > max_unpacked_bytes:
                raise ValueError(
                    f"unpacks to {unpacked / 2**20:,.0f} MB, over the limit of "
                    f"{max_unpacked_bytes / 2**20:,.0f} MB (ingest.max_unpacked_mb)"
                )
            names = set(archive.namelist())
            if _OFFICE_PARTS[kind] not in names:
                raise ValueError(f"not a {label} (no {_OFFICE_PARTS[kind]} inside)")
            core = archive.read("docProps/core.xml") if "docProps/core.xml" in names else b""
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a {label} (not a zip archive: {exc})") from None
    if not core:
        return DocMeta()
    try:
        from defusedxml.ElementTree import fromstring
    except ImportError:  # pragma: no cover
        from xml.etree.ElementTree import fromstring
    try:
        root = fromstring(core)
    except (ET.ParseError, ValueError) as exc:
        logger.warning("unreadable core properties", extra={"error": str(exc)})
        return DocMeta()

    def field(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    warnings: list[MetadataWarning] = []
    return DocMeta(
        title=field(f"{_DC}title") or None,
        authors=parse_contributors(_semicolons(field(f"{_DC}creator")), share=True),
        created=lenient_date(field(f"{_DCTERMS}created"), name="created", warnings=warnings),
        updated=lenient_date(field(f"{_DCTERMS}modified"), name="modified", warnings=warnings),
        tags=split_list(field(f"{_CP}keywords")),
        warnings=warnings,
    )


def pdf_meta(data: bytes) -> DocMeta:
    """The PDF info dictionary: Title, Author, CreationDate, ModDate, Keywords."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    quiet_library("pypdf")

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("password-protected PDF")
        info = reader.metadata
        if info is None:
            return DocMeta()
        fields = {key: str(info.get(key) or "").strip() for key in ("/Title", "/Author")}
        created, updated = _pdf_date(info, "creation_date"), _pdf_date(info, "modification_date")
        keywords = str(info.get("/Keywords") or "")
    except (PyPdfError, KeyError, TypeError, OSError) as exc:
        raise ValueError(f"unreadable PDF: {exc}") from None
    return DocMeta(
        title=fields["/Title"] or None,
        authors=parse_contributors(_semicolons(fields["/Author"]), share=True),
        created=created,
        updated=updated,
        tags=split_list(keywords),
    )


def _pdf_date(info: Any, attribute: str) -> datetime | None:
    try:
        value = getattr(info, attribute)
    except (ValueError, TypeError):  # a malformed date string in the info dictionary
        return None
    return parse_date(value) if value else None


def html_meta(html: str) -> DocMeta:
    """<title> and <meta name="author|date|keywords|dcterms.modified|..."> of an HTML page."""
    title, metas = html_head(html)
    fields: dict[str, str] = {}
    names: dict[str, str] = {}  # our field -> the <meta> name the page used
    for name, value in metas.items():
        if name in _HTML_FIELDS:
            fields.setdefault(_HTML_FIELDS[name], value)
            names.setdefault(_HTML_FIELDS[name], name)
    warnings: list[MetadataWarning] = []
    dates = {}
    for key in ("created", "updated", "date"):
        dates[key] = lenient_date(fields.get(key, ""), name=names.get(key, key), warnings=warnings)
    return DocMeta(
        title=title or None,
        authors=parse_contributors(_semicolons(fields.get("author", "")), share=True),
        created=dates["created"] or dates["date"],
        updated=dates["updated"] or dates["date"],
        tags=split_list(fields.get("tags")),
        warnings=warnings,
    )


def rst_docinfo(text: str) -> tuple[dict[str, Any], str]:
    """Fields of an RST docinfo list (at the top or under the title), and the text without it."""
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i + 2 < len(lines) and _RST_ADORNMENT.match(lines[i]) and _RST_ADORNMENT.match(lines[i + 2]):
        i += 3  # overlined title
    elif i + 1 < len(lines) and lines[i].strip() and _RST_ADORNMENT.match(lines[i + 1]):
        i += 2  # underlined title
    while i < len(lines) and not lines[i].strip():
        i += 1
    fields: dict[str, Any] = {}
    end, key = i, ""
    while end < len(lines):
        match = _RST_FIELD.match(lines[end].rstrip("\r\n"))
        if match:
            key = match[1].strip().lower().replace(" ", "_").replace("-", "_")
            fields[key] = (match[2] or "").strip()
        elif key and lines[end][:1] in (" ", "\t") and lines[end].strip():
            fields[key] = f"{fields[key]} {lines[end].strip()}".strip()
        else:
            break
        end += 1
    if not fields:
        return {}, text
    if "authors" in fields:
        fields["authors"] = _semicolons(fields["authors"])
    return fields, "".join(lines[:i] + lines[end:])


def _semicolons(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]
