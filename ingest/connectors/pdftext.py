"""PDF text with pdfminer.six: lines in larger type become headings, the rest paragraphs.

unstructured's PDF partitioner needs extras (pi_heif, pdf2image, unstructured-inference)
that are not installed, so text PDFs are read here with the layout analysis it would use.
pdfminer's and pypdf's warnings about a file ("CropBox missing", "Could not get FontBBox") go
to the debug log: they are about the PDF's bytes, not something a user can act on, and a job
printed them by the hundred.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from core.schema import Block

_HEADING_RATIO = 1.15  # a line this much larger than body text is a heading
_HEADING_MAX_CHARS = 120


_BULLET = re.compile(r"^(?:[-•*–▪◦]|\d+[.)]?)(?:\s|$)")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?$", re.IGNORECASE)
_EDGE_LINES = 2  # running headers and footers are among the first/last lines of a page


@dataclass
class _Line:
    text: str
    size: float
    box: int
    page: int


class ToDebug(logging.Filter):
    """Logs a third-party library's records at debug level (dropped unless debug is on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


@functools.cache
def quiet_library(package: str) -> None:
    """Put `ToDebug` on every logger of an imported package (a logger's filters miss its
    children's records, so each gets one)."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == package]
    for name in {package, *names}:
        logging.getLogger(name).addFilter(ToDebug())


def _lines(data: bytes) -> list[_Line]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    quiet_library("pdfminer")

    lines: list[_Line] = []
    box = 0
    for number, page in enumerate(extract_pages(io.BytesIO(data)), start=1):
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            box += 1
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                sizes = [c.size for c in line if isinstance(c, LTChar)]
                text = " ".join(line.get_text().split())
                if text and sizes:
                    lines.append(_Line(text, round(sum(sizes) / len(sizes), 1), box, number))
    return lines


def _without_page_furniture(lines: list[_Line]) -> list[_Line]:
    """Drop page numbers, and headers/footers repeated at the edges of most pages."""
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    pages_with: dict[str, set[int]] = {}
    for page, items in by_page.items():
        for line in items[:_EDGE_LINES] + items[-_EDGE_LINES:]:
            pages_with.setdefault(_shape(line.text), set()).add(page)
    repeated = {
        shape
        for shape, pages in pages_with.items()
        if len(by_page) >= 2 and len(pages) >= max(2, len(by_page) / 2)
    }
    return [
        line
        for line in lines
        if not _PAGE_NUMBER.match(line.text) and _shape(line.text) not in repeated
    ]


def _shape(text: str) -> str:
    """Text with digits masked, so 'Page 1' and 'Page 2' look alike."""
    return re.sub(r"\d+", "#", text).casefold()


def _continues(previous: str, text: str) -> bool:
    """Whether a new text box carries on the previous block (a wrapped line or list item)."""
    if _BULLET.fullmatch(previous):
        return True
    return not previous.endswith((".", "!", "?", ":", ";")) and not _BULLET.match(text)


def pdf_blocks(data: bytes) -> tuple[list[Block], str | None]:
    """Blocks of a text PDF under heading paths, and its first (largest-type) heading."""
    lines = _without_page_furniture(_lines(data))
    if not lines:
        return [], None
    weights: Counter[float] = Counter()
    for line in lines:
        weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0]

    def is_heading(line: _Line) -> bool:
        return line.size >= body * _HEADING_RATIO and len(line.text) <= _HEADING_MAX_CHARS

    levels = sorted({line.size for line in lines if is_heading(line)}, reverse=True)
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    top_headings: list[str] = []
    previous: _Line | None = None
    for line in lines:
        same_box = previous is not None and previous.box == line.box
        after_heading = previous is not None and is_heading(previous)
        if is_heading(line):
            depth = levels.index(line.size)
            if same_box and after_heading and previous and previous.size == line.size:
                headings[-1] = (depth, f"{headings[-1][1]} {line.text}")  # a wrapped heading
                if depth == 0:
                    top_headings[-1] = headings[-1][1]
            else:
                headings = [h for h in headings if h[0] < depth] + [(depth, line.text)]
                if depth == 0:
                    top_headings.append(line.text)
        elif blocks and not after_heading and (same_box or _continues(blocks[-1].text, line.text)):
            separator = "\n" if same_box and _BULLET.match(line.text) else " "
            blocks[-1].text = f"{blocks[-1].text}{separator}{line.text}"
        else:
            blocks.append(Block(text=line.text, heading_path=[h for _, h in headings]))
        previous = line
    return blocks, top_headings[0] if top_headings else None
