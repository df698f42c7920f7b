"""HTML to text blocks with heading paths (stdlib html.parser), for feeds and tables.

h1–h6 set the heading path; p, li, pre, blockquote, dd, figcaption and table rows become
blocks; bare text between blocks (WordPress without <p>) is split on blank lines.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from core.schema import Block

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p", "li", "pre", "blockquote", "dd", "dt", "figcaption", "div", "section", "article",
    "ul", "ol", "dl", "table", "tr", "header", "footer", "main", "aside", "figure", "hr",
    "address", "details", "summary", "body", "html",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe"}
_BR = "\ue000"  # stands for <br> until whitespace is collapsed (not whitespace itself)


class _Converter(HTMLParser):
    """Collects blocks, the <title> and <meta name=... content=...> tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self._headings: list[tuple[int, str]] = []
        self._buffer: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._in_title = False
        self._heading_level = 0
        self._row: list[str] | None = None
        self._rows: list[str] = []
        self._table_depth = 0

    # -- tags ------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = dict(attrs)
            key = (values.get("name") or values.get("property") or "").strip().lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"] or "")
        elif tag == "br":
            self._buffer.append(_BR)
        elif tag in _HEADINGS:
            self._flush()
            self._heading_level = _HEADINGS[tag]
        elif tag == "table":
            self._flush()
            self._table_depth += 1
        elif tag == "tr" and self._table_depth:
            self._finish_row()
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._finish_cell()
        elif tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self._pre_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADINGS and self._heading_level:
            self._end_heading()
        elif tag in ("td", "th") and self._row is not None:
            self._finish_cell()
        elif tag == "caption" and self._table_depth:
            self._rows.append(_squash("".join(self._buffer)))
            self._buffer = []
        elif tag == "tr" and self._table_depth:
            self._finish_cell()
            self._finish_row()
        elif tag == "table" and self._table_depth:
            self._finish_cell()
            self._finish_row()
            self._table_depth -= 1
            if not self._table_depth:
                self._add("\n".join(self._rows))
                self._rows = []
        elif tag in _BLOCKS:
            self._flush()
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._in_title:
            self.title += data
        else:
            self._buffer.append(data)

    # -- output ----------------------------------------------------------------------------
    def _end_heading(self) -> None:
        text = _squash("".join(self._buffer))
        self._buffer = []
        level, self._heading_level = self._heading_level, 0
        if text:
            self._headings = [h for h in self._headings if h[0] < level] + [(level, text)]

    def _finish_cell(self) -> None:
        if self._row is not None and self._buffer:
            self._row.append(_squash("".join(self._buffer)))
            self._buffer = []

    def _finish_row(self) -> None:
        if self._row is not None:
            cells = [c for c in self._row if c]
            if cells:
                self._rows.append(" | ".join(cells))
        self._row = None

    def _flush(self) -> None:
        if self._table_depth:
            return
        raw = "".join(self._buffer)
        self._buffer = []
        if self._pre_depth:
            self._add(raw.replace(_BR, "\n").strip("\n"))
            return
        for paragraph in re.split(r"\n[ \t]*\n", raw):
            self._add(_squash(paragraph))

    def _add(self, text: str) -> None:
        if text.strip():
            self.blocks.append(Block(text=text, heading_path=[h for _, h in self._headings]))

    def close(self) -> None:
        super().close()
        if self._heading_level:
            self._end_heading()
        self._flush()


def _squash(text: str) -> str:
    """Collapse whitespace runs to single spaces, keeping explicit <br> line breaks."""
    lines = [" ".join(line.split()) for line in text.split(_BR)]
    return "\n".join(line for line in lines if line)


def html_to_blocks(html: str) -> list[Block]:
    """Text blocks of an HTML fragment or page, each with its heading path."""
    parser = _Converter()
    parser.feed(html)
    parser.close()
    return parser.blocks


def html_head(html: str) -> tuple[str, dict[str, str]]:
    """The <title> and the <meta name|property → content> mapping of an HTML page."""
    parser = _Converter()
    parser.feed(html)
    parser.close()
    return _squash(parser.title), parser.meta


def strip_tags(html: str) -> str:
    """Plain text of a short HTML string (a title), whitespace collapsed."""
    return " ".join(block.text for block in html_to_blocks(html)).strip()


def plain_to_blocks(text: str) -> list[Block]:
    """Blocks of plain text: paragraphs separated by blank lines."""
    return [Block(text=p.strip()) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
