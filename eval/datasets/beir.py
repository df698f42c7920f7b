"""BEIR-layout retrieval datasets, checked line by line.

    <root>/corpus.jsonl       {"_id", "title", "text", "metadata"?}   one document a line
    <root>/queries.jsonl      {"_id", "text", "metadata"?}            one query a line
    <root>/qrels/<split>.tsv  header "query-id<TAB>corpus-id<TAB>score", then integer grades

Ids may be written as strings or integers and are kept as strings. As in BEIR's own loader,
the dataset holds only the queries judged in the split (queries.jsonl serves every split);
the metadata of those that have it is kept under metadata["query_metadata"]. A grade >= 1
means relevant; 0 or negative grades are kept as judged-not-relevant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import DatasetError
from eval.datasets.jsonl import dict_field, id_field, read_jsonl, read_lines, text_field

QRELS_HEADER = ("query-id", "corpus-id", "score")


@dataclass(frozen=True)
class CorpusDoc:
    """One document of a retrieval corpus."""

    id: str
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class RetrievalDataset:
    """A corpus, queries and graded judgments (query id → doc id → grade)."""

    name: str
    corpus: dict[str, CorpusDoc]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    metadata: dict[str, Any] = field(default_factory=dict)


def load_beir(root: Path | str, split: str = "test", name: str | None = None) -> RetrievalDataset:
    """Load and validate a BEIR-layout folder; the name defaults to the folder's."""
    root = Path(root)
    corpus = _load_corpus(root / "corpus.jsonl")
    queries, query_metadata = _load_queries(root / "queries.jsonl")
    qrels = _load_qrels(root / "qrels" / f"{split}.tsv", queries, corpus)
    return RetrievalDataset(
        name=name or root.resolve().name,
        corpus=corpus,
        queries={query_id: queries[query_id] for query_id in qrels},
        qrels=qrels,
        metadata={
            "format": "beir",
            "split": split,
            "query_metadata": {q: query_metadata[q] for q in qrels if q in query_metadata},
        },
    )


def _load_corpus(path: Path) -> dict[str, CorpusDoc]:
    corpus: dict[str, CorpusDoc] = {}
    for line, obj in read_jsonl(path):
        doc_id = id_field(obj, "_id", path, line)
        if doc_id in corpus:
            raise DatasetError(path, f"duplicate document id {doc_id!r}", line)
        corpus[doc_id] = CorpusDoc(
            id=doc_id,
            title=text_field(obj, "title", path, line),
            text=text_field(obj, "text", path, line),
            metadata=dict_field(obj, "metadata", path, line),
        )
    if not corpus:
        raise DatasetError(path, "no documents")
    return corpus


def _load_queries(path: Path) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    queries: dict[str, str] = {}
    metadata: dict[str, dict[str, Any]] = {}
    for line, obj in read_jsonl(path):
        query_id = id_field(obj, "_id", path, line)
        if query_id in queries:
            raise DatasetError(path, f"duplicate query id {query_id!r}", line)
        text = text_field(obj, "text", path, line)
        if not text.strip():
            raise DatasetError(path, f"query {query_id!r} has empty text", line)
        queries[query_id] = text
        if extra := dict_field(obj, "metadata", path, line):
            metadata[query_id] = extra
    if not queries:
        raise DatasetError(path, "no queries")
    return queries, metadata


def _load_qrels(
    path: Path, queries: dict[str, str], corpus: dict[str, CorpusDoc]
) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    header_seen = False
    for line, text in read_lines(path):
        if not text.strip():
            continue
        fields = text.split("\t")
        if not header_seen:
            if tuple(f.strip() for f in fields) != QRELS_HEADER:
                expected = "\\t".join(QRELS_HEADER)
                raise DatasetError(path, f"expected the header {expected!r}, got {text!r}", line)
            header_seen = True
            continue
        if len(fields) != 3:
            raise DatasetError(path, f"expected 3 tab-separated fields, got {len(fields)}", line)
        query_id, doc_id, score = (f.strip() for f in fields)
        try:
            grade = int(score)
        except ValueError:
            raise DatasetError(path, f"score must be an integer, got {score!r}", line) from None
        if query_id not in queries:
            raise DatasetError(path, f"unknown query id {query_id!r}", line)
        if doc_id not in corpus:
            raise DatasetError(path, f"unknown document id {doc_id!r}", line)
        judged = qrels.setdefault(query_id, {})
        if doc_id in judged:
            raise DatasetError(path, f"{query_id!r} judges {doc_id!r} twice", line)
        judged[doc_id] = grade
    if not qrels:
        raise DatasetError(path, "no judgments")
    return qrels
