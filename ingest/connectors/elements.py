"""unstructured partitioning, and its elements turned into blocks with heading paths.

Title elements set the heading path (nested by ``metadata.category_depth`` when present);
other elements become blocks. unstructured is imported lazily: it is slow to import.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.schema import Block
from ingest.connectors.htmltext import html_to_blocks

if TYPE_CHECKING:
    from unstructured.documents.elements import Element

_SKIPPED = {"PageBreak", "Header", "Footer", "PageNumber", "Image"}


def partition(kind: str, *, text: str = "", data: bytes = b"") -> list[Element]:
    """Partition text (md, html, rst, txt) or bytes (docx, pptx) with unstructured."""
    if kind == "md":
        from unstructured.partition.md import partition_md

        return partition_md(text=text)
    if kind == "html":
        from unstructured.partition.html import partition_html

        return partition_html(text=text)
    if kind == "rst":
        from unstructured.partition.rst import partition_rst

        return partition_rst(file=io.BytesIO(text.encode("utf-8")))
    if kind == "txt":
        from unstructured.partition.text import partition_text

        return partition_text(text=text)
    if kind == "docx":
        from unstructured.partition.docx import partition_docx

        return partition_docx(file=io.BytesIO(data))
    if kind == "pptx":
        from unstructured.partition.pptx import partition_pptx

        return partition_pptx(file=io.BytesIO(data), include_slide_notes=True)
    raise ValueError(f"no partitioner for {kind!r}")


def element_text(element: Element) -> str:
    """An element's text; tables as rows of cells joined by ' | '."""
    html = getattr(element.metadata, "text_as_html", None)
    if element.category == "Table" and html:
        return "\n".join(block.text for block in html_to_blocks(html))
    return element.text


def blocks_from_elements(elements: Sequence[Element]) -> tuple[list[Block], str | None]:
    """Blocks under their heading paths, and the first title found."""
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    first_title = None
    for element in elements:
        if element.category in _SKIPPED:
            continue
        text = element_text(element).strip()
        if not text:
            continue
        if element.category == "Title":
            depth = element.metadata.category_depth or 0
            headings = [h for h in headings if h[0] < depth] + [(depth, text)]
            first_title = first_title or text
            continue
        blocks.append(Block(text=text, heading_path=[h for _, h in headings]))
    return blocks, first_title


def blocks_from_slides(elements: Sequence[Element]) -> tuple[list[Block], str | None]:
    """Blocks of a presentation: each slide's title is the heading of everything on it."""
    slides: dict[int, list[Element]] = {}
    for element in elements:
        if element.category not in _SKIPPED and element.text.strip():
            slides.setdefault(element.metadata.page_number or 1, []).append(element)
    blocks: list[Block] = []
    first_title = None
    for number, items in slides.items():
        title = next(
            (e for e in items if e.category == "Title" and not e.metadata.category_depth), None
        )
        heading = title.text.strip() if title else f"Slide {number}"
        first_title = first_title or (title.text.strip() if title else None)
        for element in items:
            if element is not title:
                blocks.append(Block(text=element_text(element).strip(), heading_path=[heading]))
    return blocks, first_title
