"""fitz-gov answer-behaviour cases through the product's `Assistant`, on each case's contexts.

    answer_cases(cases, generators, settings, embedder) → {generator: [CaseRecord]}

A case brings its own context passages instead of a corpus. `ContextRetriever` returns them
as the real `Retriever` does: `Passage`s scored by the real embedder's dense cosine to the
question, best first, cut to `retrieval.top_k`, with `top_dense_score` set; the `Assistant`
(its abstention gate included) runs unchanged on them, once per case and generator, as an
anonymous reader. Context n of a case is the passage with document id "<case id>/<n>".
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from core.assembly import build_assistant
from core.config import Settings
from core.db import Database, PeopleStore
from core.embedding import Embedder
from core.generation import Generator
from core.index.base import SearchMode
from core.retrieval import QueryFilters, RetrievalResult
from core.schema import Passage, Principal, SourceKind
from eval.behaviour_scoring import CaseRecord
from eval.datasets.fitz_gov import BehaviourCase

SOURCE = "fitz-gov"


class ContextRetriever:
    """Stands in for `Retriever`: one case's fixed contexts, ranked by dense cosine."""

    def __init__(self, embedder: Embedder, top_k: int) -> None:
        self.embedder = embedder
        self.top_k = top_k
        self._vectors: dict[str, np.ndarray] = {}
        self._case: BehaviourCase | None = None

    def add(self, texts: Sequence[str]) -> None:
        """Embed context texts not seen yet, in one batch (as an index holds its passages)."""
        new = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if new:
            self._vectors.update(zip(new, self.embedder.embed_documents(new), strict=True))

    def use(self, case: BehaviourCase) -> None:
        """Search this case's contexts from now on."""
        self.add(case.contexts)
        self._case = case

    def search(
        self,
        query: str,
        principal: Principal,
        filters: QueryFilters | None = None,
        limit: int | None = None,
        mode: SearchMode | None = None,
    ) -> RetrievalResult:
        """The case's contexts as Passages, best cosine first; the question must be the case's."""
        case = self._case
        if case is None or query != case.question:
            raise ValueError(f"no case loaded for the question {query!r}")
        started = time.perf_counter()
        q = self.embedder.embed_query(query)
        passages = [
            context_passage(case, n, float(np.dot(self._vectors[text], q)))
            for n, text in enumerate(case.contexts, start=1)
            if text.strip()
        ]
        passages.sort(key=lambda p: p.score, reverse=True)
        top = passages[0].score if passages else None
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return RetrievalResult(
            passages=passages[: limit or self.top_k],
            top_dense_score=top,
            timings_ms={"total": elapsed},
        )


def context_passage(case: BehaviourCase, n: int, score: float) -> Passage:
    """Context n (1-based) of a case as a retrieved passage."""
    text = case.contexts[n - 1]
    return Passage(
        chunk_id=f"{case.id}/{n}",
        document_id=f"{case.id}/{n}",
        title=f"{case.id} context {n}",
        kind=SourceKind.DOC,
        source=SOURCE,
        text=text,
        start=0,
        end=len(text),
        score=score,
    )


def context_number(document_id: str) -> int:
    """The context number n of a passage's document id "<case id>/<n>"."""
    return int(document_id.rsplit("/", 1)[1])


def answer_cases(
    cases: Sequence[BehaviourCase],
    generators: dict[str, Generator],
    settings: Settings,
    embedder: Embedder,
) -> dict[str, list[CaseRecord]]:
    """Every generator's answer to every case, through the Assistant on the case's contexts."""
    retriever = ContextRetriever(embedder, settings.retrieval.top_k)
    retriever.add([t for case in cases for t in case.contexts if t.strip()])
    # No people directory: a case's contexts have no authors to rank.
    assistant = build_assistant(settings, retriever, PeopleStore(Database("sqlite://")), generators)
    out: dict[str, list[CaseRecord]] = {name: [] for name in generators}
    for case in cases:
        retriever.use(case)
        top = retriever.search(case.question, Principal()).top_dense_score
        for name in generators:
            mark = time.perf_counter()
            answer = assistant.ask(case.question, Principal(), generator=name)
            record = CaseRecord(
                text=answer.text,
                abstained=answer.abstained,
                top_dense=top,
                seconds=time.perf_counter() - mark,
            )
            if not answer.abstained:
                record.citations = {c.marker: c.text for c in answer.citations}
                record.cited_contexts = [context_number(c.document_id) for c in answer.citations]
            out[name].append(record)
    return out


def subset_cases(cases: list[BehaviourCase], limit: int | None) -> list[BehaviourCase]:
    """At most `limit` cases, evenly spread over the list (every type and tier sampled)."""
    if limit is None or limit >= len(cases):
        return cases
    step = len(cases) / limit
    return [cases[int(i * step)] for i in range(limit)]
