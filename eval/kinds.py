"""The kinds of dataset a run can name, each with how it is evaluated and written.

    SUITES[kind] = Suite(evaluate, render, charts)
    golden     the sample corpus: every retriever, people, and each generator's answers
    beir       a BEIR corpus (fitz-gov or a folder): the retrievers only; the FAQ sets
               (eval/faq_suite.py: answers too) and kernel-owners (eval/owners_suite.py:
               people to contact) are beir-kind sets that eval/runner.py routes to their suites
    behaviour  fitz-gov's answer-behaviour cases, each on its own contexts (`eval.behaviour`)

`evaluate` returns the report dict (`core.evalreport.EvalReport`'s shape); `render` makes
report.md of it and `charts` writes its PNGs into the run folder.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.assembly import build_generators
from core.config import Settings
from core.db import PeopleStore
from core.embedding import Embedder
from core.errors import ConfigError
from core.evalreport import DatasetKind
from eval.behaviour import SOURCE, answer_cases
from eval.behaviour_report import build_behaviour_report, render_behaviour, write_behaviour_chart
from eval.charts import write_charts
from eval.corpora import open_beir_corpus, open_sample_corpus
from eval.datasets.fitz_gov import ALL_TYPES, TIERS, load_fitz_gov_cases, package_version
from eval.datasets.golden import load_golden
from eval.markdown import render
from eval.metrics.judge import make_entailment
from eval.observe import AS_OF, observe_all
from eval.report import build_report
from eval.request import RunRequest
from eval.suites import (
    DatasetSpec,
    Resolver,
    beir_items,
    file_version,
    golden_items,
    load_beir_set,
    subset,
)

log = logging.getLogger(__name__)

Report = dict[str, Any]


@dataclass(frozen=True)
class Suite:
    """How one kind of dataset is evaluated and written."""

    evaluate: Callable[[RunRequest, DatasetSpec, Settings, Embedder, str], Report]
    render: Callable[[Report], str]
    charts: Callable[[Path, Report], list[str]]


def evaluate_corpus(
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    embedder: Embedder,
    run_id: str,
) -> Report:
    """Open the corpus, run every retriever (and, on golden sets, generator); the report."""
    started = time.perf_counter()
    # An LLM judge is slow to load: only built when there are answers to judge.
    judged = spec.kind == "golden" and bool(request.generators)
    entails = make_entailment(settings.eval.judge, settings) if judged else None
    cache_dir = settings.data_dir / "eval-cache"
    problems: list[str] = []
    if spec.kind == "golden" and spec.path is not None:
        corpus = open_sample_corpus(settings, embedder, cache_dir, spec.sources_file)
        version: dict[str, Any] = {"golden": file_version(spec.path), "as_of": AS_OF.isoformat()}
    else:
        data = load_beir_set(spec.name, spec.path)
        corpus = open_beir_corpus(settings, embedder, cache_dir, spec.name, data.corpus)
        keep = ("source", "package_version", "corpus_version", "mappings_version", "split")
        version = {k: v for k, v in data.metadata.items() if k in keep}
    timings: dict[str, Any] = {"corpus_s": round(time.perf_counter() - started, 2)}
    try:
        if spec.kind == "golden" and spec.path is not None:
            resolver = Resolver(corpus.documents, PeopleStore(corpus.db))
            items = golden_items(load_golden(spec.path), resolver)
            problems = resolver.problems
        else:
            items = beir_items(data)
        total = len(items)
        items = subset(items, request.limit)
        generators = request.generators if judged else []
        observed, notes, answers, unavailable = observe_all(
            request.retrievers, generators, items, corpus, settings, embedder, timings
        )
    finally:
        corpus.close()
    timings["total_s"] = round(time.perf_counter() - started, 2)
    return build_report(
        run_id=run_id,
        request=request,
        spec=spec,
        settings=settings,
        corpus=corpus.info,
        dataset={**version, "items_total": total, "items_run": len(items)},
        items=items,
        observed=observed,
        answers=answers,
        notes={**notes, **{f"generator {g}": why for g, why in unavailable.items()}},
        problems=problems,
        timings=timings,
        embed=embedder.embed_documents,
        entails=entails,
    )


def evaluate_behaviour(
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    embedder: Embedder,
    run_id: str,
) -> Report:
    """Load the cases, answer them with each generator, and build the report dict."""
    started = time.perf_counter()
    every = load_fitz_gov_cases(ALL_TYPES, TIERS)
    cases = subset(every, request.limit)
    generators, unavailable = build_generators(settings, embedder, request.generators)
    if not generators:
        raise ConfigError(f"no generator can run: {unavailable}")
    entails = make_entailment(settings.eval.judge, settings)
    answers = answer_cases(cases, generators, settings, embedder)
    timings = {"answers_s": round(time.perf_counter() - started, 2)}
    log.info("behaviour cases answered", extra={"cases": len(cases), "s": timings["answers_s"]})
    return build_behaviour_report(
        run_id=run_id,
        request=request,
        settings=settings,
        dataset={
            "name": spec.name,
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


_CORPUS = Suite(evaluate_corpus, render, write_charts)
SUITES: dict[DatasetKind, Suite] = {
    "golden": _CORPUS,
    "beir": _CORPUS,
    "behaviour": Suite(evaluate_behaviour, render_behaviour, write_behaviour_chart),
}
