"""The fitz-gov loader on the installed package, and on small broken copies of its layout."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

import pytest

from core.errors import DatasetError
from eval.datasets.fitz_gov import (
    CASE_TYPES,
    data_dir,
    load_fitz_gov_cases,
    load_fitz_gov_retrieval,
    package_version,
)

try:
    INSTALLED: str | None = metadata.version("fitz-gov")
except metadata.PackageNotFoundError:
    INSTALLED = None
needs_package = pytest.mark.skipif(
    INSTALLED is None, reason="fitz-gov is not installed; pip install fitz-gov to run these"
)


@needs_package
def test_retrieval_dataset_from_the_package() -> None:
    dataset = load_fitz_gov_retrieval()
    manifest = json.loads((data_dir() / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    assert dataset.metadata["package_version"] == INSTALLED == package_version()
    assert dataset.metadata["corpus_version"] == manifest["version"]
    assert len(dataset.corpus) == manifest["document_count"]
    assert set(dataset.queries) == set(dataset.qrels)
    for query_id, judged in dataset.qrels.items():
        assert any(grade >= 1 for grade in judged.values()), query_id
        assert set(judged) <= set(dataset.corpus)
    categories = set(dataset.metadata["query_category"].values())
    assert "abstention" not in categories
    assert {"dispute", "grounding", "relevance"} <= categories
    # documented in query_mappings.json: three studies with conflicting effectiveness rates
    assert dataset.qrels["dispute_medium_001"] == {
        "vaccine_001": 1,
        "vaccine_002": 1,
        "vaccine_003": 1,
    }


@needs_package
def test_duplicated_doc_ids_are_kept_apart() -> None:
    dataset = load_fitz_gov_retrieval()
    for doc_id in dataset.metadata["duplicated_doc_ids"]:
        assert dataset.corpus[doc_id].text != dataset.corpus[f"{doc_id}#2"].text
        assert not any(doc_id in judged for judged in dataset.qrels.values())
    # its only relevant doc is one of the duplicated ids, so it cannot be judged
    assert "grounding_medium_001" in dataset.metadata["queries_with_dropped_judgments"]
    assert "grounding_medium_001" not in dataset.queries


@needs_package
def test_behaviour_cases_from_the_package() -> None:
    cases = load_fitz_gov_cases()
    by_type = {t: [c for c in cases if c.case_type == t] for t in CASE_TYPES}
    assert all(by_type.values())
    assert {c.expected for c in by_type["abstention"]} == {"abstain"}
    assert {c.expected for c in by_type["dispute"]} == {"flag_dispute"}
    assert {c.expected for c in by_type["grounding"]} == {"answer_grounded"}
    assert all(c.question and c.contexts for c in cases)
    assert all(c.forbidden_claims for c in by_type["grounding"])
    assert len({c.id for c in cases}) == len(cases)
    sanity = load_fitz_gov_cases(case_types=["dispute"], tiers=["tier0_sanity"])
    assert sanity and {(c.tier, c.difficulty) for c in sanity} == {("tier0_sanity", "easy")}


def _layout(root: Path, docs: Sequence[object], mappings: Mapping[str, object]) -> Path:
    (root / "corpus").mkdir(parents=True)
    (root / "queries").mkdir()
    (root / "corpus" / "manifest.json").write_text('{"version": "test"}', encoding="utf-8")
    lines = "".join(json.dumps(doc) + "\n" for doc in docs)
    (root / "corpus" / "documents.jsonl").write_text(lines, encoding="utf-8")
    payload = json.dumps({"version": "test", "mappings": mappings})
    (root / "queries" / "query_mappings.json").write_text(payload, encoding="utf-8")
    return root


DOCS: list[dict[str, object]] = [
    {"id": "a", "title": "A", "content": "alpha", "domain": "x", "tags": ["t"]},
    {"id": "b", "content": "beta", "domain": "x", "metadata": {"category": "dispute"}},
    {"id": "a", "title": "A2", "content": "another alpha", "domain": "x", "tags": []},
]


def test_small_layout_semantics(tmp_path: Path) -> None:
    mappings = {
        "dispute": {"d1": {"query": "Q1?", "relevant_docs": ["b"], "decoy_docs": ["a"]}},
        "abstention": {"x1": {"query": "Q2?", "relevant_docs": ["b"]}},
    }
    dataset = load_fitz_gov_retrieval(_layout(tmp_path, DOCS, mappings))
    assert set(dataset.corpus) == {"a", "b", "a#2"}
    assert dataset.corpus["b"].metadata == {"domain": "x", "tags": [], "category": "dispute"}
    assert dataset.qrels == {"d1": {"b": 1}}  # decoy "a" is ambiguous: judgment dropped
    assert dataset.metadata["queries_with_dropped_judgments"] == ["d1"]
    assert dataset.metadata["queries_left_out"] == ["x1"]  # abstention
    assert dataset.metadata["package_version"] is None  # not read from the package


def test_unknown_document_in_mappings(tmp_path: Path) -> None:
    mappings = {"dispute": {"d1": {"query": "Q?", "relevant_docs": ["zzz"]}}}
    with pytest.raises(DatasetError, match=r"query_mappings\.json: query 'd1' names unknown"):
        load_fitz_gov_retrieval(_layout(tmp_path, DOCS, mappings))


def test_bad_case_files(tmp_path: Path) -> None:
    tier = tmp_path / "tier0_sanity"
    tier.mkdir()
    case = {"id": "c1", "query": "Q?", "contexts": ["x"], "expected_mode": "trustworthy"}
    (tier / "dispute.json").write_text(json.dumps({"cases": [case]}), encoding="utf-8")
    with pytest.raises(
        DatasetError, match=r"dispute\.json: case 'c1': expected_mode 'trustworthy'"
    ):
        load_fitz_gov_cases(case_types=["dispute"], tiers=["tier0_sanity"], data=tmp_path)
    (tier / "grounding.json").write_text('{\n  "cases": [\n  oops\n]}', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"grounding\.json:3: invalid JSON"):
        load_fitz_gov_cases(case_types=["grounding"], tiers=["tier0_sanity"], data=tmp_path)
    with pytest.raises(DatasetError, match=r"abstention\.json: cannot read"):
        load_fitz_gov_cases(case_types=["abstention"], tiers=["tier0_sanity"], data=tmp_path)
