"""What each retriever and generator returns for every item of a run.

Retrievers: bm25 (sparse), dense, hybrid (RRF) and hybrid+rerank through the product's
`Retriever` with the configured settings, and the LlamaIndex default baseline. Each fetches
DEPTH passages per question as the question's `user` (golden) or an anonymous reader (BEIR);
the people are ranked from the first `top_k` passages, as the assistant ranks them.

The retrievers, generators and `Assistant` are built by `core.assembly`, as the service builds
them. Generators run through the `Assistant` once per question with the abstention gate
open; the configured threshold is then applied to the recorded top dense cosine exactly as
the assistant applies it (context emptied → abstention). One pass thus gives both the
answers at the configured threshold and the calibration curve.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.answering import ABSTAIN_TEXT
from core.assembly import build_retriever, build_stack
from core.config import Settings
from core.db import PeopleStore
from core.embedding import Embedder
from core.experts import ExpertFinder
from core.index.base import SearchMode
from core.rerank import NoopReranker, make_reranker
from core.retrieval import Retriever
from core.sparse import Bm25Encoder
from eval.baseline import LlamaIndexBaseline
from eval.corpora import EvalCorpus
from eval.scoring import AnswerRecord
from eval.suites import EvalItem

RETRIEVERS = ("bm25", "dense", "hybrid", "hybrid+rerank", "llamaindex")
MODES: dict[str, SearchMode] = {
    "bm25": "sparse",
    "dense": "dense",
    "hybrid": "hybrid",
    "hybrid+rerank": "hybrid",
}
DEPTH = 20  # passages fetched per question: enough for 10 distinct documents at 2 per document
BASELINE_NOTE = "LlamaIndex defaults (SentenceSplitter 1024/200, top k cosine), access filtered"
NO_RERANKER = "no reranker is configured (retrieval.reranker=none): identical to hybrid"
AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)  # "now" of the sample corpus, for people recency


@dataclass
class Observed:
    """What one retriever returned for one question."""

    documents: list[str]
    people: list[str] = field(default_factory=list)
    top_dense: float | None = None
    seconds: float = 0.0
    leaked: list[str] = field(default_factory=list)  # documents the asking user may not see


def retrieve_all(
    names: list[str],
    items: list[EvalItem],
    corpus: EvalCorpus,
    settings: Settings,
    embedder: Embedder,
    timings: dict[str, Any],
) -> tuple[dict[str, list[Observed]], dict[str, str]]:
    """Each retriever's documents (and people) for every item; notes on what was substituted."""
    people = PeopleStore(corpus.db)
    experts = ExpertFinder(people, settings.experts)
    sparse = Bm25Encoder()
    reranker = make_reranker(settings) if "hybrid+rerank" in names else NoopReranker()
    no_reranker = isinstance(reranker, NoopReranker)
    mark = time.perf_counter()
    for item in items:  # embed each query once, outside the per-retriever latencies
        embedder.embed_query(item.question)
    timings["embed_queries_s"] = round(time.perf_counter() - mark, 2)
    notes: dict[str, str] = {}
    observed: dict[str, list[Observed]] = {}
    for name in names:
        mark = time.perf_counter()
        if name == "llamaindex":
            data_dir = corpus.settings.data_dir
            baseline = LlamaIndexBaseline(corpus.documents, settings.embedding, data_dir)
            notes[name] = f"{BASELINE_NOTE}; {json.dumps(baseline.info)}"
            observed[name] = [_baseline_search(baseline, item) for item in items]
        elif name == "hybrid+rerank" and no_reranker and "hybrid" in observed:
            notes[name] = NO_RERANKER
            observed[name] = observed["hybrid"]
        else:
            chosen = reranker if name == "hybrid+rerank" else NoopReranker()
            if name == "hybrid+rerank" and no_reranker:
                notes[name] = NO_RERANKER
            retriever = build_retriever(
                settings, corpus.index, embedder, people, reranker=chosen, sparse=sparse
            )
            observed[name] = _search_all(items, corpus, retriever, experts, MODES[name], settings)
        timings[f"retrieval_{name}_s"] = round(time.perf_counter() - mark, 2)
    return observed, notes


def _baseline_search(baseline: LlamaIndexBaseline, item: EvalItem) -> Observed:
    mark = time.perf_counter()
    documents = baseline.search(item.question, item.principal, DEPTH)
    return Observed(documents, seconds=time.perf_counter() - mark)


def _search_all(
    items: list[EvalItem],
    corpus: EvalCorpus,
    retriever: Retriever,
    experts: ExpertFinder,
    mode: SearchMode,
    settings: Settings,
) -> list[Observed]:
    out: list[Observed] = []
    for item in items:
        mark = time.perf_counter()
        result = retriever.search(item.question, item.principal, limit=DEPTH, mode=mode)
        seconds = time.perf_counter() - mark
        hidden = retriever.hidden_evidence(item.question, item.principal, settings.retrieval.top_k)
        named = experts.rank(
            result.passages[: settings.retrieval.top_k],
            now=AS_OF,
            question=item.question,
            hidden=hidden,
            confident_only=True,
        )
        docs = list(dict.fromkeys(p.document_id for p in result.passages))
        evidence = docs + [d.document_id for e in named for d in e.documents]
        out.append(
            Observed(
                docs,
                [e.person.id for e in named],
                result.top_dense_score,
                seconds,
                leaked=_leaked(evidence, item, corpus),
            )
        )
    return out


def _leaked(document_ids: list[str], item: EvalItem, corpus: EvalCorpus) -> list[str]:
    """The documents among these that the item's user may not see (unknown ones too)."""
    docs = corpus.documents
    return [
        d
        for d in dict.fromkeys(document_ids)
        if d not in docs or not docs[d].visible_to(item.principal)
    ]


def answer_all(
    names: list[str],
    items: list[EvalItem],
    corpus: EvalCorpus,
    settings: Settings,
    embedder: Embedder,
) -> tuple[dict[str, list[AnswerRecord]], dict[str, str]]:
    """Each available generator's answers through the Assistant, gated afterwards."""
    open_gate = settings.retrieval.model_copy(update={"abstain_threshold": -1.0})
    ungated = settings.model_copy(update={"retrieval": open_gate})
    stack = build_stack(ungated, corpus.index, embedder, PeopleStore(corpus.db), names)
    generators, assistant = stack.generators, stack.assistant
    threshold = settings.retrieval.abstain_threshold
    out: dict[str, list[AnswerRecord]] = {name: [] for name in generators}
    for item in items:
        found = stack.retriever.search(item.question, item.principal)
        top = found.top_dense_score
        context = [p.document_id for p in found.passages[: settings.answer.max_passages]]
        for name in generators:
            answer = assistant.ask(item.question, item.principal, generator=name, now=AS_OF)
            gated = top is None or top < threshold
            record = AnswerRecord(
                text=ABSTAIN_TEXT if gated else answer.text,
                abstained=gated or answer.abstained,
                people=[e.person.id for e in answer.people],
                people_documents=[d.document_id for e in answer.people for d in e.documents],
                top_dense=top,
                ungated_abstained=answer.abstained,
                context_documents=list(dict.fromkeys(context)),
            )
            if not record.abstained:
                record.citations = {c.marker: c.text for c in answer.citations}
                record.cited_documents = [c.document_id for c in answer.citations]
            exposed = record.cited_documents + record.people_documents
            record.leaked = _leaked(exposed, item, corpus)
            out[name].append(record)
    return out, stack.unavailable


def observe_all(
    retrievers: list[str],
    generators: list[str],
    items: list[EvalItem],
    corpus: EvalCorpus,
    settings: Settings,
    embedder: Embedder,
    timings: dict[str, Any],
) -> tuple[
    dict[str, list[Observed]], dict[str, str], dict[str, list[AnswerRecord]], dict[str, str]
]:
    """Every retriever's observations, then (when generators are named) their answers, timed."""
    observed, notes = retrieve_all(retrievers, items, corpus, settings, embedder, timings)
    if not generators:
        return observed, notes, {}, {}
    mark = time.perf_counter()
    answers, unavailable = answer_all(generators, items, corpus, settings, embedder)
    timings["answers_s"] = round(time.perf_counter() - mark, 2)
    return observed, notes, answers, unavailable
