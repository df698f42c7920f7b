"""Passage text → answer units: sentences of paragraphs, list items and table rows.

Headings, code blocks, table headers and separators, intro sentences ending in ':', fragments
too short or too long to stand alone as a sentence of an answer, and lines of code that text
extraction left in prose (an unfenced literal block: "import smtpd import asyncore",
"x = ma.array([1, 2])") are dropped: squeezed into a sentence they read as noise, and their
"[1]" would pass for citation markers.
A table row — `| a | b |` or, as parsers extract tables, `a | b` — is rewritten with its header
("Meals — Limit: 55 EUR") so it reads on its own; a table's first row is its header only when it
looks like one (short cells, no sentence, no bare number): a chunk that starts in the middle of
a table has no header, and its rows read "first cell — other cells". Each unit keeps the text
of the last heading above it in the passage (an FAQ's question), so a heading that matches a
question can select its section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from core.generation.sentences import split_sentences

UnitKind = Literal["sentence", "item", "step", "row"]

_HEADING = re.compile(r"^#{1,6}\s")
_FENCE = re.compile(r"^(```|~~~)")
_BULLET = re.compile(r"^[-*+•]\s+(?P<text>.+)$")
_NUMBERED = re.compile(r"^(?P<n>\d{1,2})[.)]\s+(?P<text>.+)$")
_TABLE_SEPARATOR = re.compile(r"^\|?[\s:|-]+\|?$")
_BARE_ROW = re.compile(r"^[^|]+( \| [^|]*)+$")  # "Milestone | Share of fees", as parsers emit
_TERMINAL = (".", "!", "?", ":", ";", ")", '"')

MIN_WORDS = 4
MIN_CHARS = 15
MIN_STEP_CHARS = 8
MAX_WORDS = 80
HEADING_MAX_WORDS = 8
HEADER_CELL_WORDS = 4
_NUMBER = re.compile(r"^[\d.,%$€£+-]+$")
TRANSCRIPT_WORDS = 30
CODE_SYMBOL_SHARE = 0.08
_CODE_SYMBOLS = frozenset("()[]{}=<>#@$;\\")
_CODE_START = re.compile(r"^(\$ |>>> |:::|\[[\w.]+\]\s|@\w|import \w|from [\w.]+ import )")
_CODE_STATEMENT = re.compile(
    r"\b(import \w+|def \w+\(|class \w+[:(]|return [\w.]+\(|lambda \w|\w+ = [\w\[({\"'])"
    r"|\w\([^)]*\b\w+=[\w\"'\[]"  # a call with a keyword argument: f(x="a")
)


@dataclass(frozen=True)
class Unit:
    """One candidate sentence of an answer, with where it sits in its passage."""

    text: str
    kind: UnitKind
    position: int
    block: int  # units of the same paragraph, list or table share a block number
    heading: str = ""  # the last heading above the unit in its passage


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _row_text(cells: list[str], header: list[str] | None) -> str:
    """A table row as a sentence: first cell, then 'header: value' for the rest."""
    first, rest = cells[0], cells[1:]
    if header and len(header) == len(cells) and any(header[1:]):
        pairs = [f"{h}: {c}" if h else c for h, c in zip(header[1:], rest, strict=True) if c]
    else:
        pairs = [c for c in rest if c]
    return f"{first} — {'; '.join(pairs)}" if first and pairs else "; ".join(pairs or [first])


def looks_like_code(text: str) -> bool:
    """Code rather than prose: a code keyword before code punctuation, a prompt, or many
    code symbols."""
    if _CODE_START.match(text) or _CODE_STATEMENT.search(text):
        return True
    symbols = sum(ch in _CODE_SYMBOLS for ch in text)
    return symbols / max(1, len(text)) > CODE_SYMBOL_SHARE


def _keep(text: str, kind: UnitKind) -> bool:
    """Whether a fragment can stand alone as a sentence of an answer."""
    words = len(text.split())
    if kind != "row" and looks_like_code(text):
        return False
    if kind in ("step", "row"):  # short steps ("Click Publish.") still belong to a procedure
        return 2 <= words <= MAX_WORDS and len(text) >= MIN_STEP_CHARS
    if len(text) < MIN_CHARS or not MIN_WORDS <= words <= MAX_WORDS:
        return False
    return not (text.endswith(":") and kind == "sentence")  # an intro ("To upload a package:")


class _Splitter:
    """Walks the lines of a passage and collects units."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.block = 0
        self.paragraph: list[str] = []
        self.item: tuple[UnitKind, str] | None = None  # a list item, until it ends
        self.header: list[str] | None = None
        self.table_rows = 0
        self.last_kind: UnitKind | None = None
        self.in_code = False
        self.heading = ""

    def add(self, text: str, kind: UnitKind) -> None:
        text = re.sub(r"\s+", " ", text).strip()
        if _keep(text, kind):
            self.units.append(Unit(text, kind, len(self.units), self.block, self.heading))

    def new_block(self, kind: UnitKind | None) -> None:
        """Start a new block unless this line continues the current list or table."""
        if kind is None or kind != self.last_kind or kind == "sentence":
            self.block += 1
        if kind != "row":
            self.header, self.table_rows = None, 0
        self.last_kind = kind

    def flush(self) -> None:
        """End the pending list item and paragraph."""
        if self.item:
            self.add(self.item[1], self.item[0])
            self.item = None
        self.flush_paragraph()

    def flush_paragraph(self) -> None:
        lines = _drop_headings(self.paragraph)
        self.paragraph = []
        if not lines:
            return
        self.new_block("sentence")
        for sentence in split_sentences(" ".join(lines)):
            self.add(sentence, "sentence")

    def line(self, raw: str) -> None:
        line = raw.strip()
        if _FENCE.match(line):  # code is shown in the source, not quoted in an answer
            self.in_code = not self.in_code
            self.flush_paragraph()
            return
        if self.in_code:
            return
        if not line:  # a blank line ends a paragraph, not a (loose) list
            self.flush_paragraph()
            return
        if _HEADING.match(line):
            self.flush()
            self.new_block(None)
            self.heading = line.lstrip("#").strip()
            return
        if (line.startswith("|") and line.count("|") >= 2) or _BARE_ROW.search(line):
            self.flush()
            self.row(line)
            return
        numbered = _NUMBERED.match(line)
        item = numbered or _BULLET.match(line)
        if item:
            self.flush()
            if numbered and numbered["n"] == "1":
                self.new_block(None)  # a list that starts again at 1 is a new list
            kind: UnitKind = "step" if numbered else "item"
            self.new_block(kind)
            self.item = (kind, item["text"])
            return
        if self.item and raw[:1].isspace() and not self.paragraph:
            self.item = (self.item[0], f"{self.item[1]} {line}")  # the item's next line
            return
        if self.item:
            self.flush()
        self.paragraph.append(line)

    def row(self, line: str) -> None:
        self.new_block("row")
        if _TABLE_SEPARATOR.match(line):
            return
        cells = _cells(line)
        self.table_rows += 1
        if self.table_rows == 1 and _looks_like_header(cells):
            self.header = cells  # a header says nothing by itself
            return
        self.add(_row_text(cells, self.header), "row")


def _looks_like_header(cells: list[str]) -> bool:
    """Short labels: no cell a sentence, a long phrase or a bare number ('Classes | 7' is data)."""
    return all(
        len(c.split()) <= HEADER_CELL_WORDS and not c.endswith(_TERMINAL) and not _NUMBER.match(c)
        for c in cells
        if c
    )


def _looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation, e.g. 'Pass mark' or 'Before you publish'."""
    return len(line.split()) <= HEADING_MAX_WORDS and not line.endswith(_TERMINAL)


def _drop_headings(lines: list[str]) -> list[str]:
    """Lines of a paragraph without the headings that text extraction glued onto it."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        after_sentence = i == 0 or lines[i - 1].endswith(_TERMINAL)
        before_sentence = i + 1 == len(lines) or lines[i + 1][:1].isupper()
        if not (_looks_like_heading(line) and after_sentence and before_sentence):
            kept.append(line)
    return kept


def _transcript_units(text: str) -> list[Unit]:
    """Sentences of a transcript; unpunctuated speech is cut into pieces of TRANSCRIPT_WORDS."""
    units: list[Unit] = []
    for sentence in split_sentences(" ".join(text.split())):
        words = sentence.split()
        size = TRANSCRIPT_WORDS if len(words) > MAX_WORDS else len(words)
        for start in range(0, len(words), size):
            piece = " ".join(words[start : start + size])
            if _keep(piece, "sentence"):
                units.append(Unit(piece, "sentence", len(units), 0))
    return units


def split_units(text: str, transcript: bool = False) -> list[Unit]:
    """Answer units of a passage in reading order (a transcript has no headings or lists)."""
    if transcript:
        return _transcript_units(text)
    splitter = _Splitter()
    for raw in text.splitlines():
        splitter.line(raw)
    splitter.flush()
    return splitter.units
