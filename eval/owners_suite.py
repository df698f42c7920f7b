"""A who-to-ask run (kernel-owners and its halves): the people named, and two naive baselines.

The set's content folder (documents, owners file, people directory) is ingested with the real
pipeline by `eval.corpora.open_sample_corpus`; each retriever fetches for every question as an
anonymous reader and the people are ranked from its first `retrieval.top_k` passages by the
`ExpertFinder` the service uses (`eval.observe`). Beside them, over the hybrid retriever's
same passages:

    owners of the top document   that document's owners, in the owners file's order
    most retrieved documents     people by how many of the distinct documents they own
                                 (ties: the better-ranked document first)

No answers are generated: the set scores who-to-ask only. The report is the golden report's
shape, with the set's construction counts under `dataset` and issue 12's target added to
`goals`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from core.assembly import build_retriever
from core.config import Settings
from core.db import PeopleStore
from core.embedding import Embedder
from core.rerank import NoopReranker
from core.schema import Passage
from core.sparse import Bm25Encoder
from eval.charts import write_charts
from eval.corpora import EvalCorpus, open_sample_corpus
from eval.datasets.kernel_owners import (
    OwnersSet,
    corpus_name,
    load_kernel_owners,
    parse_owners_dataset,
)
from eval.datasets.splits import Half
from eval.kinds import Suite
from eval.markdown import render
from eval.observe import DEPTH, retrieve_all
from eval.report import build_report
from eval.request import RunRequest
from eval.scoring import PEOPLE_METRICS, people_scores, summarize
from eval.suites import DatasetSpec, EvalItem, Resolver, subset

log = logging.getLogger(__name__)

TOP_DOCUMENT = "baseline: owners of the top document"
MOST_DOCUMENTS = "baseline: most retrieved documents"
TARGET = 0.9  # issue 12: who-to-ask P@1 on the test half


def is_owners(spec: DatasetSpec) -> bool:
    """Whether the spec names the who-to-ask set or one of its halves."""
    return spec.path is None and parse_owners_dataset(spec.name) is not None


def owners_items(owners_set: OwnersSet, which: Half | None, resolver: Resolver) -> list[EvalItem]:
    """The questions of one half with the corpus's document and person ids."""
    out: list[EvalItem] = []
    for item in owners_set.in_half(which):
        name = corpus_name(item.id)
        docs = resolver.resolve([name], resolver.documents, "document", item.id)
        people = resolver.resolve(item.owners, resolver.people, "person", item.id)
        out.append(
            EvalItem(
                id=item.id,
                question=item.question,
                qrels=dict.fromkeys(docs, 1),
                expected_people=tuple(people),
                tags=item.tags,
            )
        )
    return out


def naive_rankings(passages: list[Passage]) -> dict[str, list[str]]:
    """The two baselines' people for one question's passages (module docstring)."""
    documents = list({p.document_id: p for p in passages}.values())
    top = list(dict.fromkeys(documents[0].owner_ids)) if documents else []
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for rank, passage in enumerate(documents):
        for pid in dict.fromkeys(passage.owner_ids):
            counts[pid] += 1
            first.setdefault(pid, rank)
    most = sorted(counts, key=lambda pid: (-counts[pid], first[pid]))
    return {TOP_DOCUMENT: top, MOST_DOCUMENTS: most}


def baselines(
    items: list[EvalItem], corpus: EvalCorpus, settings: Settings, embedder: Embedder
) -> dict[str, dict[str, Any]]:
    """P@1, recall@3 and MRR of both baselines over the hybrid retriever's top_k passages."""
    people = PeopleStore(corpus.db)
    retriever = build_retriever(
        settings, corpus.index, embedder, people, reranker=NoopReranker(), sparse=Bm25Encoder()
    )
    scores: dict[str, list[dict[str, float | None]]] = {TOP_DOCUMENT: [], MOST_DOCUMENTS: []}
    for item in items:
        found = retriever.search(item.question, item.principal, limit=DEPTH, mode="hybrid")
        ranked = naive_rankings(found.passages[: settings.retrieval.top_k])
        for name, ids in ranked.items():
            scores[name].append(people_scores(ids, item.expected_people))
    return {name: summarize(s, PEOPLE_METRICS) for name, s in scores.items()}


def evaluate_owners(
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    embedder: Embedder,
    run_id: str,
) -> dict[str, Any]:
    """Ingest the set's content, rank the people for every question; the report dict."""
    parsed = parse_owners_dataset(spec.name)
    if parsed is None:
        raise ValueError(f"{spec.name!r} is not a who-to-ask set")
    return owners_report(load_kernel_owners(), parsed[1], request, spec, settings, embedder, run_id)


def owners_report(
    owners_set: OwnersSet,
    which: Half | None,
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    embedder: Embedder,
    run_id: str,
) -> dict[str, Any]:
    """The report of one half (or all) of a built set (module docstring)."""
    started = time.perf_counter()
    cache_dir = settings.data_dir / "eval-cache"
    corpus = open_sample_corpus(settings, embedder, cache_dir, owners_set.sources_file)
    timings: dict[str, Any] = {"corpus_s": round(time.perf_counter() - started, 2)}
    try:
        resolver = Resolver(corpus.documents, PeopleStore(corpus.db))
        every = owners_items(owners_set, which, resolver)
        items = subset(every, request.limit)
        observed, notes = retrieve_all(
            request.retrievers, items, corpus, settings, embedder, timings
        )
        mark = time.perf_counter()
        naive = baselines(items, corpus, settings, embedder)
        timings["baselines_s"] = round(time.perf_counter() - mark, 2)
    finally:
        corpus.close()
    timings["total_s"] = round(time.perf_counter() - started, 2)
    log.info("who-to-ask run done", extra={"dataset": spec.name, "items": len(items), **timings})
    if request.generators:
        notes["generators"] = "not run: this set scores who-to-ask only"
    report = build_report(
        run_id=run_id,
        request=request,
        spec=spec,
        settings=settings,
        corpus=corpus.info,
        dataset={
            **owners_set.metadata,
            "set": owners_set.name,
            "half": which or "all",
            "items_total": len(every),
            "items_run": len(items),
        },
        items=items,
        observed=observed,
        answers={},
        notes=notes,
        problems=resolver.problems,
        timings=timings,
        embed=embedder.embed_documents,
    )
    report["people"].update(naive)
    report["goals"] += owners_goals(report)
    return report


def owners_goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 12's who-to-ask target, per retriever that named people."""
    out: list[dict[str, Any]] = []
    for name, metrics in report["people"].items():
        if name.startswith("baseline"):
            continue
        value = metrics["p@1"]["mean"]
        met = None if value is None else value >= TARGET
        goal = f"{name}: who-to-ask P@1 (owners)"
        out.append({"goal": goal, "value": value, "target": f"≥ {TARGET}", "met": met})
    return out


OWNERS_SUITE = Suite(evaluate_owners, render, write_charts)
