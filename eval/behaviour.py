"""fitz-gov answer-behaviour cases through the product's `Assistant`, on each case's contexts.

    evaluate_behaviour(request, settings, embedder, entails) → the report dict of a
    `fitz-gov-cases` run (see `eval.behaviour_report`)

A case brings its own context passages instead of a corpus. `ContextRetriever` returns them
as the real `Retriever` does: `Passage`s scored by the real embedder's dense cosine to the
question, best first, cut to `retrieval.top_k`, with `top_dense_score` set; the `Assistant`
(its abstention gate included) runs unchanged on them, once per case and generator, as an
anonymous reader. Context n of a case is the passage with document id "<case id>/<n>".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.answering import Assistant
from core.config import Settings
from core.db import Database, PeopleStore
from core.embedding import Embedder
from core.errors import ConfigError
from core.experts import ExpertFinder
from core.generation import Generator, make_generator
from core.index.base import SearchMode
from core.retrieval import QueryFilters, RetrievalResult
from core.schema import Passage, Principal, SourceKind
from eval.datasets.fitz_gov import (
    CASE_TYPES,
    TIERS,
    TRUSTWORTHY_TYPES,
    BehaviourCase,
    load_fitz_gov_cases,
    package_version,
)
from eval.metrics.entailment import Entailment

if TYPE_CHECKING:
    from eval.runner import RunRequest

log = logging.getLogger(__name__)

SOURCE = "fitz-gov"
ALL_TYPES = (*CASE_TYPES, *TRUSTWORTHY_TYPES)


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


@dataclass
class CaseRecord:
    """What one generator answered on one case."""

    text: str
    abstained: bool
    citations: dict[int, str] = field(default_factory=dict)  # answer marker → passage text
    cited_contexts: list[int] = field(default_factory=list)  # the case's context numbers
    top_dense: float | None = None
    seconds: float = 0.0


def make_generators(
    names: Sequence[str], settings: Settings, embedder: Embedder
) -> tuple[dict[str, Generator], dict[str, str]]:
    """The generators that can be built here, and why the others cannot."""
    built: dict[str, Generator] = {}
    unavailable: dict[str, str] = {}
    for name in names:
        try:
            built[name] = make_generator(name, settings, embedder)
        except ConfigError as exc:
            unavailable[name] = str(exc)
    return built, unavailable


def answer_cases(
    cases: Sequence[BehaviourCase],
    generators: dict[str, Generator],
    settings: Settings,
    embedder: Embedder,
) -> dict[str, list[CaseRecord]]:
    """Every generator's answer to every case, through the Assistant on the case's contexts."""
    retriever = ContextRetriever(embedder, settings.retrieval.top_k)
    retriever.add([t for case in cases for t in case.contexts if t.strip()])
    experts = ExpertFinder(PeopleStore(Database("sqlite://")), settings.experts)
    # The Assistant is typed to the concrete Retriever; it only calls `search`, which
    # ContextRetriever provides with the same signature and result.
    assistant = Assistant(retriever, experts, generators, settings)
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


def evaluate_behaviour(
    request: RunRequest,
    settings: Settings,
    embedder: Embedder,
    entails: Entailment,
    *,
    run_id: str,
) -> dict[str, Any]:
    """Load the cases, answer them with each generator, and build the report dict."""
    from eval.behaviour_report import build_behaviour_report

    started = time.perf_counter()
    every = load_fitz_gov_cases(ALL_TYPES, TIERS)
    cases = subset_cases(every, request.limit)
    generators, unavailable = make_generators(request.generators, settings, embedder)
    if not generators:
        raise ConfigError(f"no generator can run: {unavailable}")
    answers = answer_cases(cases, generators, settings, embedder)
    timings = {"answers_s": round(time.perf_counter() - started, 2)}
    log.info("behaviour cases answered", extra={"cases": len(cases), "s": timings["answers_s"]})
    return build_behaviour_report(
        run_id=run_id,
        request=request,
        settings=settings,
        dataset={
            "name": request.dataset,
            "kind": "behaviour",
            "source": SOURCE,
            "package_version": package_version(),
            "tiers": list(TIERS),
            "case_types": list(ALL_TYPES),
            "items_total": len(every),
            "items_run": len(cases),
        },
        cases=cases,
        answers=answers,
        entails=entails,
        notes={f"generator {g}": why for g, why in unavailable.items()},
        timings=timings,
        started=started,
    )
