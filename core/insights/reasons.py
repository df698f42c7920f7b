"""Why a question failed: one reason for each abstained or badly rated question.

The first that applies, in this order:

    conflicting_sources  the answer carries the conflicting-figures note (read from the logged
                         answer's text: the log keeps no flag — an approximation)
    stale_content        a cited document is superseded, outdated, flagged for review or its
                         verification expired (exact, from the manifest and moderation states)
    restricted           abstained, and other questions of the topic were answered from a
                         document the asker may not see (an approximation: the log does not
                         keep what the retriever filtered out)
    retrieval_miss       a near-identical question (cosine ≥ NEIGHBOUR_COSINE) was answered and
                         rated helpful from documents the asker may see (an approximation of
                         "content exists": an expert's later answer is not logged)
    no_content           none of the above: nothing relevant was found
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.api import Reason
from core.db.insights import LoggedQuestion

NEIGHBOUR_COSINE = 0.85
BLOCK = 1024  # failed questions compared at once (bounds the similarity matrix's memory)
NEGATIVE = frozenset({"not_helpful", "wrong_citation"})
APPROXIMATIONS = [
    "conflicting sources: read from the conflict note in the logged answer",
    "restricted: other askers of the topic were answered from documents this asker may not see",
    "retrieval miss: a near-identical question was answered and rated helpful",
]


@dataclass(frozen=True)
class DocumentFacts:
    """What reasons need of a document: its access groups and why it is stale (if it is)."""

    groups: list[str]
    stale: str | None


def failed(q: LoggedQuestion) -> bool:
    """Abstained, or rated not helpful / wrong citation."""
    return q.abstained or any(r in NEGATIVE for r in q.ratings)


def helpful(q: LoggedQuestion) -> bool:
    """Answered and rated helpful, with no negative rating."""
    return not failed(q) and "helpful" in q.ratings


def needs_vectors(questions: Sequence[LoggedQuestion]) -> list[str]:
    """The questions whose vectors the retrieval-miss check compares: abstained ones, and
    helpful ones (none when no question is rated helpful)."""
    good = [q.id for q in questions if helpful(q)]
    return [q.id for q in questions if q.abstained] + good if good else []


def topic_reasons(
    questions: Sequence[LoggedQuestion],
    facts: Mapping[str, DocumentFacts],
    vectors: Mapping[str, np.ndarray],
    sees: Callable[[LoggedQuestion, list[str]], bool],
) -> dict[str, Reason]:
    """The reason of each failed question of one topic, by question id.

    `vectors` holds the cached vectors of (at least) `needs_vectors(questions)`;
    `sees(q, groups)` whether the asker of q may see a document with these groups.
    """
    failures = [q for q in questions if failed(q)]
    if not failures:
        return {}
    answered_docs = {
        d for q in questions if not q.abstained for d in q.cited_document_ids if d in facts
    }
    reasons: dict[str, Reason] = {}
    unexplained = []  # left for the retrieval-miss check
    for q in failures:
        reason = _plain_reason(q, facts, answered_docs, sees)
        if reason is None:
            unexplained.append(q)
        else:
            reasons[q.id] = reason
    # Compared by distinct wording (a log repeats few wordings): the helpful ones, each with
    # the distinct document sets they were answered from.
    good: dict[str, set[tuple[str, ...]]] = {}
    for q in questions:
        if q.id in vectors and q.cited_document_ids and helpful(q):
            good.setdefault(q.question, set()).add(tuple(q.cited_document_ids))
    first_of = {q.question: q.id for q in questions if q.question in good and q.id in vectors}
    asked: dict[str, str] = {}  # wording → a question id holding its vector
    for q in unexplained:
        if q.id in vectors:
            asked.setdefault(q.question, q.id)
    near: dict[str, list[tuple[str, ...]]] = {}
    if good and asked:
        texts = list(good)
        good_matrix = np.stack([vectors[first_of[t]] for t in texts]).T
        wordings = list(asked)
        for start in range(0, len(wordings), BLOCK):
            block = wordings[start : start + BLOCK]
            close = np.stack([vectors[asked[w]] for w in block]) @ good_matrix >= NEIGHBOUR_COSINE
            for wording, row in zip(block, close, strict=True):
                near[wording] = [docs for j in np.flatnonzero(row) for docs in good[texts[j]]]
    missed = {
        q.id
        for q in unexplained
        if any(
            all(sees(q, facts[d].groups) for d in docs if d in facts)
            for docs in near.get(q.question, ())
        )
    }
    for q in unexplained:
        reasons[q.id] = "retrieval_miss" if q.id in missed else "no_content"
    return reasons


def _plain_reason(
    q: LoggedQuestion,
    facts: Mapping[str, DocumentFacts],
    answered_docs: set[str],
    sees: Callable[[LoggedQuestion, list[str]], bool],
) -> Reason | None:
    """The reasons that need no vectors, in order; None: retrieval miss or no content."""
    if q.conflict:
        return "conflicting_sources"
    if any(facts[d].stale for d in q.cited_document_ids if d in facts):
        return "stale_content"
    if q.abstained and any(not sees(q, facts[d].groups) for d in answered_docs):
        return "restricted"
    return None
