"""The fitz-gov benchmark (PyPI `fitz-gov`, MIT) read from its installed data files.

The wheel (4.1.0 studied) ships data under `fitz_gov/data/`, found here through
`importlib.metadata.files("fitz-gov")` without importing the package:

    corpus/documents.jsonl        5,043 lines {"id", "content", "domain", and "title" + "tags"
                                  or "metadata": {"source_case", "category"}}; 19 ids occur
                                  twice with different texts; 28 contents are empty
    corpus/manifest.json          {"version", "document_count", "domains", "purpose", ...}
    queries/query_mappings.json   {"version", "mappings": {category: {query id: {"query",
                                  "relevant_docs": [...], "decoy_docs"?, "notes", ...}}}};
                                  3,800 queries over six categories
    tier0_sanity/<category>.json  {"tier", "category", "version", ..., "cases": [{"id",
    tier1_core/<category>.json     "query", "contexts": [str], "expected_mode", "difficulty",
                                  "subcategory", "forbidden_claims"? (grounding), ...}]}
    validation/human_validation_sample.json  250 cases sampled for annotator agreement

Categories: abstention, dispute, grounding, relevance, trustworthy_direct, trustworthy_hedged;
expected_mode is "abstain", "disputed" or "trustworthy". Two readings are built here:

- `load_fitz_gov_retrieval`: the corpus and query mappings as a BEIR-style dataset, relevant
  docs graded 1 and decoys 0. Abstention queries are left out: their "relevant" docs are the
  off-topic contexts that make them unanswerable. A duplicated id keeps its first text; later
  texts become "<id>#2", ... and judgments naming such an id are dropped, since they cannot
  say which text they meant; queries left without a relevant doc are left out.
- `load_fitz_gov_cases`: abstention, dispute and grounding cases as `BehaviourCase`s, each
  with its contexts and the behaviour expected: abstain, flag the dispute, answer grounded.
  The trustworthy_direct and trustworthy_hedged cases (the contexts answer the question) load
  the same way when asked for (`TRUSTWORTHY_TYPES`); they expect a grounded answer too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from core.errors import DatasetError
from eval.datasets.beir import CorpusDoc, RetrievalDataset
from eval.datasets.jsonl import dict_field, id_field, read_jsonl, text_field

DISTRIBUTION = "fitz-gov"
TIERS = ("tier0_sanity", "tier1_core")
CaseType = Literal["abstention", "dispute", "grounding", "trustworthy_direct", "trustworthy_hedged"]
Expected = Literal["abstain", "flag_dispute", "answer_grounded"]
CASE_TYPES: tuple[CaseType, ...] = ("abstention", "dispute", "grounding")
TRUSTWORTHY_TYPES: tuple[CaseType, ...] = ("trustworthy_direct", "trustworthy_hedged")
ALL_TYPES: tuple[CaseType, ...] = (*CASE_TYPES, *TRUSTWORTHY_TYPES)
# case type → (fitz-gov's expected_mode, the behaviour Watercooler should show)
_EXPECTED: dict[CaseType, tuple[str, Expected]] = {
    "abstention": ("abstain", "abstain"),
    "dispute": ("disputed", "flag_dispute"),
    "grounding": ("trustworthy", "answer_grounded"),
    "trustworthy_direct": ("trustworthy", "answer_grounded"),
    "trustworthy_hedged": ("trustworthy", "answer_grounded"),
}


@dataclass(frozen=True)
class BehaviourCase:
    """A question with fixed context passages and the answer behaviour expected from them."""

    id: str
    case_type: CaseType
    question: str
    contexts: tuple[str, ...]
    expected: Expected
    tier: str
    difficulty: str
    subcategory: str
    forbidden_claims: tuple[str, ...] = ()  # regexes a grounded answer must not match


def package_version() -> str:
    """Version of the installed fitz-gov distribution."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise DatasetError(DISTRIBUTION, "the fitz-gov package is not installed") from exc


def data_dir() -> Path:
    """The installed package's data folder."""
    package_version()
    for file in metadata.files(DISTRIBUTION) or []:
        if file.as_posix().endswith("fitz_gov/data/corpus/manifest.json"):
            return Path(str(file.locate())).parents[1]
    raise DatasetError(DISTRIBUTION, "the installed package has no data/corpus/manifest.json")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(path, "not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise DatasetError(path, f"invalid JSON: {exc.msg}", exc.lineno) from exc


def _strings(value: Any, what: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DatasetError(path, f"{what} must be a list of strings")
    return value


def _load_corpus(path: Path) -> tuple[dict[str, CorpusDoc], set[str]]:
    corpus: dict[str, CorpusDoc] = {}
    duplicated: set[str] = set()
    for line, obj in read_jsonl(path):
        raw_id = id_field(obj, "id", path, line)
        doc_id = raw_id
        if raw_id in corpus:
            duplicated.add(raw_id)
            copy = 2
            while f"{raw_id}#{copy}" in corpus:
                copy += 1
            doc_id = f"{raw_id}#{copy}"
        title = obj.get("title") or ""
        if not isinstance(title, str):
            raise DatasetError(path, "field 'title' must be a string", line)
        extra = {"domain": obj.get("domain"), "tags": obj.get("tags") or []}
        extra.update(dict_field(obj, "metadata", path, line))
        corpus[doc_id] = CorpusDoc(doc_id, title, text_field(obj, "content", path, line), extra)
    return corpus, duplicated


def load_fitz_gov_retrieval(data: Path | None = None) -> RetrievalDataset:
    """fitz-gov's corpus and (non-abstention) query mappings as a retrieval dataset."""
    root = data or data_dir()
    manifest = _read_json(root / "corpus" / "manifest.json")
    corpus, duplicated = _load_corpus(root / "corpus" / "documents.jsonl")
    path = root / "queries" / "query_mappings.json"
    raw = _read_json(path)
    mappings = raw.get("mappings") if isinstance(raw, dict) else None
    if not isinstance(mappings, dict):
        raise DatasetError(path, "expected an object with 'mappings'")
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    category_of: dict[str, str] = {}
    dropped: list[str] = []
    for category, entries in mappings.items():
        if not isinstance(entries, dict):
            raise DatasetError(path, f"mappings[{category!r}] must be an object")
        for query_id, entry in entries.items():
            where = f"query {query_id!r}"
            if query_id in category_of:
                raise DatasetError(path, f"{where} appears in two categories")
            category_of[query_id] = category
            if not isinstance(entry, dict) or not isinstance(entry.get("query"), str):
                raise DatasetError(path, f"{where} needs a 'query' string")
            relevant = _strings(entry.get("relevant_docs"), f"{where} relevant_docs", path)
            decoys = _strings(entry.get("decoy_docs", []), f"{where} decoy_docs", path)
            for doc_id in (*relevant, *decoys):
                if doc_id not in corpus:
                    raise DatasetError(path, f"{where} names unknown document {doc_id!r}")
            judged = {d: 0 for d in decoys} | {d: 1 for d in relevant}
            if duplicated.intersection(judged):
                dropped.append(query_id)
                judged = {d: g for d, g in judged.items() if d not in duplicated}
            if category != "abstention" and any(g >= 1 for g in judged.values()):
                queries[query_id] = entry["query"]
                qrels[query_id] = judged
    return RetrievalDataset(
        name="fitz-gov",
        corpus=corpus,
        queries=queries,
        qrels=qrels,
        metadata={
            "source": DISTRIBUTION,
            "package_version": package_version() if data is None else None,
            "corpus_version": manifest.get("version") if isinstance(manifest, dict) else None,
            "mappings_version": raw.get("version"),
            "query_category": {q: category_of[q] for q in queries},
            "duplicated_doc_ids": sorted(duplicated),
            "queries_with_dropped_judgments": dropped,
            "queries_left_out": sorted(set(category_of) - set(queries)),
        },
    )


def _case(raw: Any, index: int, case_type: CaseType, tier: str, path: Path) -> BehaviourCase:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise DatasetError(path, f"case #{index} needs an 'id' string")
    where = f"case {raw['id']!r}"
    mode, expected = _EXPECTED[case_type]
    if raw.get("expected_mode") != mode:
        reason = f"{where}: expected_mode {raw.get('expected_mode')!r}, not {mode!r}"
        raise DatasetError(path, reason)
    question = raw.get("query")
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(path, f"{where} needs a non-empty 'query'")
    forbidden = _strings(raw.get("forbidden_claims", []), f"{where} forbidden_claims", path)
    for pattern in forbidden:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise DatasetError(path, f"{where}: bad forbidden_claims regex {pattern!r}") from exc
    return BehaviourCase(
        id=raw["id"],
        case_type=case_type,
        question=question,
        contexts=tuple(_strings(raw.get("contexts"), f"{where} contexts", path)),
        expected=expected,
        tier=tier,
        difficulty=str(raw.get("difficulty", "")),
        subcategory=str(raw.get("subcategory", "")),
        forbidden_claims=tuple(forbidden),
    )


def load_fitz_gov_cases(
    case_types: Sequence[CaseType] = CASE_TYPES,
    tiers: Sequence[str] = TIERS,
    data: Path | None = None,
) -> list[BehaviourCase]:
    """Abstention, dispute and grounding cases of the chosen tiers, in file order."""
    root = data or data_dir()
    cases: list[BehaviourCase] = []
    seen: set[str] = set()
    for tier in tiers:
        for case_type in case_types:
            if case_type not in _EXPECTED:
                raise ValueError(f"unknown case type {case_type!r}; choose from {CASE_TYPES}")
            path = root / tier / f"{case_type}.json"
            raw = _read_json(path)
            if not isinstance(raw, dict) or not isinstance(raw.get("cases"), list):
                raise DatasetError(path, "expected an object with a 'cases' list")
            for index, item in enumerate(raw["cases"]):
                case = _case(item, index, case_type, tier, path)
                if case.id in seen:
                    raise DatasetError(path, f"duplicate case id {case.id!r}")
                seen.add(case.id)
                cases.append(case)
    return cases
