"""HTML to blocks through lxml: the blocks of unstructured's `partition_html`, at a third the cost.

unstructured's HTML parser (``partition/html/parser.py``, v1) is an lxml tree walk through
custom element classes that builds an `Element` object with annotations for every paragraph;
on real documentation pages that bookkeeping was ~70 % of the parse. This module walks the
same lxml tree with the same rules and keeps only what blocks use: text, and whether a
paragraph is a heading (with its level).

The rules, as unstructured states them: block tags (div, p, h1–h6, li, pre, table...) start a
paragraph, phrasing tags (a, b, span, unknown tags...) continue it; whitespace is collapsed
(kept in <pre> except one leading and trailing newline); <br> is a space; script, style, nav,
figure, form, details... are dropped, their tails kept; an <img> with a source ends a
paragraph; a <li> holding a single text block adopts it; bare paragraph text of one character
is dropped and a leading bullet character is removed (the "derived" type, see elements.py).
Tables become their rows' cells joined by ' | ', exactly as `element_text` renders them.

Documents with MathML or KaTeX fall back to unstructured (it renders formulas as LaTeX);
`tests/ingest/test_fast_paths.py` proves the blocks equal unstructured's on the sample corpus.
"""

from __future__ import annotations

import html as html_lib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree
from unstructured.nlp.patterns import UNICODE_BULLETS_RE as _BULLET  # regexes only: no spaCy

from core.schema import Block
from ingest.connectors.htmltext import html_to_blocks

_FLOW = {
    "address", "article", "aside", "blockquote", "body", "center", "div", "footer", "header",
    "hgroup", "main", "section", "p", "dt", "dl", "ol", "ul",
}  # fmt: skip
_HEADINGS = {"h1": 0, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 5}
_LIST_ITEMS = {"li", "dd"}
_LISTS = {"dl", "ol", "ul"}
_ADOPTABLE = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "div",
    "footer",
    "header",
    "hgroup",
    "main",
    "section",
    "p",
    "dt",
}  # fmt: skip  (unstructured's Flow and BlockItem classes, not their subclasses)
_REMOVED_BLOCKS = {"details", "figure", "hr", "nav", "template", "form", "input", "summary"}
_REMOVED_PHRASING = {
    "button", "label", "audio", "canvas", "datalist", "dialog", "head", "iframe", "noembed",
    "noframes", "object", "select", "svg", "textarea", "title", "video", "xml",
}  # fmt: skip
_BLOCK_TAGS = _FLOW | set(_HEADINGS) | _LIST_ITEMS | _REMOVED_BLOCKS | {"pre", "img", "table"}
_STRIPPED = ["del", "link", "meta", "noscript", "script", "style"]
_TITLE, _LIST_ITEM, _CODE, _IMAGE, _TABLE = "title", "list item", "code", "image", "table"


class Unsupported(Exception):
    """A document this module does not render like unstructured (MathML, KaTeX)."""


@dataclass
class _Para:
    """A paragraph as unstructured would emit it: kind (None for derived), text, heading depth."""

    kind: str | None
    text: str
    depth: int = 0


@dataclass
class _Accumulator:
    """Text segments of the paragraph being built inside one block element."""

    owner: etree._Element
    pre: bool = False
    parts: list[str] = field(default_factory=list)


_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


def html_blocks(html: str) -> tuple[list[Block], str | None]:
    """Blocks under their heading paths, and the first heading, as `blocks_from_elements` gives.

    Raises:
        Unsupported: the page holds math, which only unstructured renders.
    """
    if not html.strip():
        return [], None
    if "katex" in html:
        raise Unsupported("KaTeX")
    try:
        root = etree.fromstring(html, _PARSER)
    except ValueError:  # a str with an XML encoding declaration: lxml wants bytes
        root = etree.fromstring(html.encode("utf-8"), _PARSER)
    if root is None:
        return [], None
    if root.find(".//math") is not None:
        raise Unsupported("MathML")
    etree.strip_elements(root, *_STRIPPED, with_tail=False)
    main = root.find(".//main")
    if main is None:
        main = root.find(".//body")
    out: list[_Para] = []
    _flow(main if main is not None else root, None, out)
    return _blocks(out)


def _blocks(paragraphs: list[_Para]) -> tuple[list[Block], str | None]:
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    first_title = None
    for para in paragraphs:
        if para.kind == _IMAGE:
            continue
        text = para.text.strip()
        if not text:
            continue
        if para.kind == _TITLE:
            headings = [h for h in headings if h[0] < para.depth] + [(para.depth, text)]
            first_title = first_title or text
            continue
        blocks.append(Block(text=text, heading_path=[h for _, h in headings]))
    return blocks, first_title


def _is_phrasing(element: etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        raise Unsupported(f"node {tag!r}")
    return tag not in _BLOCK_TAGS


def _flow(element: etree._Element, kind: str | None, out: list[_Para]) -> None:
    """A block element's paragraphs: its text and leading phrasing, then each block child's."""
    accumulator = _Accumulator(element, pre=element.tag == "pre")
    queue = deque(element)
    _text_or_tail(accumulator, element.text or "", queue, kind, out)
    while queue:
        child = queue.popleft()
        _block(child, out)
        _text_or_tail(accumulator, child.tail or "", queue, None, out)


def _block(element: etree._Element, out: list[_Para]) -> None:
    """The paragraphs of one block child, by its tag."""
    tag = element.tag
    if tag in _HEADINGS:
        _flow(element, _TITLE, out)
    elif tag in _LIST_ITEMS:
        _list_item(element, out)
    elif tag == "pre":
        _flow(element, _CODE, out)
    elif tag == "img":
        if (element.get("data-src", "").strip() or element.get("src", "").strip()) != "":
            out.append(_Para(_IMAGE, ""))
    elif tag == "table":
        out.extend(_table(element))
    elif tag not in _REMOVED_BLOCKS:
        _flow(element, None, out)


def _list_item(element: etree._Element, out: list[_Para]) -> None:
    """A <li>/<dd>; one holding a single text block (a loose Markdown list) adopts its text."""
    if len(element) == 1 and not (element.text or "").strip():
        child = element[0]
        if (
            child.tag in _ADOPTABLE
            and not (child.tail or "").strip()
            and all(_is_phrasing(node) for node in child.iterdescendants())
        ):
            accumulator = _Accumulator(element)
            _text_or_tail(accumulator, child.text or "", deque(child), _LIST_ITEM, out)
            return
    _flow(element, _LIST_ITEM, out)


def _text_or_tail(
    accumulator: _Accumulator,
    text: str,
    queue: deque[etree._Element],
    kind: str | None,
    out: list[_Para],
) -> None:
    """One paragraph from text and the phrasing after it; a block nested in phrasing splits it."""

    def emit(para: _Para) -> None:
        _flush(accumulator, kind, out)
        out.append(para)

    accumulator.parts.append(text)
    while queue and _is_phrasing(queue[0]):
        _phrasing(queue.popleft(), accumulator.parts, emit)
    _flush(accumulator, kind, out)


def _phrasing(element: etree._Element, parts: list[str], emit: Callable[[_Para], None]) -> None:
    """Text of a phrasing element and its tail; paragraphs of blocks inside it go to `emit`."""
    tag = element.tag
    if tag == "br":
        parts.append("\n")
    elif tag not in _REMOVED_PHRASING:
        if element.text:
            parts.append(element.text)
        for child in element:
            if _is_phrasing(child):
                _phrasing(child, parts, emit)
            else:
                nested: list[_Para] = []
                _block(child, nested)
                for para in nested:
                    emit(para)
                if child.tail:
                    parts.append(child.tail)
    if element.tail:
        parts.append(element.tail)


def _flush(accumulator: _Accumulator, kind: str | None, out: list[_Para]) -> None:
    """Close the paragraph being built (nothing when it is blank)."""
    joined = "".join(accumulator.parts)
    accumulator.parts.clear()
    if accumulator.pre:
        text = joined[1 if joined.startswith("\n") else 0 : -1 if joined.endswith("\n") else None]
    else:
        text = " ".join(joined.split())
    if not text:
        return
    if kind is None:  # unstructured's derived type, as elements.markup_text_type decides it
        if _BULLET.match(text.strip()):
            text = _clean_bullets(text)
            if not text:
                return
        elif len(text) < 2:
            return
    depth = _HEADINGS.get(accumulator.owner.tag, 0) if kind == _TITLE else 0
    out.append(_Para(kind, text, depth))


def _table(table: etree._Element) -> list[_Para]:
    """A table as unstructured's TableBlock builds its HTML, rendered as `element_text` does."""
    parts = ["<table>"]
    rows: list[str] = []

    def cell(node: etree._Element) -> tuple[str, str]:
        text = " ".join(t for t in (s.strip() for s in node.itertext()) if t)
        body = " ".join("<br/>".join(html_lib.escape(text).split("\n")).split())
        return text, f"<{node.tag}>{body}</{node.tag}>" if body else f"<{node.tag}/>"

    def row(tr: etree._Element) -> None:
        cells = [cell(c) for c in tr if c.tag in ("th", "td")]
        rows.append(" ".join(text for text, _ in cells if text))
        if cells:
            parts.extend(("<tr>", "".join(markup for _, markup in cells), "</tr>"))

    for child in table:
        if child.tag == "caption":
            text, markup = cell(child)
            if text:
                parts.append(markup)
        elif child.tag == "tr":
            row(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            parts.append(f"<{child.tag}>")
            for tr in child:
                if tr.tag == "tr":
                    row(tr)
            parts.append(f"</{child.tag}>")
    if not " ".join(rows).strip():
        return []
    parts.append("</table>")
    return [_Para(_TABLE, "\n".join(b.text for b in html_to_blocks("".join(parts))))]


def _clean_bullets(text: str) -> str:
    if _BULLET.match(text) is None:
        return text
    return _BULLET.sub("", text, count=1).strip()
