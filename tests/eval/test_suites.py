"""Dataset names and the resolution of golden ids and people to the corpus's ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.corpora import CorpusDocument
from eval.datasets.golden import GoldenItem, GoldenUser
from eval.suites import Resolver, dataset_spec, golden_items, list_datasets

TINY = Path(__file__).parent / "fixtures" / "tiny-beir"


def _resolver() -> Resolver:
    documents = {
        "d1": CorpusDocument("d1", "Expenses", "text", (), ("Expenses", "expenses.docx")),
        "d2": CorpusDocument("d2", "Expenses", "text", ("hr",), ("Expenses", "hr:expenses.docx")),
    }
    return Resolver(documents, None)


def test_documents_resolve_by_id_path_or_unique_alias() -> None:
    resolver = _resolver()
    found = resolver.resolve(["d2", "hr:expenses.docx", "D1"], resolver.documents, "doc", "q1")
    assert found == ["d2", "d1"] and resolver.problems == []  # repeats count once


def test_unknown_and_ambiguous_names_are_problems() -> None:
    resolver = _resolver()
    assert resolver.resolve(["Expenses", "nope"], resolver.documents, "document", "q9") == []
    assert resolver.problems == [
        "q9: ambiguous document 'Expenses'",
        "q9: unknown document 'nope'",
    ]


def test_golden_items_carry_their_user_and_judgments() -> None:
    item = GoldenItem(
        id="q1",
        question="How much for meals?",
        answerable=True,
        reference_answer="55 euros",
        relevant_document_ids=["expenses.docx"],
        tags=["factual"],
        user=GoldenUser(id="u-hr", groups=["hr"]),
    )
    (resolved,) = golden_items([item], _resolver())
    assert resolved.qrels == {"d1": 1}
    assert resolved.principal.access() == ["user:u-hr", "hr"]
    assert resolved.answerable and resolved.tags == ("factual",)


def test_visibility_follows_groups() -> None:
    doc = CorpusDocument("d", "t", "x", ("hr",))
    (item,) = golden_items(
        [GoldenItem(id="q", question="?", answerable=False, user=GoldenUser(groups=["hr"]))],
        _resolver(),
    )
    assert doc.visible_to(item.principal)
    assert CorpusDocument("p", "t", "x").visible_to(item.principal)
    assert not doc.visible_to(
        golden_items([GoldenItem(id="r", question="?", answerable=False)], _resolver())[0].principal
    )


def test_dataset_names() -> None:
    assert dataset_spec("golden").path is not None and dataset_spec("golden").kind == "golden"
    assert dataset_spec("fitz-gov").kind == "beir"
    assert dataset_spec(str(TINY)).name == "tiny-beir"
    with pytest.raises(ValueError, match="unknown dataset"):
        dataset_spec("nope")
    listed = {d["name"]: d for d in list_datasets([TINY.parent])}
    assert listed[str(TINY)]["items"] == 5 and "golden-smoke" in listed
