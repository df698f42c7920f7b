"""unstructured partitioning, and its elements turned into blocks with heading paths.

Title elements set the heading path (nested by ``metadata.category_depth`` when present);
other elements become blocks. unstructured is imported lazily: it is slow to import.

Two of unstructured's per-element analyses are skipped because nothing here uses their result,
and together they were over half of the parser's CPU time (measured on the sample corpus):
  * language detection (``languages=[""]``): a document's language comes from its metadata;
  * in HTML, Markdown and reStructuredText (unstructured parses the last two as HTML), the
    spaCy-based test that tells ``NarrativeText`` from ``Text`` for paragraph text. Headings
    there come from ``<h1>``–``<h6>``, never from that test, and both categories become the
    same body blocks here. The cheap, regex-based checks (list item, address, e-mail,
    one-character noise) are kept. Word and PowerPoint files keep the full classifier: it
    decides which unstyled lines are titles.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from core.schema import Block
from ingest.connectors.htmltext import html_to_blocks

if TYPE_CHECKING:
    from unstructured.documents.elements import Element, Text

_SKIPPED = {"PageBreak", "Header", "Footer", "PageNumber", "Image"}
_NO_LANGUAGE_DETECTION = [""]  # unstructured's documented value for "skip detection"
_CLASSIFIER = "derive_element_type_from_text"  # unstructured.partition.html.parser's global
_SWAP_LOCK = threading.Lock()
_swaps = 0  # partitions of HTML/Markdown in progress (threads may overlap)


@functools.cache
def _original_html_classifier() -> Callable[[str], type[Text] | None]:
    """unstructured's own paragraph classifier, captured before the first swap."""
    from unstructured.partition.html import parser

    return getattr(parser, _CLASSIFIER)


def partition(kind: str, *, text: str = "", data: bytes = b"") -> list[Element]:
    """Partition text (md, html, rst, txt) or bytes (docx, pptx) with unstructured."""
    languages = _NO_LANGUAGE_DETECTION
    if kind == "md":
        from unstructured.partition.md import partition_md

        with markup_text_types():
            return partition_md(text=text, languages=languages)
    if kind == "html":
        from unstructured.partition.html import partition_html

        with markup_text_types():
            return partition_html(text=text, languages=languages)
    if kind == "rst":
        from unstructured.partition.rst import partition_rst

        with markup_text_types():
            return partition_rst(file=io.BytesIO(text.encode("utf-8")), languages=languages)
    if kind == "txt":
        from unstructured.partition.text import partition_text

        return partition_text(text=text, languages=languages)
    if kind == "docx":
        from unstructured.partition.docx import partition_docx

        return partition_docx(file=io.BytesIO(data), languages=languages)
    if kind == "pptx":
        from unstructured.partition.pptx import partition_pptx

        return partition_pptx(file=io.BytesIO(data), include_slide_notes=True, languages=languages)
    raise ValueError(f"no partitioner for {kind!r}")


def markup_text_type(text: str) -> type[Text] | None:
    """unstructured's type for paragraph text in HTML, without its spaCy narrative-text test."""
    from unstructured.documents.elements import Address, EmailAddress, ListItem, Text
    from unstructured.partition.text_type import (
        is_bulleted_text,
        is_email_address,
        is_us_city_state_zip,
    )

    if is_bulleted_text(text):
        return ListItem
    if is_us_city_state_zip(text):
        return Address
    if is_email_address(text):
        return EmailAddress
    if len(text) < 2:
        return None
    return Text


@contextmanager
def markup_text_types() -> Iterator[None]:
    """Use `markup_text_type` in unstructured's HTML parser while partitioning markup.

    unstructured offers no option for this; its parser looks the classifier up as a module
    global at each paragraph, so it is swapped for the call. The swap is process-wide but
    harmless to a concurrent Word/PowerPoint partition (their classifiers live in other modules),
    and the original is restored afterwards even if a parse fails.
    """
    from unstructured.partition.html import parser

    with _SWAP_LOCK:
        global _swaps
        if _swaps == 0:
            _original_html_classifier()  # captured before the first swap, kept for good
            setattr(parser, _CLASSIFIER, markup_text_type)
        _swaps += 1
    try:
        yield
    finally:
        with _SWAP_LOCK:
            _swaps -= 1
            if _swaps == 0:
                setattr(parser, _CLASSIFIER, _original_html_classifier())


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
