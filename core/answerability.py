"""Answerability: whether the retrieved passages can answer the question, decided before generating.

The assistant's gate, computed from the question and its `RetrievalResult` alone (so it works
for any retriever that returns one, and costs no model call). Evidence, each in [0, 1] but the
first:

    top_dense        the top dense cosine under the caller's filter
    coverage         weighted share of the question's terms the top passage holds (title,
                     headings, text); numbers and names weigh 2, the asked-for phrase
                     ("What's the **maximum file size** for ...") `focus_weight` times more,
                     stopwords and frame words ("how long", "get") nothing
    fuzzy_coverage   the same, a one-typo variant counting as found ("quizz" ~ "quiz")
    context_coverage fuzzy coverage by the top CONTEXT passages together
    sentence_coverage the best single answer unit (sentence, item, row) of those passages
    heading          the best share found in one passage's title and headings alone
    names            share of the question's weighty terms (names, numbers, the asked-for
                     phrase) found in those passages: "Tesla" asked, only Ford and GM found
    short            1 / (1 + number of question terms): one-word queries cover easily

    p = sigmoid(b + Σ w_i (x_i − mean_i) / scale_i)      (answerability_model.json)

It is answerable when top_dense ≥ `abstain_threshold` (a floor), p ≥
`answerability_threshold` (retrieval settings), and every code the question names ("error
WX-9999", "ISO 27001") appears in the top CONTEXT passages: a code no passage holds cannot
be answered, however close the topic (`codes_found`, a rule, not a weight). The weights are
a logistic regression fitted on the tuning halves of the golden set, fitz-gov's behaviour
cases and the python-faq / debian-faq sets (`python -m eval.answerability_fit`), read from the
versioned JSON file beside this module; nothing is trained at start-up. p is calibrated on
those halves; times the share of cited sentences it is an answer's `confidence`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from core.config import RetrievalSettings
from core.generation.units import split_units
from core.generation.words import fuzzy_in, question_terms, text_terms
from core.retrieval import RetrievalResult
from core.schema import Passage, SourceKind

MODEL_FILE = Path(__file__).with_name("answerability_model.json")
FEATURES = (
    "top_dense",
    "coverage",
    "fuzzy_coverage",
    "context_coverage",
    "sentence_coverage",
    "heading",
    "names",
    "short",
)
CONTEXT = 3  # passages whose sentences may hold the answer
_CODE = re.compile(r"\b[A-Z]{2,8}[- ]?\d{2,}\b|\b[A-Za-z]{1,8}-\d{2,}\b")  # WX-9999, ISO 27001


@dataclass
class Answerability:
    """The gate's signals and decision for one question."""

    top_dense: float | None
    coverage: float
    score: float | None  # the calibrated probability that the passages answer
    answerable: bool
    missing: list[str] = field(default_factory=list)  # question terms the top passage lacks
    features: dict[str, float] = field(default_factory=dict)

    def log_fields(self) -> dict[str, object]:
        """The signals, rounded, for a structured log line."""
        return {
            "top_dense": _round(self.top_dense),
            "coverage": round(self.coverage, 3),
            "score": _round(self.score),
            "answerable": self.answerable,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class Model:
    """A logistic regression over standardised features, as stored in JSON."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    version: int = 1
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def probability(self, values: dict[str, float]) -> float:
        """p = sigmoid(intercept + Σ coef·standardised value)."""
        z = self.intercept + sum(
            c * (values[f] - m) / s
            for f, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        """The model as the JSON file stores it."""
        return {
            "version": self.version,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            **({"meta": self.meta} if self.meta else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        """Read the stored model; its features must be this module's."""
        model = cls(
            features=tuple(data["features"]),
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) or 1.0 for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
            version=int(data.get("version", 1)),
            meta=dict(data.get("meta", {})),
        )
        if set(model.features) - set(FEATURES):
            raise ValueError(f"answerability model uses unknown features {model.features}")
        return model


@cache
def stored_model(path: Path = MODEL_FILE) -> Model:
    """The fitted model shipped with Watercooler (read once)."""
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))


def features(
    question: str, passages: list[Passage], top_dense: float, focus_weight: float = 2.0
) -> tuple[dict[str, float], list[str]]:
    """The evidence (module docstring) and the question terms the top passage lacks."""
    weights = question_terms(question, focus_weight)
    top = passages[0]
    found = text_terms(" ".join([top.title, *top.heading_path, top.text]))

    def share(terms: set[str], fuzzy: bool = True, special: bool = False) -> float:
        asked = {t: w for t, w in weights.items() if w >= 2 or not special}
        if not asked:
            return 1.0
        hit = sum(w for t, w in asked.items() if (fuzzy_in(t, terms) if fuzzy else t in terms))
        return hit / sum(asked.values())

    context = passages[:CONTEXT]
    in_context = set().union(
        *(text_terms(" ".join([p.title, *p.heading_path, p.text])) for p in context)
    )
    units = [
        text_terms(u.text)
        for p in context
        for u in split_units(p.text, transcript=p.kind == SourceKind.VIDEO)
    ]
    values = {
        "top_dense": top_dense,
        "coverage": share(found, fuzzy=False),
        "fuzzy_coverage": share(found),
        "context_coverage": share(in_context),
        "sentence_coverage": max((share(u) for u in units), default=0.0),
        "heading": max(share(text_terms(" ".join([p.title, *p.heading_path]))) for p in context),
        "names": share(in_context, special=True),
        "short": 1.0 / (1.0 + len(weights)),
        "codes_found": float(_codes_found(question, context)),
    }
    return values, [t for t in weights if t not in found]


def assess(
    question: str, result: RetrievalResult, settings: RetrievalSettings, model: Model | None = None
) -> Answerability:
    """Whether the passages of `result` are likely to answer `question` (module docstring)."""
    top = result.top_dense_score
    if top is None or not result.passages:
        return Answerability(top, 0.0, None, answerable=False)
    values, missing = features(question, result.passages, top, settings.focus_weight)
    p = (model or stored_model()).probability(values)
    answerable = (
        top >= settings.abstain_threshold
        and p >= settings.answerability_threshold
        and values["codes_found"] == 1.0
    )
    return Answerability(top, values["coverage"], p, answerable, missing, values)


def _codes_found(question: str, passages: list[Passage]) -> bool:
    """Whether every code the question names appears in one of the passages."""
    codes = {_squash(c) for c in _CODE.findall(question)}
    if not codes:
        return True
    text = _squash(" ".join(" ".join([p.title, *p.heading_path, p.text]) for p in passages))
    return all(code in text for code in codes)


def _squash(text: str) -> str:
    """Lowercase without spaces and hyphens: "WX-9999" ~ "wx 9999" ~ "WX9999"."""
    return re.sub(r"[\s-]+", "", text.lower())


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
