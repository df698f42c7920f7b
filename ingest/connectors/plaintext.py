"""Plain text to blocks: paragraphs, list lines, and the headings plain text uses.

A heading is a paragraph's first line in capitals ("3. WHAT TO INCLUDE") or a line
underlined with '=' or '-'. Wrapped lines are joined; list items and short lines keep
their line breaks. unstructured's text partitioner merges headings into paragraphs and
flattens lists, so plain text is read here.
"""

from __future__ import annotations

import re
from itertools import pairwise

from core.schema import Block

_CAPS_HEADING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?\s+)?[A-Z][A-Z0-9 &/,.'()+:-]*[A-Z0-9)]$")
_UNDERLINE = re.compile(r"^(=+|-+)\s*$")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_MAX_HEADING = 80
_SHORT_LINE = 0.6  # a line this much shorter than the paragraph's longest ends on purpose


def text_blocks(text: str) -> tuple[list[Block], str | None]:
    """Blocks of plain text under heading paths, and the heading that opens the file."""
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    first_title = None
    for number, paragraph in enumerate(re.split(r"\n[ \t]*\n", text.strip("\n"))):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        heading = _heading(lines)
        if heading:
            depth, title, used = heading
            headings = [h for h in headings if h[0] < depth] + [(depth, title)]
            lines = lines[used:]
            if number == 0 and first_title is None:
                first_title = title
        if lines:
            blocks.append(Block(text=_join(lines), heading_path=[h for _, h in headings]))
    return blocks, first_title


def _heading(lines: list[str]) -> tuple[int, str, int] | None:
    """(depth, title, lines used) when the paragraph opens with a heading."""
    if not lines:
        return None
    first = lines[0].strip()
    if len(first) > _MAX_HEADING:
        return None
    if len(lines) > 1 and _UNDERLINE.match(lines[1].strip()) and len(lines[1].strip()) >= 3:
        return (0 if lines[1].strip()[0] == "=" else 1), first, 2
    if _CAPS_HEADING.match(first) and sum(c.isalpha() for c in first) >= 3:
        return 1, first, 1  # a section, like a '-' underline; '=' underlines sit above
    return None


def _join(lines: list[str]) -> str:
    """Wrapped lines joined with spaces; list items and deliberate breaks kept."""
    longest = max(len(line) for line in lines)
    out = lines[0].strip()
    for previous, line in pairwise(lines):
        deliberate = len(previous) < longest * _SHORT_LINE
        separator = "\n" if _ITEM.match(line) or deliberate else " "
        out += separator + line.strip()
    return out
