"""Sentences of passages and answers: the one splitter every part uses.

A sentence ends at `.`, `!` or `?` (closing quotes and brackets and any citation markers right
after it stay with it: "... in 2023.[4]", "capped. [1]") followed by whitespace or the end of
a line; a line break always ends one. It does not end when the next word starts lowercase
("e.g. by mail"), after a common abbreviation or an initial ("Dr. J. Smith"), inside a number
("2.5 days") or after a list number at the start of a line ("1. Open the page").
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s|$)")
_LEADING_MARKUP = re.compile(r"^[^\w]+")
_LIST_NUMBER = re.compile(r"\d{1,3}[.)]")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "etc", "vs", "approx", "incl", "excl", "inc", "no", "nr", "fig"}
    | {"mr", "mrs", "ms", "dr", "prof", "st", "dept"}
)


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, line by line, each stripped; empty ones left out."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for end in _END.finditer(line):
            piece = line[start : end.start()]
            if line[end.end() :].lstrip()[:1].islower() or _no_end(piece, end.group()):
                continue
            sentences.append(line[start : end.end()].strip())
            start = end.end()
        if line[start:].strip():
            sentences.append(line[start:].strip())
    return sentences


def _no_end(piece: str, end: str) -> bool:
    """Whether a full stop after `piece` belongs to an abbreviation, initial or list number."""
    if not end.startswith(".") or end.startswith(".."):
        return False
    words = piece.split()
    if not words:
        return False
    last = _LEADING_MARKUP.sub("", words[-1].lower())  # "(Dr", "**Dr"
    if len(words) == 1 and _LIST_NUMBER.fullmatch(f"{words[0]}."):
        return True
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
