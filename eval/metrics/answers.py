"""Answer metrics: overlap with a reference, citation quality, abstention and access leakage.

    token_f1            SQuAD F1 over normalised tokens (lowercase, no punctuation or articles)
    containment         1 when the normalised reference occurs in the normalised answer as a
                        run of whole tokens (a short reference answer: "500 MB"), else 0
    reference_recall    share of the reference's content tokens (stop words left out; numbers
                        count) found in the answer: containment for a sentence-long reference
    semantic_similarity cosine of two vectors the caller has embedded
    parse_citations     answer → [(sentence without markers, [markers])]; "[1]", "[1][2]", "[1, 2]"
    citation_scores     ALCE (Gao et al. 2023) citation recall and precision, per sentence too
    groundedness        share of sentences supported by the passages the answer cites
    abstention_accuracy share of unanswerable questions where the system abstained
    answer_rate         share of answerable questions where it did not
    leakage_count       outputs that exposed a document the asking user may not see

Support is decided by an `Entailment` (see `eval.metrics.entailment`). Markers are 1-based
numbers into `passages` (marker → passage text); a marker with no passage supports nothing.
An answer without sentences, or without citations for precision, gets None (not scored).
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from core.generation.sentences import split_sentences
from eval.metrics.entailment import Entailment

Passages = Mapping[int, str]

_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def normalize_answer(text: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation and articles, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, reference: str) -> float:
    """Harmonic mean of token precision and recall after SQuAD normalisation."""
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(reference).split()
    if not predicted or not expected:
        return float(predicted == expected)
    same = sum((Counter(predicted) & Counter(expected)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(expected)
    return 2 * precision * recall / (precision + recall)


# Words a sentence-long reference shares with any answer; they say nothing about containing it.
_STOP_WORDS = frozenset(
    "and or but if of to in on at by for with from as is are was were be been being it its "  # noqa: SIM905
    "this that these those there their they them he she his her you your we our i me my do "
    "does did can could should would will shall may might must not no yes so than then also "
    "per each any all some more most up out into over about after before".split()
)


def containment(prediction: str, reference: str) -> float:
    """1.0 when the normalised reference is a run of whole tokens of the normalised answer."""
    expected = normalize_answer(reference).split()
    predicted = normalize_answer(prediction).split()
    if not expected:
        return 0.0
    n = len(expected)
    return float(any(predicted[i : i + n] == expected for i in range(len(predicted) - n + 1)))


def reference_recall(prediction: str, reference: str) -> float:
    """Share of the reference's content tokens (with repeats) that the answer contains."""
    expected = [t for t in normalize_answer(reference).split() if t not in _STOP_WORDS]
    if not expected:
        return containment(prediction, reference)
    found = Counter(normalize_answer(prediction).split()) & Counter(expected)
    return sum(found.values()) / len(expected)


def semantic_similarity(a_vec: ArrayLike, b_vec: ArrayLike) -> float:
    """Cosine similarity of two embedding vectors of the same dimension."""
    a = np.asarray(a_vec, dtype=np.float64).ravel()
    b = np.asarray(b_vec, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"vectors differ in dimension: {a.shape[0]} and {b.shape[0]}")
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norms == 0.0 or not math.isfinite(norms):
        raise ValueError("cosine is undefined for a zero or non-finite vector")
    return float(np.dot(a, b)) / norms


def statements(text: str) -> list[str]:
    """The sentences of an answer without list bullets or numbers: what a judge is asked."""
    return split_sentences("\n".join(_LIST_ITEM.sub("", line) for line in text.splitlines()))


def strip_markers(text: str) -> str:
    """The text without citation markers, with the spaces they leave tidied."""
    text = _MARKER.sub("", text)
    return " ".join(re.sub(r"\s+([.,;:!?])", r"\1", text).split())


def parse_citations(answer: str) -> list[tuple[str, list[int]]]:
    """Each sentence without its markers, with the marker numbers it cites (first use order)."""
    parsed: list[tuple[str, list[int]]] = []
    for sentence in statements(answer):
        found = [int(n) for group in _MARKER.findall(sentence) for n in group.split(",")]
        markers = list(dict.fromkeys(found))
        text = strip_markers(sentence)
        if any(ch.isalnum() for ch in text):
            parsed.append((text, markers))
        elif parsed:  # a line of only markers (or punctuation) cites for the sentence before it
            previous, cited = parsed[-1]
            parsed[-1] = (previous, list(dict.fromkeys([*cited, *markers])))
    return parsed


@dataclass(frozen=True)
class SentenceSupport:
    """How one answer sentence fares: joint support and the markers judged relevant."""

    sentence: str
    markers: tuple[int, ...]
    supported: bool
    relevant_markers: tuple[int, ...]


@dataclass(frozen=True)
class CitationScores:
    """Citation recall and precision of one answer, with the per-sentence judgments."""

    recall: float | None
    precision: float | None
    sentences: tuple[SentenceSupport, ...]


def _joint(passages: Passages, markers: Sequence[int]) -> str:
    return "\n".join(passages[m] for m in markers)


def _judge(
    sentence: str, markers: list[int], passages: Passages, entails: Entailment
) -> SentenceSupport:
    if not markers or any(m not in passages for m in markers):
        return SentenceSupport(sentence, tuple(markers), False, ())
    supported = entails(_joint(passages, markers), sentence)
    if not supported:
        relevant: list[int] = []
    elif len(markers) == 1:
        relevant = markers
    else:
        # ALCE: a citation is irrelevant when it alone does not support the sentence and
        # the other citations still do without it.
        relevant = [
            m
            for m in markers
            if entails(passages[m], sentence)
            or not entails(_joint(passages, [o for o in markers if o != m]), sentence)
        ]
    return SentenceSupport(sentence, tuple(markers), supported, tuple(relevant))


def citation_scores(answer: str, passages: Passages, entails: Entailment) -> CitationScores:
    """ALCE citation recall (sentences supported by their citations) and precision."""
    judged = tuple(_judge(s, m, passages, entails) for s, m in parse_citations(answer))
    citations = sum(len(s.markers) for s in judged)
    recall = sum(s.supported for s in judged) / len(judged) if judged else None
    precision = sum(len(s.relevant_markers) for s in judged) / citations if citations else None
    return CitationScores(recall, precision, judged)


def citation_recall(answer: str, passages: Passages, entails: Entailment) -> float | None:
    """Share of answer sentences whose cited passages jointly support them."""
    return citation_scores(answer, passages, entails).recall


def citation_precision(answer: str, passages: Passages, entails: Entailment) -> float | None:
    """Share of citations that are relevant to the sentence that makes them."""
    return citation_scores(answer, passages, entails).precision


def groundedness(answer: str, passages: Passages, entails: Entailment) -> float | None:
    """Share of answer sentences supported by all the passages the answer cites, jointly.

    Unlike citation recall, a sentence need not cite its support itself: this asks whether
    the answer stays within its evidence, not whether each claim points at it.
    """
    parsed = parse_citations(answer)
    if not parsed:
        return None
    cited = dict.fromkeys(m for _, markers in parsed for m in markers if m in passages)
    if not cited:
        return 0.0
    premise = _joint(passages, list(cited))
    return sum(entails(premise, sentence) for sentence, _ in parsed) / len(parsed)


class AbstentionOutcome(NamedTuple):
    """Whether a question could be answered from the corpus, and whether the system abstained."""

    answerable: bool
    abstained: bool


def abstention_accuracy(items: Iterable[AbstentionOutcome]) -> float | None:
    """Share of the unanswerable questions on which the system abstained."""
    outcomes = [item.abstained for item in items if not item.answerable]
    return sum(outcomes) / len(outcomes) if outcomes else None


def answer_rate(items: Iterable[AbstentionOutcome]) -> float | None:
    """Share of the answerable questions the system answered (did not abstain on)."""
    outcomes = [not item.abstained for item in items if item.answerable]
    return sum(outcomes) / len(outcomes) if outcomes else None


def leaked_ids(
    exposed: Iterable[str],
    *,
    allowed: Collection[str] | None = None,
    forbidden: Collection[str] | None = None,
) -> list[str]:
    """Document ids in `exposed` the user may not see: not in `allowed`, or in `forbidden`."""
    if (allowed is None) == (forbidden is None):
        raise ValueError("give exactly one of allowed or forbidden")
    if allowed is not None:
        return [d for d in dict.fromkeys(exposed) if d not in allowed]
    return [d for d in dict.fromkeys(exposed) if d in (forbidden or ())]


def leakage_count(
    outputs: Iterable[Iterable[str]],
    *,
    allowed: Collection[str] | None = None,
    forbidden: Collection[str] | None = None,
) -> int:
    """Number of outputs (answers, citation or people lists) exposing a document not allowed.

    Each output is the document ids it exposed: those cited, or those behind a named person.
    """
    return sum(1 for ids in outputs if leaked_ids(ids, allowed=allowed, forbidden=forbidden))
