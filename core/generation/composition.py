"""How the chosen answer units become the answer's text: their order, markers and notes.

The best unit leads (with the sentence it leans on), the rest follow in reading order; a
numbered list keeps its order and becomes a Markdown list; units of superseded passages come
last as "Earlier: … [2] (superseded by <title>)."; each sentence carries its passage's marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.generation.sentences import split_sentences
from core.generation.units import Unit
from core.schema import Passage

# Sentences that start like this refer back to the previous one and cannot stand alone.
LEANS_BACK = re.compile(
    r"^(this|that|these|those|it|its|they|their|them|he|she|his|her|such|however|but|also|"
    r"otherwise|instead|so|thus|therefore)\b",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One unit of the top passages with its scores, as the generator weighs it."""

    unit: Unit
    passage: int  # 0-based rank of the passage
    score: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    in_section: bool = False  # under a heading that matches the question


def reading_order(cands: Iterable[Candidate]) -> list[Candidate]:
    """The units by passage rank, then by position in their passage."""
    return sorted(cands, key=lambda c: (c.passage, c.unit.position))


def cite(text: str, marker: int) -> str:
    """The unit with `[marker]` before the closing punctuation of each of its sentences."""
    cited = []
    for sentence in split_sentences(text):
        body = sentence.rstrip()
        end = body[-1] if body.endswith(("!", "?")) else "."
        body = body.rstrip(".!?:;").rstrip()
        cited.append(f"{body} [{marker}]{end}")
    return " ".join(cited)


def answer_order(chosen: list[Candidate]) -> list[Candidate]:
    """The best unit first (with the sentence it leans on), the rest in reading order.

    Under a heading that matches the question the section's first unit leads (an FAQ's
    answer starts right under its question). A numbered list keeps its order. Units are
    given in reading order.
    """
    if not chosen or any(c.unit.kind == "step" for c in chosen):
        return chosen
    best = max(range(len(chosen)), key=lambda i: chosen[i].score)
    if chosen[best].in_section:  # an FAQ answer starts right under its question
        best = next(i for i, c in enumerate(chosen) if c.in_section)
    lead = best
    while lead > 0 and _leans_on(chosen[lead], chosen[lead - 1]):
        lead -= 1
    return chosen[lead : best + 1] + chosen[:lead] + chosen[best + 1 :]


def _leans_on(unit: Candidate, before: Candidate) -> bool:
    return (
        unit.unit.kind == "sentence"
        and bool(LEANS_BACK.match(unit.unit.text))
        and (before.passage, before.unit.block, before.unit.position + 1)
        == (unit.passage, unit.unit.block, unit.unit.position)
    )


def _earlier(text: str, passage: Passage, passages: list[Passage]) -> str:
    """A cited unit of a superseded passage: "Earlier: … [2] (superseded by <title>)."."""
    newer = next((p.title for p in passages if p.document_id == passage.superseded_by), None)
    note = f" (superseded by {newer})" if newer else " (superseded)"
    body, end = (text[:-1], text[-1]) if text.endswith((".", "!", "?")) else (text, ".")
    return f"Earlier: {body}{note}{end}"


def render(chosen: list[Candidate], passages: list[Passage] | None = None) -> str:
    """Cited units as paragraphs; the steps of one numbered list as a numbered list.

    Units of superseded passages come last, each marked "Earlier: … (superseded by …)".
    """
    passages = passages or []
    old = [c for c in chosen if c.passage < len(passages) and passages[c.passage].superseded_by]
    if old and len(old) < len(chosen):
        current = render([c for c in chosen if c not in old])
        earlier = [_earlier(cite(c.unit.text, c.passage + 1), passages[c.passage], passages)
                   for c in old]  # fmt: skip
        return "\n\n".join([current, " ".join(earlier)])
    parts: list[tuple[bool, str]] = []  # (is a list, text)
    i = 0
    while i < len(chosen):
        first = chosen[i]
        run = 1
        while (
            first.unit.kind == "step"
            and i + run < len(chosen)
            and chosen[i + run].unit.kind == "step"
            and (chosen[i + run].passage, chosen[i + run].unit.block)
            == (first.passage, first.unit.block)
        ):
            run += 1
        if run > 1:
            steps = chosen[i : i + run]
            lines = [f"{k}. {cite(c.unit.text, c.passage + 1)}" for k, c in enumerate(steps, 1)]
            parts.append((True, "\n".join(lines)))
        elif parts and not parts[-1][0]:
            parts[-1] = (False, f"{parts[-1][1]} {cite(first.unit.text, first.passage + 1)}")
        else:
            parts.append((False, cite(first.unit.text, first.passage + 1)))
        i += run
    return "\n\n".join(text for _, text in parts)
