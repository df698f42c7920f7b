"""Answerability: whether the retrieved passages can answer the question, decided before generating.

The assistant's gate, computed from the question and its `RetrievalResult` alone (so it works
for any retriever that returns one, and costs no model call):

    top_dense   the top dense cosine under the caller's filter: how close the best passage is
    coverage    the weighted share of the question's content terms that the top passage
                contains (title, headings or text; the extractive generator's crude stems,
                hyphenated words split). Numbers and names weigh 2; the terms of the phrase
                asked for ("What's the **maximum file size** for ...") weigh `focus_weight`
                times more; stopwords and question-frame words ("how long", "get",
                "actually") do not count.

    score = top_dense − coverage_weight × (1 − coverage)

It is answerable when top_dense ≥ `abstain_threshold` and score ≥ `answerability_threshold`
(retrieval settings). Near-miss questions — the topic is covered, the fact asked for is not —
usually leave a specific term ("thumbnail", "revenue", "maximum") out of the best passage,
which lowers their score; a question whose best passage holds every term keeps its cosine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.config import RetrievalSettings
from core.generation.extractive import STOPWORDS, plain, stem
from core.retrieval import RetrievalResult

# Words that frame a question rather than name what it is about: their absence from a
# passage says nothing ("How long ..." is answered by "within 30 days").
_FRAME_WORDS = """long often far big large small quick quickly fast soon early late get got
    take go going make give need use used happen know ask asking talk help who's actually
    anything someone somebody anyone thing things way mean supposed sort can't cannot find
    look kind type able expect expected exactly usually normally typically still right best
    also say must might"""
_FRAME = frozenset(stem(w) for w in _FRAME_WORDS.split())  # "happened" is framing too
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|\d+(?:[.,]\d+)*%?")  # "per-learner" → 2 words
# The phrase a wh-question asks for: "What's the <maximum file size> for ...",
# "Which <hotel chain> does ...", "How many <paid sick days> do ...".
_FOCUS = re.compile(
    r"^\s*(?:what(?:'s|’s| is| was| are| were)?|which|how (?:many|much)|who(?:'s| is)?)\s+"
    r"(?:(?:the|our|a|an|we|my|your)\s+)*"
    r"(?P<focus>(?:[\w'’-]+\s+){0,3}?[\w'’-]+?)"
    r"(?=\s+(?:of|for|in|on|at|does|do|did|is|are|was|were|can|should|when|to|that|per|by|"
    r"with|we)\b|\s*\?|\s*$)",
    re.IGNORECASE,
)
_AUXILIARIES = "does do did is are was were can should will would"
_AUXILIARY = frozenset(_AUXILIARIES.split())


@dataclass
class Answerability:
    """The gate's signals and decision for one question."""

    top_dense: float | None
    coverage: float
    score: float | None
    answerable: bool
    missing: list[str] = field(default_factory=list)  # question terms the top passage lacks

    def log_fields(self) -> dict[str, object]:
        """The signals, rounded, for a structured log line."""
        return {
            "top_dense": _round(self.top_dense),
            "coverage": round(self.coverage, 3),
            "score": _round(self.score),
            "answerable": self.answerable,
            "missing": self.missing,
        }


def question_terms(question: str, focus_weight: float = 2.0) -> dict[str, float]:
    """Content terms of a question (stems) with their weights."""
    match = _FOCUS.search(question)
    focus: set[str] = set()
    if match and match["focus"].split()[0].lower() not in _AUXILIARY:
        focus = {stem(w) for w in _WORD.findall(match["focus"])}
    weights: dict[str, float] = {}
    for i, word in enumerate(_WORD.findall(question)):
        if word.lower() in STOPWORDS or stem(word) in _FRAME:
            continue
        special = any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])
        special = special or (i > 0 and word[0].isupper())
        term = stem(word)
        weight = (2.0 if special else 1.0) * (focus_weight if term in focus else 1.0)
        weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def text_terms(text: str) -> set[str]:
    """The stems of a text's words, as `question_terms` makes them."""
    return {stem(w) for w in _WORD.findall(plain(text)) if w.lower() not in STOPWORDS}


def assess(question: str, result: RetrievalResult, settings: RetrievalSettings) -> Answerability:
    """Whether the top passage of `result` is likely to answer `question` (module docstring)."""
    top = result.top_dense_score
    if top is None or not result.passages:
        return Answerability(top, 0.0, None, answerable=False)
    best = result.passages[0]
    found = text_terms(" ".join([best.title, *best.heading_path, best.text]))
    weights = question_terms(question, settings.focus_weight)
    total = sum(weights.values())
    missing = [t for t in weights if t not in found]
    coverage = 1.0 - sum(weights[t] for t in missing) / total if total else 1.0
    score = top - settings.coverage_weight * (1.0 - coverage)
    answerable = top >= settings.abstain_threshold and score >= settings.answerability_threshold
    return Answerability(top, coverage, score, answerable, missing)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
