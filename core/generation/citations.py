"""Citation markers: validate, normalise and renumber the `[n]` markers of an answer.

A marker is a bracket whose content starts with a digit, optionally after a word like
"source" or "passage": `[1]`, `[1, 2]`, `[1-3]`, `[Source 2]`, but also garbage such as `[12a]`.
Adjacent markers form a run (`[1] [2]`, `[1][2]`); every run is rewritten as `[1][2]` with
its numbers sorted and deduplicated. Brackets that do not start with a digit (`[x]`,
`[link](url)`) are left alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from core.generation.base import Generated
from core.generation.sentences import split_sentences

log = logging.getLogger(__name__)

# The reply an LLM is told to give when the passages do not answer; it needs no citation.
NO_ANSWER = "The sources do not cover this."

_MARKER = r"\[\s*(?:(?:sources?|passages?|docs?|documents?|refs?)\s*)?\d[^\[\]\n]{0,30}\](?!\()"
_RUN = re.compile(
    rf"(?P<lead>[ \t]*)(?P<run>{_MARKER}(?:[ \t]*{_MARKER})*)(?P<trail>[ \t]*)", re.IGNORECASE
)
_ONE = re.compile(_MARKER, re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?:(?:sources?|passages?|docs?|documents?|refs?)\s*)?", re.IGNORECASE)
_RANGE = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")
_MAX_RANGE = 10

_HAS_MARKER = re.compile(r"\[\d+\]")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_MIN_WORDS = 4


def _parse(token: str) -> tuple[list[int], bool]:
    """Numbers in one marker's brackets, and whether every part of it made sense."""
    body = _PREFIX.sub("", token.strip()[1:-1])
    numbers: list[int] = []
    clean = True
    for part in re.split(r"[,;]|\band\b", body):
        part = part.strip()
        if part.isdigit():
            numbers.append(int(part))
        elif (span := _RANGE.match(part)) and 0 <= int(span[2]) - int(span[1]) <= _MAX_RANGE:
            numbers.extend(range(int(span[1]), int(span[2]) + 1))
        elif part:
            clean = False
    return numbers, clean


def _rewrite(text: str, keep: Callable[[list[int], bool], list[int]]) -> str:
    """Rewrite every marker run as `[a][b]` from the numbers `keep` returns for it."""

    def replace(match: re.Match[str]) -> str:
        numbers: list[int] = []
        clean = True
        for token in _ONE.findall(match["run"]):
            found, ok = _parse(token)
            numbers.extend(found)
            clean = clean and ok
        kept = sorted(set(keep(numbers, clean)))
        if kept:
            return match["lead"] + "".join(f"[{n}]" for n in kept) + match["trail"]
        # Dropped: keep one space only where the run separated two words.
        return " " if match["lead"] and match["trail"] else ""

    return _RUN.sub(replace, text)


def used_markers(text: str) -> list[int]:
    """Marker numbers in order of first use (each once)."""
    seen: dict[int, None] = {}
    for token in _ONE.findall(text):
        for n in _parse(token)[0]:
            seen.setdefault(n, None)
    return list(seen)


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Replace each marker n by mapping[n]; markers missing from the mapping are dropped."""
    return _rewrite(text, lambda numbers, _clean: [mapping[n] for n in numbers if n in mapping])


def compact(text: str) -> tuple[str, list[int]]:
    """Renumber markers to 1..k in order of first use; also the old number of each new one."""
    old = used_markers(text)
    return renumber(text, {n: i for i, n in enumerate(old, start=1)}), old


def is_no_answer(text: str) -> bool:
    """Whether a reply is (just) the agreed 'the sources do not cover this' answer."""
    return " ".join(text.split()).strip(" .").lower() == NO_ANSWER.strip(" .").lower()


def _needs_citation(sentence: str) -> bool:
    """False for headings, intro lines, short connectives and the no-answer reply."""
    plain = _BULLET.sub("", sentence).strip()
    if plain.startswith("#") or plain.endswith(":") or is_no_answer(plain):
        return False
    return len(plain.split()) >= _MIN_WORDS


def validate_citations(text: str, n_passages: int) -> Generated:
    """Drop markers that point to no passage, normalise the rest, flag uncited sentences."""
    removed: list[int] = []

    def keep(numbers: list[int], clean: bool) -> list[int]:
        valid = [n for n in numbers if 1 <= n <= n_passages]
        removed.extend(n for n in numbers if not 1 <= n <= n_passages)
        if not clean:
            log.debug("malformed citation marker removed", extra={"numbers": numbers})
        return valid

    cleaned = _rewrite(text, keep).strip()
    unsupported = [
        s for s in split_sentences(cleaned) if not _HAS_MARKER.search(s) and _needs_citation(s)
    ]
    if removed or unsupported:
        log.info(
            "citations checked",
            extra={"removed_markers": removed, "unsupported": len(unsupported)},
        )
    return Generated(
        text=cleaned,
        unsupported_sentences=unsupported,
        removed_markers=sorted(set(removed)),
    )
