"""What a connector is, and what connectors share.

The text builder that keeps block spans exact, file reading that refuses empty, oversized,
binary and non-UTF-8 files, sidecar metadata, and Document assembly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from core.errors import SourceError
from core.schema import Block, Document, document_id
from core.sources import SourceConfig
from ingest.connectors.listing import escaped
from ingest.connectors.meta import DocMeta, find_sidecar, load_yaml, meta_from_mapping


class Connector(Protocol):
    """Reads one source: lists its files, turns one file into zero or more documents."""

    source: SourceConfig

    def files(self) -> list[Path]:
        """The files this source reads, sorted (raises SourceError if the root is missing)."""
        ...

    def parse(self, path: Path) -> list[Document]:
        """Documents in one file; raises SourceError with a clear reason if it is unreadable."""
        ...


class TextBuilder:
    """Accumulates blocks into one document text, recording each block's character span."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []

    def add(
        self,
        text: str,
        heading_path: list[str] | None = None,
        time_start: float | None = None,
        time_end: float | None = None,
    ) -> None:
        """Append a block (blank text is ignored); blocks are separated by a blank line."""
        text = text.strip()
        if not text:
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self.blocks.append(
            Block(
                text=text,
                heading_path=list(heading_path or []),
                start=start,
                end=self._length,
                time_start=time_start,
                time_end=time_end,
            )
        )

    @property
    def text(self) -> str:
        """The document text so far."""
        return "".join(self._parts)


def read_text_file(path: Path, max_bytes: int) -> str:
    """Read a text file as UTF-8 (BOM tolerated), refusing empty, oversized or binary files."""
    data = read_bytes(path, max_bytes)
    if b"\x00" in data[:8192]:
        raise SourceError(str(path), "binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), f"not valid UTF-8 (byte {exc.start})") from exc


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file, refusing missing, empty and oversized ones with a clear reason."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(str(path), "empty file")
        if size > max_bytes:
            raise SourceError(str(path), f"file too large ({size} bytes > limit {max_bytes})")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def source_root(source: SourceConfig) -> Path:
    """The directory that paths inside a source are relative to."""
    return source.path if source.path.is_dir() else source.path.parent


def raw_relative_path(source: SourceConfig, path: Path) -> str:
    """The posix path of `path` under the source root, as the OS names it (maybe not UTF-8)."""
    try:
        return path.relative_to(source_root(source)).as_posix()
    except ValueError:
        return path.name


def relative_path(source: SourceConfig, path: Path) -> str:
    """The posix path of `path` relative to the source root (escaped if not UTF-8)."""
    return escaped(raw_relative_path(source, path))


def link_for(source: SourceConfig, native_id: str) -> str | None:
    """A link built from the source's url_base and a native id, if a base is configured."""
    if not source.url_base:
        return None
    return source.url_base + quote(native_id, safe="/")


# Words a file name writes in lower case that a title spells otherwise.
_TITLE_WORDS = {
    "oncall": "on-call",
    "faq": "FAQ",
    "api": "API",
    "ai": "AI",
    "ui": "UI",
    "ux": "UX",
    "qa": "QA",
    "okr": "OKR",
    "kpi": "KPI",
    "scorm": "SCORM",
    "xapi": "xAPI",
}
_VOWELS = set("aeiouy")


def _title_word(word: str) -> str:
    """A file-name word as a title writes it: known spellings, vowel-less short words upper."""
    if word.lower() in _TITLE_WORDS:
        return _TITLE_WORDS[word.lower()]
    if word.isalpha() and word.islower() and len(word) <= 4 and not _VOWELS & set(word):
        return word.upper()  # lms, hr, pdf, sql: acronyms, not words
    return word


def humanise(stem: str) -> str:
    """A readable title from a file stem: 'lms-oncall_guide-v2' -> 'LMS on-call guide v2'."""
    words = " ".join(_title_word(w) for w in re.split(r"[\s_-]+", stem) if w)
    return words[:1].upper() + words[1:] if words else stem


def unique(items: Iterable[str]) -> list[str]:
    """Non-blank items, stripped, first occurrence kept (case-insensitive)."""
    seen: set[str] = set()
    out = []
    for item in items:
        item = item.strip()
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def build_document(
    source: SourceConfig,
    *,
    native_id: str,
    path: str,
    meta: DocMeta,
    parts: Iterable[Block],
    fallback_title: str,
) -> Document:
    """Assemble a Document: spans via TextBuilder, the title dropped from heading paths."""
    title = meta.title or fallback_title
    builder = TextBuilder()
    for part in parts:
        heading_path = part.heading_path
        if heading_path and _same_text(heading_path[0], title):
            heading_path = heading_path[1:]
        builder.add(part.text, heading_path, part.time_start, part.time_end)
    return Document(
        id=document_id(source.name, native_id),
        source=source.name,
        native_id=native_id,
        kind=source.kind,
        title=title,
        url=meta.url or link_for(source, native_id),
        path=path,
        authors=meta.authors,
        owners=meta.owners,
        created=meta.created,
        updated=meta.updated,
        tags=unique(meta.tags),
        groups=unique([*source.groups, *meta.groups]),
        superseded_by=meta.superseded_by,
        text=builder.text,
        blocks=builder.blocks,
        warnings=meta.warnings,
    )


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def sidecar_meta(path: Path, max_bytes: int) -> DocMeta:
    """Metadata from the file's sidecar YAML, or empty metadata when it has none."""
    sidecar = find_sidecar(path)
    if sidecar is None:
        return DocMeta()
    text = read_text_file(sidecar, max_bytes)
    try:
        return meta_from_mapping(load_yaml(text) or {})
    except ValueError as exc:
        raise SourceError(str(path), f"sidecar {sidecar.name}: {exc}") from exc


def file_document(
    source: SourceConfig, path: Path, meta: DocMeta, parts: Iterable[Block], first_title: str | None
) -> Document:
    """The Document of a one-document file: native id and path are its relative path.

    Raises:
        SourceError: the file yields no text.
    """
    rel = relative_path(source, path)
    document = build_document(
        source,
        native_id=rel,
        path=rel,
        meta=meta,
        parts=parts,
        fallback_title=first_title or humanise(escaped(path.stem)),
    )
    if not document.text:
        raise SourceError(str(path), "no text extracted")
    return document
