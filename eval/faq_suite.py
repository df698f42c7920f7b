"""An FAQ run (python-faq, debian-faq and their halves): every retriever, then the answers.

The set's answer documents are indexed once by `eval.corpora.open_beir_corpus` (ingest's
chunker, embedding text and payloads, as the product does to a file's text); each retriever
fetches for every question as an anonymous reader, and each generator answers through the
real `Assistant` (`eval.observe`). The report is the golden report's shape, with the set's
construction counts under `dataset` and the issue's targets for these sets added to `goals`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from core.config import Settings
from core.embedding import Embedder
from eval.charts import write_charts
from eval.corpora import open_beir_corpus
from eval.datasets.faq_sets import load_faq_set, parse_faq_dataset
from eval.kinds import Suite
from eval.markdown import render
from eval.metrics.judge import make_entailment
from eval.observe import observe_all
from eval.report import build_report
from eval.request import RunRequest
from eval.suites import DatasetSpec, faq_items, subset

log = logging.getLogger(__name__)

# Issue 12's targets on every FAQ test half: (answer metric, label, target, minimum).
TARGETS = (
    ("answer_rate", "answer rate (answerable)", "≥ 0.95", 0.95),
    ("abstention_accuracy", "abstention (withheld answers)", "≥ 0.8", 0.8),
    ("containment_gold_retrieved", "containment (gold passage retrieved)", "≥ 0.80", 0.8),
    ("citation_precision", "citation precision", "≥ 0.95", 0.95),
)  # fmt: skip


def is_faq(spec: DatasetSpec) -> bool:
    """Whether the spec names an FAQ set or half (not a BEIR folder that happens to share it)."""
    return spec.path is None and parse_faq_dataset(spec.name) is not None


def evaluate_faq(
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    embedder: Embedder,
    run_id: str,
) -> dict[str, Any]:
    """Open the set's corpus, run every retriever and generator; the report dict."""
    parsed = parse_faq_dataset(spec.name)
    if parsed is None:
        raise ValueError(f"{spec.name!r} is not an FAQ set")
    base, which = parsed
    started = time.perf_counter()
    faq = load_faq_set(base)
    entails = make_entailment(settings.eval.judge, settings) if request.generators else None
    cache_dir = settings.data_dir / "eval-cache"
    corpus = open_beir_corpus(settings, embedder, cache_dir, base, faq.corpus)
    timings: dict[str, Any] = {"corpus_s": round(time.perf_counter() - started, 2)}
    try:
        every = faq_items(faq, spec.name)
        items = subset(every, request.limit)
        observed, notes, answers, unavailable = observe_all(
            request.retrievers, request.generators, items, corpus, settings, embedder, timings
        )
    finally:
        corpus.close()
    timings["total_s"] = round(time.perf_counter() - started, 2)
    log.info("faq run done", extra={"dataset": spec.name, "items": len(items), **timings})
    report = build_report(
        run_id=run_id,
        request=request,
        spec=spec,
        settings=settings,
        corpus=corpus.info,
        dataset={
            **faq.metadata,
            "set": base,
            "half": which or "all",
            "items_total": len(every),
            "items_run": len(items),
            "answerable_run": sum(bool(i.answerable) for i in items),
        },
        items=items,
        observed=observed,
        answers=answers,
        notes={**notes, **{f"generator {g}": why for g, why in unavailable.items()}},
        problems=[],
        timings=timings,
        embed=embedder.embed_documents,
        entails=entails,
    )
    report["goals"] += faq_goals(report)
    return report


def faq_goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 12's targets for the FAQ sets, checked per generator against this run."""
    out: list[dict[str, Any]] = []
    for name, metrics in report["answers"].items():
        for metric, label, target, minimum in TARGETS:
            value = metrics[metric]["mean"]
            met = None if value is None else value >= minimum
            out.append(
                {"goal": f"{name}: {label} (FAQ)", "value": value, "target": target, "met": met}
            )
    return out


FAQ_SUITE = Suite(evaluate_faq, render, write_charts)
