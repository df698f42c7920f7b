"""FAQ pages as answerable and unanswerable questions over a corpus of their answers.

Construction (the same for every FAQ set, as in BEIR's FAQ sets):

- An entry is a question heading ending in "?" and its answer body (the section's own text,
  without sub-sections that are questions themselves). Entries whose body has fewer than
  MIN_ANSWER_WORDS words are left out: "See the next question." points elsewhere.
- Each answer body is one corpus document, titled with its FAQ page's title — never the
  question, so a question must be matched by the answer's content.
- A fixed, seeded 20 % of entries are withheld: sha256("withheld:<set>:<id>") % 5 == 0. Their
  answer is left out of the corpus and their question is an unanswerable item (same topic,
  answer absent); every other question is answerable, relevant = its own answer document.
- The reference answer is the answer's first sentence (FAQ answers lead with the direct
  answer). References under MIN_REFERENCE_WORDS words are not scored for containment.
- Every item has a half, `eval.datasets.splits.half(id, set name)`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.errors import DatasetError
from eval.datasets.beir import CorpusDoc
from eval.datasets.splits import Half, half

WITHHELD_SHARE = 5  # one entry in five is withheld (20 %)
MIN_REFERENCE_WORDS = 4
MIN_ANSWER_WORDS = 5
# A sentence ends at . ! or ? followed by space and a capital, digit, quote or bracket; "e.g. x"
# and "i.e. x" continue in lower case, so they do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`*])")


@dataclass(frozen=True)
class FaqEntry:
    """One question of an FAQ page and its answer body."""

    id: str
    question: str
    answer: str
    page: str  # the page's title (the corpus document's title)
    page_file: str  # the page's file stem, a category tag


@dataclass(frozen=True)
class FaqItem:
    """A question of the set: answerable (its answer is in the corpus) or withheld."""

    id: str
    question: str
    answerable: bool
    reference: str
    relevant: tuple[str, ...]
    half: Half
    tags: tuple[str, ...]
    score_containment: bool


@dataclass
class FaqSet:
    """A corpus of answer documents and the questions asked about it."""

    name: str
    corpus: dict[str, CorpusDoc]
    items: list[FaqItem]
    metadata: dict[str, Any] = field(default_factory=dict)

    def in_half(self, which: Half | None) -> list[FaqItem]:
        """The items of one half (all of them for None), in page order."""
        return [i for i in self.items if which is None or i.half == which]


def is_withheld(entry_id: str, set_name: str) -> bool:
    """Whether the entry's answer is left out of the corpus (module docstring)."""
    digest = hashlib.sha256(f"withheld:{set_name}:{entry_id}".encode()).hexdigest()
    return int(digest, 16) % WITHHELD_SHARE == 0


def first_sentence(text: str) -> str:
    """The first sentence of the first paragraph, whitespace collapsed."""
    paragraph = text.strip().split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    return _SENTENCE_END.split(flat, maxsplit=1)[0]


def build_faq_set(name: str, entries: Iterable[FaqEntry], metadata: dict[str, Any]) -> FaqSet:
    """The corpus and items of an FAQ set from its entries (module docstring)."""
    corpus: dict[str, CorpusDoc] = {}
    items: list[FaqItem] = []
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise DatasetError(name, f"duplicate entry id {entry.id!r}")
        seen.add(entry.id)
        if len(entry.answer.split()) < MIN_ANSWER_WORDS:
            continue
        withheld = is_withheld(entry.id, name)
        if not withheld:
            corpus[entry.id] = CorpusDoc(entry.id, entry.page, entry.answer, {"page": entry.page})
        reference = first_sentence(entry.answer)
        which = half(entry.id, name)
        items.append(
            FaqItem(
                id=entry.id,
                question=entry.question,
                answerable=not withheld,
                reference=reference,
                relevant=() if withheld else (entry.id,),
                half=which,
                tags=(entry.page_file, which, "withheld" if withheld else "answerable"),
                score_containment=len(reference.split()) >= MIN_REFERENCE_WORDS,
            )
        )
    if not items:
        raise DatasetError(name, "no questions found")
    answerable = sum(i.answerable for i in items)
    counts = {"entries": len(items), "answerable": answerable, "withheld": len(items) - answerable}
    return FaqSet(name, corpus, items, {**metadata, **counts})
