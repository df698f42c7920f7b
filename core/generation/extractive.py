"""The offline default generator: the best supporting sentences of the top passages, cited.

Every unit (sentence, list item, table row) of the top passages is scored by a mix of
dense similarity to the question, overlap with the question's content words (weighted by
idf among the units; numbers and names count double) and the rank of its passage. The best
one opens the answer; up to three more follow when they score close to it and say something
new (MMR). A sentence that leans on the one before it ("This sets ...") comes with it or not
at all. A how-to question answered by a numbered list gets the whole list, in order. Units
are shown in passage rank and reading order, each followed by its marker. Nothing relevant
→ empty text.

When the question asks for a quantity and a unit of another passage (scoring at least
RIVAL_CUTOFF of the best) gives a different value for the same thing, that unit joins the
answer (unless its document is superseded) and a closing note cites both sides:
"Note: the sources disagree here: [1] says 30 days, [3] says 45 days." (`disputes`).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from core.embedding import Embedder
from core.generation.base import Generated
from core.generation.citations import validate_citations
from core.generation.composition import LEANS_BACK, Candidate, answer_order, reading_order, render
from core.generation.disputes import Side, find_conflict, note
from core.generation.sentences import split_sentences
from core.generation.unit_vectors import decode, unit_key
from core.generation.units import split_units
from core.generation.words import fuzzy_in, plain, question_terms, text_terms
from core.schema import Passage, SourceKind

log = logging.getLogger(__name__)

# Weights of the score parts; dense and lexical are in [0, 1], the rank prior is 1/(1 + rank).
W_DENSE, W_LEXICAL, W_RANK, W_NUMBER = 0.55, 0.30, 0.15, 0.05
# A unit under a heading that matches the question (an FAQ's question) is in its section.
W_HEADING, HEADING_MATCH = 0.15, 0.75
# The first unit of a passage or under a heading often states the answer the rest explains
# (an FAQ answer's first sentence, a section's topic sentence). Chosen on the tuning halves
# (golden-dev, python-faq-tune, debian-faq-tune) among 0-0.1: docs/eval-defaults.md.
W_LEAD = 0.07
# A further unit needs a question term, or this cosine, to address the question at all.
MIN_DENSE_WITHOUT_WORDS = 0.6
# Of the units without a vector from ingestion (unit_vectors.py), at most this many are
# embedded per answer (the rest rank lower on words and rank); vectors computed here are
# kept for VECTOR_CACHE units, so passages asked about again cost nothing.
MAX_EMBEDDED, VECTOR_CACHE = 32, 20_000
MIN_DENSE = 0.35  # best unit below this (and without word overlap) → nothing relevant
MIN_DENSE_WITH_WORDS = 0.25
MIN_LEXICAL = 0.5
# A further unit must score at least this share of the best, both measured above FLOOR
# (what an unrelated unit of the top passage scores: its rank prior and a little similarity);
# a unit from another passage than the best one's must come closer to change the subject.
RELATIVE_CUTOFF = 0.55
RELATIVE_CUTOFF_OTHER_PASSAGE = 0.8
FLOOR = 0.15
MMR_LAMBDA = 0.7
NEAR_DUPLICATE = 0.9
MAX_STEPS = 8
# A unit of another passage is checked for a conflicting value when it scores this share of
# the answer's best above FLOOR (looser than joining the answer: it only has to be on topic).
RIVAL_CUTOFF = 0.3

_WANTS_NUMBER = re.compile(
    r"\b(how (many|much|long|often|soon|big|large)|limit|maximum|minimum|max|min|cap|rate|"
    r"amount|cost|price|percent\w*|mark|score|threshold|deadline|when|date|size)\b",
    re.IGNORECASE,
)
_PROCEDURAL = re.compile(
    r"^\s*how (do|can|should|would|to)\b|\bhow to\b|\bwhat (do|should) (i|we) do\b|"
    r"\bsteps?\b|\bprocedure\b|\bprocess\b",
    re.IGNORECASE,
)


def _idf_weighted(weights: dict[str, float], documents: list[set[str]]) -> dict[str, float]:
    """Question term weights times their BM25 idf among the units: common words count less."""
    n = len(documents)
    out = {}
    for term, weight in weights.items():
        df = sum(term in doc for doc in documents)
        out[term] = weight * math.log(1 + (n - df + 0.5) / (df + 0.5))
    return out


def _stored_vectors(passages: list[Passage], dimension: int) -> dict[bytes, np.ndarray]:
    """The unit vectors ingestion stored with the passages, by unit key."""
    stored: dict[bytes, np.ndarray] = {}
    for passage in passages:
        stored.update(decode(passage.unit_vectors, dimension))
    return stored


def _leads(cands: list[Candidate]) -> list[bool]:
    """Whether each unit opens its passage or the text under a new heading."""
    return [
        i == 0
        or cand.passage != cands[i - 1].passage
        or cand.unit.heading != cands[i - 1].unit.heading
        for i, cand in enumerate(cands)
    ]


def _share(weights: dict[str, float], found: set[str]) -> float:
    """Weighted share of the question terms in `found`, one typo allowed."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if fuzzy_in(t, found)) / total if total else 0.0


class ExtractiveGenerator:
    """Answers with the best supporting sentences of the passages, each with its marker."""

    name = "extractive"

    def __init__(
        self,
        embedder: Embedder,
        max_passages: int = 6,
        max_units: int = 4,
        vector_cache: int = VECTOR_CACHE,
    ) -> None:
        self.embedder = embedder
        self.max_passages = max_passages
        self.max_units = max_units
        self.vector_cache = vector_cache
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()  # unit text → vector (LRU)

    def generate(self, question: str, passages: list[Passage]) -> Generated:
        """An answer from the passages' own sentences; empty text when none is relevant."""
        started = time.perf_counter()
        passages = passages[: self.max_passages]
        chosen, cands = self._select(question, passages)
        chosen, remark = self._dispute(question, passages, chosen, cands)
        text = render(answer_order(chosen), passages) + (f"\n\n{remark}" if remark else "")
        log.info(
            "extractive answer",
            extra={
                "units": len(chosen),
                "passages": sorted({c.passage + 1 for c in chosen}),
                "dispute": bool(remark),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return validate_citations(text, len(passages))

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """The answer sentence by sentence (it is computed at once; streaming is for the API)."""
        text = self.generate(question, passages).text
        start = 0
        for sentence in split_sentences(text):
            end = text.index(sentence, start) + len(sentence)
            yield text[start:end]
            start = end

    def _candidates(self, passages: list[Passage]) -> list[Candidate]:
        """Units of every passage; a unit repeated by an overlapping chunk is kept once."""
        seen: set[str] = set()
        out: list[Candidate] = []
        for rank, passage in enumerate(passages):
            for unit in split_units(passage.text, transcript=passage.kind == SourceKind.VIDEO):
                key = plain(unit.text).lower()
                if key not in seen:
                    seen.add(key)
                    out.append(Candidate(unit, rank))
        return out

    def _score(self, question: str, passages: list[Passage], cands: list[Candidate]) -> np.ndarray:
        """Score every candidate in place; returns the unit vectors for redundancy checks."""
        unit_terms = [text_terms(c.unit.text) for c in cands]
        asked = question_terms(question)
        weights = _idf_weighted(asked, unit_terms)
        total = sum(weights.values()) or 1.0
        context = [text_terms(" ".join([p.title, *p.heading_path])) for p in passages]
        wants_number = bool(_WANTS_NUMBER.search(question))
        leads = _leads(cands)
        for cand, words, lead in zip(cands, unit_terms, leads, strict=True):
            heading = context[cand.passage]
            hits = sum(
                w if t in words else 0.5 * w if t in heading else 0.0 for t, w in weights.items()
            )
            cand.lexical = hits / total
            has_number = wants_number and any(ch.isdigit() for ch in cand.unit.text)
            # A chunk that starts inside a section carries its heading in heading_path.
            section = cand.unit.heading or next(iter(passages[cand.passage].heading_path[-1:]), "")
            cand.in_section = _share(asked, text_terms(section)) >= HEADING_MATCH
            cand.score = (
                W_LEXICAL * cand.lexical
                + W_RANK / (1 + cand.passage)
                + W_NUMBER * has_number
                + W_HEADING * cand.in_section
                + W_LEAD * lead
            )
        # Units whose vectors ingestion stored all get a dense part. Of the others, only the
        # ones words and rank favour are embedded now (the dense part decides among them);
        # the rest keep a score no embedded unit of the same standing loses to.
        query = self.embedder.embed_query(question)
        vectors = np.zeros((len(cands), query.shape[0]), dtype=np.float32)
        stored = _stored_vectors(passages, query.shape[0])
        known = []
        for i, cand in enumerate(cands):
            vector = stored.get(unit_key(plain(cand.unit.text)))
            if vector is not None:
                vectors[i] = vector
                known.append(i)
        ranked = sorted(range(len(cands)), key=lambda i: -cands[i].score)[:MAX_EMBEDDED]
        missing = [i for i in ranked if i not in set(known)]
        if missing:
            vectors[missing] = self._embed([plain(cands[i].unit.text) for i in missing])
        for i in [*known, *missing]:
            cands[i].dense = float(vectors[i] @ query)
            cands[i].score += W_DENSE * cands[i].dense
        return vectors

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, from the cache where they were computed before."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            for text, vector in zip(missing, self.embedder.embed_documents(missing), strict=True):
                self._vectors[text] = vector
        for text in texts:
            self._vectors.move_to_end(text)
        vectors = np.stack([self._vectors[t] for t in texts])
        while len(self._vectors) > self.vector_cache:
            self._vectors.popitem(last=False)
        return vectors

    def _select(
        self, question: str, passages: list[Passage]
    ) -> tuple[list[Candidate], list[Candidate]]:
        """The units of the answer, in reading order, and every scored candidate."""
        cands = self._candidates(passages)
        if not cands:
            return [], cands
        vectors = self._score(question, passages, cands)
        best = max(range(len(cands)), key=lambda i: (cands[i].score, -i))
        top = cands[best]
        relevant = (
            top.dense >= MIN_DENSE
            or (top.dense >= MIN_DENSE_WITH_WORDS and top.lexical >= MIN_LEXICAL)
            or top.in_section
        )
        if not relevant:
            log.info("nothing relevant", extra={"dense": round(top.dense, 3)})
            return [], cands
        before = {(c.passage, c.unit.position): i for i, c in enumerate(cands)}

        def predecessor(i: int) -> int | None:
            """The sentence `i` leans on, when it leans on one of its own paragraph."""
            c = cands[i]
            if c.unit.kind != "sentence" or not LEANS_BACK.match(c.unit.text):
                return None
            j = before.get((c.passage, c.unit.position - 1))
            return j if j is not None and cands[j].unit.block == c.unit.block else None

        lead = predecessor(best)
        chosen = [best] if lead is None else [lead, best]
        pool = [
            i
            for i, c in enumerate(cands)
            if c.score - FLOOR
            >= (top.score - FLOOR)
            * (RELATIVE_CUTOFF if c.passage == top.passage else RELATIVE_CUTOFF_OTHER_PASSAGE)
            and (c.lexical > 0 or c.dense >= MIN_DENSE_WITHOUT_WORDS)  # addresses the question
            and (c.in_section or not top.in_section)  # a matching heading selects its section
        ]
        while len(chosen) < self.max_units:
            best_mmr, pick = -np.inf, -1
            for i in pool:
                if i in chosen or predecessor(i) not in (None, *chosen):
                    continue
                redundancy = float(np.max(vectors[chosen] @ vectors[i]))
                if redundancy >= NEAR_DUPLICATE:
                    continue
                mmr = MMR_LAMBDA * cands[i].score - (1 - MMR_LAMBDA) * redundancy
                if mmr > best_mmr:
                    best_mmr, pick = mmr, i
            if pick < 0:
                break
            chosen.append(pick)
        if _PROCEDURAL.search(question):
            chosen = self._whole_procedure(cands, chosen)
        return reading_order(cands[i] for i in chosen), cands

    def _dispute(
        self,
        question: str,
        passages: list[Passage],
        chosen: list[Candidate],
        cands: list[Candidate],
    ) -> tuple[list[Candidate], str]:
        """The answer's units plus the other side of a conflict, and the note saying so."""
        if not chosen:
            return chosen, ""
        top = max(c.score for c in chosen)
        rivals = [
            c
            for c in sorted(cands, key=lambda c: -c.score)
            if c not in chosen and c.score - FLOOR >= RIVAL_CUTOFF * (top - FLOOR)
        ]
        conflict = find_conflict(
            question,
            [Side(c.passage, c.unit.text) for c in chosen],
            [Side(c.passage, c.unit.text) for c in rivals],
        )
        if conflict is None:
            return chosen, ""
        # The other side joins the answer, in its own words, unless it is outdated.
        other = next((c for c in rivals if Side(c.passage, c.unit.text) == conflict.second), None)
        if other is not None and not passages[other.passage].superseded_by:
            chosen = reading_order([*chosen, other])
        return chosen, note(conflict, passages)

    def _whole_procedure(self, cands: list[Candidate], chosen: list[int]) -> list[int]:
        """For a how-to question, all steps of the best chosen numbered list, in order."""
        steps = [i for i in chosen if cands[i].unit.kind == "step"]
        if not steps:
            return chosen
        head = cands[steps[0]]
        same_list = [
            i
            for i, c in enumerate(cands)
            if c.passage == head.passage and c.unit.block == head.unit.block
        ][:MAX_STEPS]
        # Keep what was chosen before the list in its passage (an intro), drop the rest.
        intro = [
            i
            for i in chosen
            if cands[i].passage == head.passage
            and cands[i].unit.position < cands[same_list[0]].unit.position
        ]
        return intro[:1] + same_list
