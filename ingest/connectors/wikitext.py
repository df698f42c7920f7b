"""MediaWiki wikitext to plain-text blocks under section headings.

Templates are dropped (``{{Superseded|New title}}`` is read first), categories become tags,
links keep their labels, lists stay as lines and wikitables become rows of cells joined
by " | ". Good enough for search and citation; not a full MediaWiki renderer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from core.schema import Block

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_REF = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", re.S | re.I)
_DROPPED_TAGS = re.compile(r"<(gallery|references|score|timeline)\b.*?</\1\s*>", re.S | re.I)
_SUPERSEDED = re.compile(r"\{\{\s*superseded(?:[ _]?by)?\s*\|([^{}|]*)", re.I)
_TEMPLATE = re.compile(r"\{\{(?:[^{}]|\{(?!\{)|\}(?!\}))*\}\}")
_CATEGORY = re.compile(r"\[\[\s*category\s*:\s*([^\]|]+?)\s*(?:\|[^\]]*)?\]\]\n?", re.I)
_FILE_START = re.compile(r"\[\[\s*(?:file|image|media)\s*:", re.I)
_SWITCH = re.compile(r"__[A-Z]+__")
_HEADING = re.compile(r"^(={1,6})\s*(.+?)\s*\1\s*$")
_LIST = re.compile(r"^([*#:;]+)\s*(.*)$")
_LINK_LABEL = re.compile(r"\[\[([^\[\]|]*)\|([^\[\]]*)\]\]")
_LINK = re.compile(r"\[\[([^\[\]|]*)\]\]")
_EXTERNAL_LABEL = re.compile(r"\[(?:(?:(?:https?|ftp):)?//|mailto:)[^\s\]]+\s+([^\]]*)\]")
_EXTERNAL = re.compile(r"\[((?:https?|ftp)://[^\s\]]+)\]")
_QUOTES = re.compile(r"'{5}|'{3}|'{2}")
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CELL_ATTRS = re.compile(r"^[^|\[\]]*=[^|\[\]]*\|(?!\|)(.*)$")
_REDIRECT = re.compile(r"^\s*#redirect\b", re.I)
_NOWIKI = re.compile(r"<nowiki\s*>(.*?)</nowiki\s*>|<nowiki\s*/>", re.S | re.I)
_KEPT = re.compile("\ue001(\\d+)\ue001")  # placeholder for literal <nowiki> text


@dataclass
class Wikitext:
    """What a page's wikitext says: text blocks, categories and a superseding page."""

    blocks: list[Block] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    superseded_by: str | None = None


def is_redirect(text: str) -> bool:
    """Whether wikitext is a redirect page (#REDIRECT [[Target]])."""
    return bool(_REDIRECT.match(text))


def convert(text: str) -> Wikitext:
    """Plain-text blocks, categories and superseded_by of a page's wikitext."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(html.unescape(match[1] or ""))
        return f"\ue001{len(kept) - 1}\ue001"

    text = _NOWIKI.sub(keep, _COMMENT.sub("", text))
    text = _DROPPED_TAGS.sub("", _REF.sub("", text))
    superseded = _SUPERSEDED.search(text)
    superseded_by = superseded[1].split("=", 1)[-1].strip() if superseded else None
    for _ in range(50):  # innermost templates first; nesting deeper than 50 is left as is
        text, count = _TEMPLATE.subn("", text)
        if not count:
            break
    categories = [" ".join(c.replace("_", " ").split()) for c in _CATEGORY.findall(text)]
    text = _SWITCH.sub("", _remove_files(_CATEGORY.sub("", text)))
    blocks = _blocks(text.splitlines())
    for block in blocks:
        block.text = _KEPT.sub(lambda m: kept[int(m[1])], block.text)
        block.heading_path = [_KEPT.sub(lambda m: kept[int(m[1])], h) for h in block.heading_path]
    return Wikitext(blocks, categories, superseded_by or None)


def _remove_files(text: str) -> str:
    """Drop [[File:...]] embeds, including captions that contain links."""
    while match := _FILE_START.search(text):
        depth, i = 0, match.start()
        while i < len(text) - 1:
            pair = text[i : i + 2]
            if pair == "[[":
                depth, i = depth + 1, i + 2
            elif pair == "]]":
                depth, i = depth - 1, i + 2
                if depth == 0:
                    break
            else:
                i += 1
        text = text[: match.start()] + text[i:]
    return text


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    kind = ""  # the block being collected: "para", "list", "pre" or "table"
    pending: list[str] = []

    def flush() -> None:
        nonlocal kind, pending
        if kind == "para":
            text = inline(" ".join(pending))
        elif kind == "table":
            text = _table(pending)
        else:
            text = "\n".join(pending)
        if text.strip():
            blocks.append(Block(text=text.strip("\n"), heading_path=[h for _, h in headings]))
        kind, pending = "", []

    for line in lines:
        stripped = line.strip()
        if kind == "table":
            pending.append(line)
            if stripped.startswith("|}"):
                flush()
            continue
        if heading := _HEADING.match(stripped):
            flush()
            level, title = len(heading[1]), inline(heading[2])
            headings = [h for h in headings if h[0] < level] + [(level, title)]
        elif stripped.startswith("{|"):
            flush()
            kind, pending = "table", [line]
        elif listed := _LIST.match(stripped):
            if kind != "list":
                flush()
            kind = "list"
            pending.append(_list_line(listed[1], inline(listed[2])))
        elif line.startswith(" ") and stripped:
            if kind != "pre":
                flush()
            kind = "pre"
            pending.append(inline(line[1:]))
        elif not stripped or re.fullmatch(r"-{4,}", stripped):
            flush()
        else:
            if kind != "para":
                flush()
            kind = "para"
            pending.append(stripped)
    flush()
    return blocks


def _list_line(markers: str, content: str) -> str:
    indent = "  " * (len(markers) - 1)
    bullet = "- " if markers[-1] in "*#" else ""
    return f"{indent}{bullet}{content}"


def _table(lines: list[str]) -> str:
    """A wikitable as lines of cells joined by ' | ' (caption first)."""
    rows: list[list[str]] = [[]]
    caption = ""
    for line in lines[1:]:
        stripped = line.strip()
        if stripped.startswith("|}"):
            break
        if stripped.startswith("|+"):
            caption = inline(stripped[2:])
        elif stripped.startswith("|-"):
            rows.append([])
        elif stripped.startswith(("!", "|")):
            separator = "!!" if stripped.startswith("!") else "||"
            cells = stripped[1:].replace("||", separator).split(separator)
            rows[-1].extend(_cell(cell) for cell in cells)
        elif stripped and rows[-1]:
            rows[-1][-1] = f"{rows[-1][-1]} {inline(stripped)}".strip()
    lines_out = [caption] if caption else []
    lines_out += [" | ".join(c for c in row if c) for row in rows if any(row)]
    return "\n".join(lines_out)


def _cell(cell: str) -> str:
    attrs = _CELL_ATTRS.match(cell)
    return inline(attrs[1] if attrs else cell)


def inline(text: str) -> str:
    """Inline wikitext to plain text: links to labels, no quotes markup, no HTML tags."""
    text = _LINK_LABEL.sub(lambda m: m[2].strip() or m[1].lstrip(":").strip(), text)
    text = _LINK.sub(lambda m: m[1].lstrip(":").strip(), text)
    text = _EXTERNAL_LABEL.sub(lambda m: m[1].strip(), text)
    text = _EXTERNAL.sub(lambda m: m[1], text)
    text = _TAG.sub("", _BR.sub("\n", _QUOTES.sub("", text)))
    text = html.unescape(text)
    return "\n".join(" ".join(part.split()) for part in text.split("\n")).strip()
