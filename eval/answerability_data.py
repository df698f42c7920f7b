"""Retrieval results for fitting the answerability model, collected once and stored as JSONL.

    python -m eval.answerability_data OUT.jsonl [--golden FILE ...] [--cases] [--faq NAME ...]
                                      [--limit N]

One line per question: {"set", "id", "question", "answerable", "half", "tags", "relevant",
"result"} where `result` is the `RetrievalResult` the assistant's gate sees — the product's
`Retriever` over the sample content (asked as the item's user) for golden files, over the
set's answer corpus (asked by an anonymous reader) for FAQ sets (python-faq, debian-faq;
`eval.datasets.faq`), `eval.behaviour.ContextRetriever` over each case's fixed contexts for
fitz-gov's behaviour cases. `half` comes from `eval.datasets.splits` (holdout files are test
only).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.config import Settings, get_settings
from core.db import PeopleStore
from core.embedding import run_embedder
from core.rerank import make_reranker
from core.retrieval import Retriever
from core.schema import Principal
from core.sources import bundled_sources_file
from core.sparse import Bm25Encoder
from eval.behaviour import ContextRetriever
from eval.corpora import open_beir_corpus, open_sample_corpus
from eval.datasets.faq_sets import FAQ_SETS, load_faq_set
from eval.datasets.fitz_gov import CASE_TYPES, TRUSTWORTHY_TYPES, load_fitz_gov_cases
from eval.datasets.golden import load_golden
from eval.datasets.splits import half
from eval.suites import Resolver, golden_items, subset

log = logging.getLogger(__name__)

CASES = "fitz-gov-cases"
HOLDOUT = "holdout"  # a golden file whose name starts so is test-only


def golden_records(settings: Settings, embedder: Any, files: list[Path]) -> Iterator[dict]:
    """Every golden item's retrieval result over the sample content."""
    cache = settings.data_dir / "eval-cache"
    corpus = open_sample_corpus(settings, embedder, cache, bundled_sources_file())
    try:
        people = PeopleStore(corpus.db)
        retriever = Retriever(
            corpus.index, embedder, Bm25Encoder(), make_reranker(settings), settings.retrieval,
            people,
        )  # fmt: skip
        resolver = Resolver(corpus.documents, people)
        for path in files:
            test_only = path.name.startswith(HOLDOUT)
            for item in golden_items(load_golden(path), resolver):
                result = retriever.search(item.question, item.principal)
                yield {
                    "set": "golden",
                    "id": item.id,
                    "question": item.question,
                    "answerable": bool(item.answerable),
                    "half": "test" if test_only else half(item.id),
                    "tags": list(item.tags),
                    "relevant": list(item.qrels),
                    "result": result.model_dump(mode="json"),
                }
        for problem in resolver.problems:
            log.warning("golden problem", extra={"problem": problem})
    finally:
        corpus.close()


def faq_records(settings: Settings, embedder: Any, name: str, limit: int | None) -> Iterator[dict]:
    """Every FAQ item's retrieval result over the set's answer corpus."""
    faq = load_faq_set(name)
    cache = settings.data_dir / "eval-cache"
    corpus = open_beir_corpus(settings, embedder, cache, name, faq.corpus)
    try:
        retriever = Retriever(
            corpus.index, embedder, Bm25Encoder(), make_reranker(settings), settings.retrieval,
            PeopleStore(corpus.db),
        )  # fmt: skip
        for item in subset(faq.items, limit):
            result = retriever.search(item.question, Principal())
            yield {
                "set": name,
                "id": item.id,
                "question": item.question,
                "answerable": item.answerable,
                "half": item.half,
                "tags": list(item.tags),
                "relevant": list(item.relevant),
                "result": result.model_dump(mode="json"),
            }
    finally:
        corpus.close()


def case_records(settings: Settings, embedder: Any, limit: int | None) -> Iterator[dict]:
    """Every fitz-gov behaviour case's contexts as the assistant's retrieval result."""
    cases = subset(load_fitz_gov_cases((*CASE_TYPES, *TRUSTWORTHY_TYPES)), limit)
    retriever = ContextRetriever(embedder, settings.retrieval.top_k)
    retriever.add([t for c in cases for t in c.contexts])
    for case in cases:
        retriever.use(case)
        result = retriever.search(case.question, None)  # type: ignore[arg-type]
        yield {
            "set": CASES,
            "id": case.id,
            "question": case.question,
            "answerable": case.expected != "abstain",
            "half": half(case.id, CASES),
            "tags": [case.case_type, case.tier, case.difficulty],
            "relevant": [],
            "result": result.model_dump(mode="json"),
        }


def main(argv: list[str] | None = None) -> int:
    """Collect retrieval results into a JSONL file."""
    parser = argparse.ArgumentParser(prog="python -m eval.answerability_data")
    parser.add_argument("out", type=Path)
    parser.add_argument("--golden", type=Path, action="append", default=[])
    parser.add_argument("--cases", action="store_true", help="fitz-gov behaviour cases too")
    parser.add_argument(
        "--faq", action="append", default=[], choices=list(FAQ_SETS), help="an FAQ set's items"
    )
    parser.add_argument("--limit", type=int, default=None, help="cases/FAQ items, spread evenly")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    embedder = run_embedder(settings.embedding)
    with args.out.open("a", encoding="utf-8") as out:
        if args.golden:
            for record in golden_records(settings, embedder, args.golden):
                out.write(json.dumps(record) + "\n")
        if args.cases:
            for record in case_records(settings, embedder, args.limit):
                out.write(json.dumps(record) + "\n")
        for name in args.faq:
            for record in faq_records(settings, embedder, name, args.limit):
                out.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
