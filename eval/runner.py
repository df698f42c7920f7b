"""An eval run: every retriever and generator side by side on one index, one report.

    run_eval(RunRequest, settings) → eval/runs/<timestamp>-<dataset>/ with status.json,
    report.json, report.md and PNG charts (see `eval.report` for the report's contract)

status.json holds {id, dataset, created, status: running|succeeded|failed, error}; the
service lists runs from it. What the retrievers and generators do is in `eval.observe`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config import Settings
from core.db import PeopleStore
from core.embedding import Embedder, SentenceTransformerEmbedder
from core.errors import ConfigError
from eval.cached import CachedEmbedder
from eval.corpora import open_beir_corpus, open_sample_corpus
from eval.datasets.golden import load_golden
from eval.metrics.judge import make_entailment
from eval.observe import AS_OF, RETRIEVERS, answer_all, retrieve_all
from eval.report import build_report, write_report
from eval.scoring import AnswerRecord
from eval.suites import (
    EvalItem,
    Resolver,
    beir_items,
    dataset_spec,
    file_version,
    golden_items,
    load_beir_set,
)

log = logging.getLogger(__name__)


@dataclass
class RunRequest:
    """What to run: a dataset, retrievers, generators and an optional item limit."""

    dataset: str
    retrievers: list[str] = field(default_factory=lambda: list(RETRIEVERS))
    generators: list[str] = field(default_factory=lambda: ["extractive"])
    limit: int | None = None

    def check(self) -> None:
        """Raise ConfigError for unknown retrievers or a bad limit."""
        unknown = [r for r in self.retrievers if r not in RETRIEVERS]
        if unknown or not self.retrievers:
            raise ConfigError(f"unknown retrievers {unknown}; choose from {', '.join(RETRIEVERS)}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError("limit must be at least 1")


def new_run_dir(runs_dir: Path, dataset: str) -> Path:
    """A fresh run folder <runs_dir>/<UTC timestamp>-<dataset slug>, its status "running"."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(dataset).name).strip("-") or "dataset"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = runs_dir / f"{stamp}-{slug}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = runs_dir / f"{stamp}-{slug}-{suffix}"
    path.mkdir(parents=True)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    write_status(path, id=path.name, dataset=dataset, created=created, status="running", error=None)
    return path


def write_status(run_dir: Path, **fields: Any) -> None:
    """Merge fields into the run's status.json (written whole, then renamed)."""
    path = run_dir / "status.json"
    status = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    status.update(fields)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2), encoding="utf-8")
    tmp.replace(path)


def run_eval(
    request: RunRequest,
    settings: Settings,
    *,
    runs_dir: Path,
    embedder: Embedder | None = None,
    run_dir: Path | None = None,
) -> Path:
    """Run the request, write the report into a run folder, and return the folder."""
    request.check()
    run_dir = run_dir or new_run_dir(runs_dir, request.dataset)
    try:
        report = evaluate(request, settings, embedder, run_id=run_dir.name)
        write_report(run_dir, report)
    except Exception as exc:
        write_status(run_dir, status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    write_status(run_dir, status="succeeded")
    log.info("eval run written", extra={"run": str(run_dir)})
    return run_dir


def evaluate(
    request: RunRequest, settings: Settings, embedder: Embedder | None, *, run_id: str
) -> dict[str, Any]:
    """Open the corpus, run every retriever and generator, and build the report dict."""
    started = time.perf_counter()
    spec = dataset_spec(request.dataset)
    shared = CachedEmbedder(embedder or SentenceTransformerEmbedder(settings.embedding))
    # An LLM judge is slow to load: only built when there are answers to judge.
    judged = spec.kind != "beir" and bool(request.generators)
    entails = make_entailment(settings.eval.judge, settings) if judged else None
    if spec.kind == "behaviour" and entails is not None:
        from eval.behaviour import evaluate_behaviour

        return evaluate_behaviour(request, settings, shared, entails, run_id=run_id)
    cache_dir = settings.data_dir / "eval-cache"
    problems: list[str] = []
    if spec.kind == "golden" and spec.path is not None:
        corpus = open_sample_corpus(settings, shared, cache_dir, spec.sources_file)
        version: dict[str, Any] = {"golden": file_version(spec.path), "as_of": AS_OF.isoformat()}
    else:
        data = load_beir_set(spec.name, spec.path)
        corpus = open_beir_corpus(settings, shared, cache_dir, spec.name, data.corpus)
        keep = ("source", "package_version", "corpus_version", "mappings_version", "split")
        version = {k: v for k, v in data.metadata.items() if k in keep}
    timings: dict[str, Any] = {"corpus_s": round(time.perf_counter() - started, 2)}
    answers: dict[str, list[AnswerRecord]] = {}
    unavailable: dict[str, str] = {}
    try:
        if spec.kind == "golden" and spec.path is not None:
            resolver = Resolver(corpus.documents, PeopleStore(corpus.db))
            items = golden_items(load_golden(spec.path), resolver)
            problems = resolver.problems
        else:
            items = beir_items(data)
        total = len(items)
        items = subset(items, request.limit)
        observed, notes = retrieve_all(request.retrievers, items, corpus, settings, shared, timings)
        if spec.kind == "golden" and request.generators:
            mark = time.perf_counter()
            answers, unavailable = answer_all(request.generators, items, corpus, settings, shared)
            timings["answers_s"] = round(time.perf_counter() - mark, 2)
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
        embed=shared.embed_documents,
        entails=entails,
    )


def subset(items: list[EvalItem], limit: int | None) -> list[EvalItem]:
    """At most `limit` items, evenly spread over the file (so every category is sampled)."""
    if limit is None or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]
