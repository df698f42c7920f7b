"""The FAQ sets read from their pinned Debian packages: parsing, construction, halves, a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings, get_settings
from core.embedding import Embedder
from core.errors import DatasetError
from eval.answerability_data import faq_records
from eval.datasets import debian_faq, python_faq
from eval.datasets.debian import unpacked
from eval.datasets.faq import FaqEntry, FaqSet, build_faq_set, first_sentence, is_withheld
from eval.datasets.faq_sets import load_faq_set, parse_faq_dataset
from eval.datasets.splits import half
from eval.request import RunRequest
from eval.runner import run_eval
from eval.scoring import ANSWER_METRICS
from eval.suites import dataset_spec, faq_items


def _root(package: tuple[str, str]) -> Path:
    try:
        return unpacked(*package)
    except DatasetError as exc:  # apt cannot reach the archive here: nothing to read
        pytest.skip(f"cannot fetch {package[0]}={package[1]} with apt-get: {exc}")


@pytest.fixture(scope="module")
def python_root() -> Path:
    """The unpacked python3.11-doc package."""
    return _root(python_faq.PACKAGE)


@pytest.fixture(scope="module")
def debian_root() -> Path:
    """The unpacked debian-faq package."""
    return _root(debian_faq.PACKAGE)


@pytest.fixture(scope="module")
def sets(python_root: Path, debian_root: Path) -> dict[str, FaqSet]:
    """Both sets, built from the cached packages."""
    return {name: load_faq_set(name) for name in ("python-faq", "debian-faq")}


def test_python_page_questions_and_answers(python_root: Path) -> None:
    path = python_root / python_faq.FAQ_DIR / "general.rst.txt"
    entries = {e.question: e for e in python_faq.parse_page(path.read_text(), "general")}
    entry = entries["What is Python?"]
    assert entry.page == "General Python FAQ"  # the page title, not the question
    assert entry.id == "python-faq:general#what-is-python"
    assert entry.answer.startswith(
        "Python is an interpreted, interactive, object-oriented programming language. It"
    )
    assert "To find out more, start with tutorial-index." in entry.answer  # :ref: → its text
    assert "General Information" not in entries  # not a question
    every = [e for p in python_faq.faq_files(python_root) for e in _parse_python(p)]
    assert all(":func:`" not in e.answer and ":mod:`" not in e.answer for e in every)
    assert all(e.question.endswith("?") and e.answer.strip() for e in every)


def _parse_python(path: Path) -> list[FaqEntry]:
    return python_faq.parse_page(path.read_text(encoding="utf-8"), path.name.split(".")[0])


def test_debian_page_questions_and_answers(debian_root: Path) -> None:
    path = debian_root / debian_faq.FAQ_DIR / "pkgtools.en.html"
    entries = {e.id: e for e in debian_faq.parse_page(path.read_bytes(), "pkgtools")}
    listing = entries["debian-faq:pkgtools#listfiles"]
    assert listing.question == "How do I display the files of an installed package?"  # no "8.4."
    assert listing.page == "The Debian package management tools"  # without "Chapter 8."
    assert "dpkg --listfiles foo" in listing.answer
    # the sub-sections (dpkg, APT, ...) are not questions: they belong to the answer
    programs = entries["debian-faq:pkgtools#pkgprogs"].answer
    assert "\n\ndpkg\n\n" in programs and "aptitude" in programs
    assert "How do I display the files" not in programs  # the next question is not


def test_each_set_has_enough_questions_and_a_fifth_withheld(sets: dict[str, FaqSet]) -> None:
    for name, faq in sets.items():
        withheld = [i for i in faq.items if not i.answerable]
        assert len(faq.items) >= 100, name
        assert 0.12 <= len(withheld) / len(faq.items) <= 0.28, name
        assert faq.metadata["entries"] == len(faq.items)


def test_withheld_answers_are_absent_from_the_corpus(sets: dict[str, FaqSet]) -> None:
    python_root = unpacked(*python_faq.PACKAGE)
    answers = {e.id: e.answer for p in python_faq.faq_files(python_root) for e in _parse_python(p)}
    faq = sets["python-faq"]
    texts = [doc.text for doc in faq.corpus.values()]
    for item in faq.items:
        if item.answerable:
            assert item.relevant == (item.id,) and faq.corpus[item.id].text == answers[item.id]
        else:
            assert item.id not in faq.corpus and not item.relevant
            assert answers[item.id] not in texts
    assert all(doc.title != i.question for i in faq.items for doc in faq.corpus.values())


def test_halves_are_the_fixed_seeded_split(sets: dict[str, FaqSet]) -> None:
    for name, faq in sets.items():
        assert all(i.half == half(i.id, name) for i in faq.items)
        tune, test = faq.in_half("tune"), faq.in_half("test")
        assert len(tune) + len(test) == len(faq.items) and tune and test
        assert {i.id for i in faq_items(faq, f"{name}-test")} == {i.id for i in test}
    # pinned: a change of ids, parsing or seeds shows here
    python = sets["python-faq"]
    assert (len(python.items), len(python.in_half("tune")), len(python.corpus)) == (173, 90, 136)
    assert not is_withheld("python-faq:general#what-is-python", "python-faq")
    assert is_withheld("python-faq:design#why-are-python-strings-immutable", "python-faq")


def test_construction_on_made_up_entries() -> None:
    entries = [
        FaqEntry(f"t:{n}", f"Question {n}?", f"Yes. More about item {n}.", "Page", "page")
        for n in range(40)
    ]
    pointer = FaqEntry("t:see", "Question?", "See the next question.", "Page", "page")
    faq = build_faq_set("made-up", [*entries, pointer], {})
    assert "t:see" not in {i.id for i in faq.items}  # a pointer, not an answer
    assert {doc.title for doc in faq.corpus.values()} == {"Page"}
    assert all(i.reference == "Yes." and not i.score_containment for i in faq.items)
    assert len(faq.corpus) == sum(i.answerable for i in faq.items) < 40
    with pytest.raises(DatasetError, match="duplicate"):
        build_faq_set("made-up", entries[:1] * 2, {})


def test_first_sentence() -> None:
    text = "Use dpkg -L, e.g. dpkg -L foo. Then more.\n\nNext paragraph."
    assert first_sentence(text) == "Use dpkg -L, e.g. dpkg -L foo."
    assert first_sentence("One line\nwrapped here? Yes.") == "One line wrapped here?"


def test_dataset_names() -> None:
    assert parse_faq_dataset("debian-faq-tune") == ("debian-faq", "tune")
    assert parse_faq_dataset("python-faq") == ("python-faq", None)
    assert parse_faq_dataset("golden") is None
    assert dataset_spec("python-faq-test").kind == "beir"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data dir (and so the eval cache) is temporary."""
    return get_settings(data_dir=tmp_path_factory.mktemp("eval-data"))


def test_run_on_a_few_items_reports_every_metric(
    sets: dict[str, FaqSet], settings: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    request = RunRequest("debian-faq-test", limit=10)  # 2 withheld, 1 "Yes." reference
    run_dir = run_eval(request, settings, runs_dir=tmp_path, embedder=embedder)
    data: dict[str, Any] = json.loads((run_dir / "report.json").read_text())
    assert data["dataset"]["half"] == "test" and data["dataset"]["items_run"] == 10
    assert set(data["retrieval"]) == {"bm25", "dense", "hybrid", "hybrid+rerank", "llamaindex"}
    assert all(m["ndcg@10"]["n"] >= 1 for m in data["retrieval"].values())
    answers = data["answers"]["extractive"]
    assert set(ANSWER_METRICS) <= set(answers)
    for metric in ("answer_rate", "abstention_accuracy", "token_f1", "citation_precision"):
        assert answers[metric]["n"] >= 1, metric
        assert answers[metric]["ci_low"] <= answers[metric]["mean"] <= answers[metric]["ci_high"]
    assert any(g["goal"] == "extractive: answer rate (answerable) (FAQ)" for g in data["goals"])
    items = {i.id: i for i in sets["debian-faq"].items}
    short = [q for q in data["questions"] if not items[q["id"]].score_containment]
    assert len(short) == 1 and items[short[0]["id"]].answerable
    scores = short[0]["answers"]["extractive"]["scores"]
    assert scores["containment"] is None and scores["token_f1"] is not None


def test_answerability_records(
    sets: dict[str, FaqSet], settings: Settings, embedder: Embedder
) -> None:
    records = list(faq_records(settings, embedder, "python-faq", 5))
    assert len(records) == 5
    keys = {"set", "id", "question", "answerable", "half", "tags", "relevant", "result"}
    for record in records:
        assert set(record) == keys and record["set"] == "python-faq"
        assert record["result"]["passages"] and record["half"] in ("tune", "test")
    found = [r for r in records if r["answerable"]]
    assert any(r["relevant"][0] == r["result"]["passages"][0]["document_id"] for r in found)
