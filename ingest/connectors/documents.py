"""Shared-document folders: PDF, Word, PowerPoint, HTML, Markdown, RST and plain text.

Text comes from direct parsers where they give unstructured's blocks faster (HTML: lxml,
htmlblocks.py; reStructuredText: docutils, rstblocks.py; plain text: plaintext.py; PDF:
pdfminer, pdftext.py) and from unstructured for Markdown, Word and PowerPoint.
Metadata comes from the file itself (front matter, core properties, PDF info, HTML <meta>,
RST docinfo), overridden by a sidecar '<name>.yaml' when present. OWNERS files and
sidecars are not documents.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.errors import SourceError
from core.schema import Block, Document
from core.sources import SourceConfig
from ingest.connectors.base import (
    file_document,
    read_bytes,
    read_text_file,
    sidecar_meta,
)
from ingest.connectors.doc_formats import (
    check_pdf,
    check_text,
    html_meta,
    office_meta,
    pdf_meta,
    rst_docinfo,
)
from ingest.connectors.elements import blocks_from_elements, blocks_from_slides, partition
from ingest.connectors.htmlblocks import Unsupported, html_blocks
from ingest.connectors.listing import list_files
from ingest.connectors.meta import DocMeta, meta_from_mapping, split_front_matter
from ingest.connectors.pdftext import pdf_blocks
from ingest.connectors.plaintext import text_blocks
from ingest.connectors.rstblocks import rst_blocks

logger = logging.getLogger(__name__)

FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".pptx": "pptx",
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".rst": "rst",
    ".txt": "txt",
}
_TEXT_FORMATS = {"html", "md", "rst", "txt"}
MAX_UNPACKED_BYTES = 512 << 20  # the default of ingest.max_unpacked_mb


class DocumentsConnector:
    """Reads a folder tree of shared documents, one Document per file."""

    def __init__(
        self, source: SourceConfig, max_bytes: int, max_unpacked_bytes: int = MAX_UNPACKED_BYTES
    ) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.max_unpacked_bytes = max_unpacked_bytes

    def files(self) -> list[Path]:
        """Supported documents under the root (other extensions are skipped silently)."""
        return list_files(self.source, FORMATS)

    def parse(self, path: Path) -> list[Document]:
        """The document in one file."""
        kind = FORMATS.get(path.suffix.lower())
        if kind is None:
            raise SourceError(str(path), f"unsupported document type '{path.suffix}'")
        try:
            if kind in _TEXT_FORMATS:
                meta, blocks, first_title = read_text_parts(
                    kind, read_text_file(path, self.max_bytes)
                )
            else:
                meta, blocks, first_title = read_binary_parts(
                    kind, read_bytes(path, self.max_bytes), self.max_unpacked_bytes
                )
        except ValueError as exc:
            raise SourceError(str(path), str(exc)) from exc
        except (SourceError, MemoryError):  # out of memory: the parse sandbox reports it
            raise
        except Exception as exc:  # any parser library failure is this file's problem
            logger.debug("parser failed", exc_info=True, extra={"path": str(path)})
            raise SourceError(
                str(path), f"cannot parse {kind}: {exc or type(exc).__name__}"
            ) from exc
        meta = meta.merged(sidecar_meta(path, self.max_bytes))
        document = file_document(self.source, path, meta, blocks, first_title)
        logger.debug(
            "parsed document", extra={"path": document.path, "blocks": len(document.blocks)}
        )
        return [document]


def read_text_parts(kind: str, text: str) -> tuple[DocMeta, list[Block], str | None]:
    """Metadata and blocks of a text-based document."""
    check_text(text)
    meta = DocMeta()
    if kind == "md":
        front, text = split_front_matter(text)
        meta = meta_from_mapping(front)
    elif kind == "rst":
        fields, text = rst_docinfo(text)
        meta = meta_from_mapping(fields)
    elif kind == "html":
        meta = html_meta(text)
    if not text.strip():
        return meta, [], None
    if kind == "txt":
        return meta, *text_blocks(text)
    if kind == "rst":
        return meta, *rst_blocks(text)
    if kind == "html":
        try:
            return meta, *html_blocks(text)
        except Unsupported:  # math: unstructured renders it as LaTeX
            pass
    return meta, *blocks_from_elements(partition(kind, text=text))


def read_binary_parts(
    kind: str, data: bytes, max_unpacked_bytes: int
) -> tuple[DocMeta, list[Block], str | None]:
    """Metadata and blocks of a PDF, Word or PowerPoint file."""
    if kind == "pdf":
        check_pdf(data)
        meta = pdf_meta(data)
        return meta, *pdf_blocks(data)
    meta = office_meta(data, kind, max_unpacked_bytes)
    elements = partition(kind, data=data)
    if kind == "pptx":
        return meta, *blocks_from_slides(elements)
    return meta, *blocks_from_elements(elements)
