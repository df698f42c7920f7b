"""fitz-gov behaviour cases through the real Assistant on their fixed contexts, and their scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.assembly import build_generators
from core.config import Settings, get_settings
from core.embedding import Embedder
from core.schema import Principal
from eval.__main__ import main
from eval.behaviour import ContextRetriever, answer_cases
from eval.behaviour_scoring import CaseRecord, by_group, case_scores, forbidden_matches
from eval.datasets.fitz_gov import BehaviourCase, CaseType
from eval.metrics.entailment import LexicalEntailment
from eval.request import RunRequest
from eval.runner import run_eval
from eval.suites import dataset_spec, list_datasets, subset as subset_cases

LEXICAL = LexicalEntailment()
MEALS = "Meals on business trips are reimbursed up to 55 EUR per day with an itemised receipt."
TRAINS = "Employees travel second class on trains unless the journey is longer than four hours."
VOLCANO = "The volcano last erupted in 1883, destroying most of the island."


def case(
    case_type: CaseType,
    question: str,
    contexts: tuple[str, ...],
    forbidden: tuple[str, ...] = (),
    **fields: str,
) -> BehaviourCase:
    """A hand-made case of the given type."""
    expected = {"abstention": "abstain", "dispute": "flag_dispute"}.get(case_type)
    return BehaviourCase(
        id=fields.get("id", f"{case_type}-1"),
        case_type=case_type,
        question=question,
        contexts=contexts,
        expected=expected or "answer_grounded",  # type: ignore[arg-type]
        tier=fields.get("tier", "tier1_core"),
        difficulty=fields.get("difficulty", "easy"),
        subcategory="hand-made",
        forbidden_claims=forbidden,
    )


def test_context_retriever_ranks_the_contexts_by_real_cosine(embedder: Embedder) -> None:
    retriever = ContextRetriever(embedder, top_k=8)
    question = "How much can I claim for meals when travelling?"
    retriever.use(case("trustworthy_direct", question, (VOLCANO, MEALS, TRAINS)))
    result = retriever.search(question, Principal())
    q = embedder.embed_query(question)
    cosines = embedder.embed_documents([VOLCANO, MEALS, TRAINS]) @ q
    assert result.passages[0].text == MEALS
    assert [p.document_id for p in result.passages] == [
        f"trustworthy_direct-1/{n + 1}" for n in np.argsort(-cosines)
    ]
    assert result.top_dense_score == pytest.approx(float(cosines.max()), abs=1e-5)
    for passage in result.passages:
        assert passage.score == pytest.approx(float(cosines[int(passage.chunk_id[-1]) - 1]), 1e-5)
    assert len(retriever.search(question, Principal(), limit=1).passages) == 1
    with pytest.raises(ValueError, match="no case loaded"):
        retriever.search("another question", Principal())


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return get_settings(data_dir=tmp_path_factory.mktemp("behaviour-data"))


def test_cases_run_through_the_assistant_and_its_gate(
    embedder: Embedder, settings: Settings
) -> None:
    cases = [
        case("abstention", "Who won the football world cup in 1998?", (VOLCANO, TRAINS)),
        case(
            "trustworthy_direct",
            "What is the daily limit for meals on business trips?",
            (TRAINS, MEALS),
        ),
        case(
            "grounding",
            "What is the daily limit for meals on business trips?",
            (MEALS,),
            forbidden=(r"\d+ USD",),
        ),
    ]
    generators, unavailable = build_generators(settings, embedder, ["extractive", "llm"])
    assert list(generators) == ["extractive"] and "llm.model" in unavailable["llm"]
    records = answer_cases(cases, generators, settings, embedder)["extractive"]
    off_topic, direct, grounded = records
    threshold = settings.retrieval.abstain_threshold
    assert off_topic.abstained and off_topic.top_dense is not None
    assert off_topic.top_dense < threshold and off_topic.cited_contexts == []
    assert not direct.abstained and direct.top_dense is not None and direct.top_dense >= threshold
    assert "55 EUR" in direct.text and direct.cited_contexts == [2]
    assert direct.citations == {1: MEALS}
    scores = [case_scores(c, r, LEXICAL) for c, r in zip(cases, records, strict=True)]
    assert scores[0]["abstention_accuracy"] == 1.0 and scores[0]["answer_rate"] is None
    assert scores[1]["answer_rate"] == 1.0 and scores[1]["citation_precision"] == 1.0
    assert scores[2]["no_forbidden_claims"] == 1.0 and not grounded.abstained

    # The same case with the gate raised above its cosine: the assistant abstains.
    strict = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"abstain_threshold": 0.99})}
    )
    again = answer_cases(cases[1:2], generators, strict, embedder)["extractive"][0]
    assert again.abstained and case_scores(cases[1], again, LEXICAL)["answer_rate"] == 0.0


def test_dispute_flag_counts_words_or_two_cited_sides() -> None:
    dispute = case(
        "dispute", "Did the defendant plead guilty?", ("He pleaded guilty.", "He did not.")
    )
    one_side = CaseRecord("He pleaded guilty [1].", False, {1: "He pleaded guilty."}, [1])
    two_sides = CaseRecord(
        "He pleaded guilty [1]. He did not [2].",
        False,
        {1: "He pleaded guilty.", 2: "He did not."},
        [1, 2],
    )
    says = CaseRecord("Sources disagree: he pleaded guilty [1].", False, {1: "x"}, [1])
    abstained = CaseRecord("I couldn't find this.", True)
    flagged = [case_scores(dispute, r, LEXICAL) for r in (one_side, two_sides, says, abstained)]
    assert [s["dispute_flagged"] for s in flagged] == [0.0, 1.0, 1.0, 0.0]
    assert [s["dispute_says"] for s in flagged] == [0.0, 0.0, 1.0, 0.0]
    assert [s["dispute_cites_two"] for s in flagged] == [0.0, 1.0, 0.0, 0.0]
    assert flagged[1]["citation_precision"] == 1.0 and flagged[3]["citation_precision"] is None


def test_forbidden_claims_and_citation_support() -> None:
    grounding = case(
        "grounding", "What is the revenue?", ("Founded in 2015.",), (r"revenue of \$",)
    )
    assert forbidden_matches("A REVENUE OF $5 million", grounding.forbidden_claims)
    invented = CaseRecord(
        "It has a revenue of $5 million [1].", False, {1: "Founded in 2015."}, [1]
    )
    faithful = CaseRecord("It was founded in 2015 [1].", False, {1: "Founded in 2015."}, [1])
    abstained = CaseRecord("A revenue of $5 million would be a guess.", True)
    bad, good, quiet = (case_scores(grounding, r, LEXICAL) for r in (invented, faithful, abstained))
    assert bad["no_forbidden_claims"] == 0.0 and bad["citation_recall"] == 0.0
    assert bad["no_invented_claims"] == 0.0
    assert good["no_forbidden_claims"] == 1.0 and good["citation_recall"] == 1.0
    assert good["groundedness"] == 1.0 and bad["groundedness"] == 0.0
    # an abstention makes no claim, and is not an answer
    assert quiet["no_forbidden_claims"] == 1.0 and quiet["answer_rate"] == 0.0
    # a forbidden pattern the context itself matches: a quote, not an invention
    quoting = case(
        "grounding",
        "What is the revenue?",
        ("Its revenue of $5 million grew.",),
        (r"revenue of \$",),
    )
    quote = CaseRecord("Its revenue of $5 million grew [1].", False, {1: quoting.contexts[0]}, [1])
    quoted = case_scores(quoting, quote, LEXICAL)
    assert quoted["no_forbidden_claims"] == 0.0 and quoted["no_invented_claims"] == 1.0
    # the digits of a citation marker are not a number the answer claims
    digits = case("grounding", "How fast is it?", ("It is fast.",), (r"fast.*\d",))
    marked = CaseRecord("It is fast [1].", False, {1: "It is fast."}, [1])
    assert case_scores(digits, marked, LEXICAL)["no_forbidden_claims"] == 1.0


def test_groups_and_limits() -> None:
    cases = [
        case("abstention", "q", ("c",), id=f"a{n}", difficulty=d, tier=t)
        for n, (d, t) in enumerate(
            [("hard", "tier1_core"), ("easy", "tier0_sanity"), ("hard", "tier1_core")]
        )
    ]
    scores = {"g": [{"abstention_accuracy": v} for v in (1.0, 0.0, 0.0)]}
    rows = by_group(cases, scores, "difficulty")
    assert [(r["difficulty"], r["n"], r["g"]["mean"]) for r in rows] == [
        ("easy", 1, 0.0),
        ("hard", 2, 0.5),
    ]
    assert [r["tier"] for r in by_group(cases, scores, "tier")] == ["tier0_sanity", "tier1_core"]
    many = [case("abstention", "q", ("c",), id=str(n)) for n in range(10)]
    assert [c.id for c in subset_cases(many, 4)] == ["0", "2", "5", "7"]
    assert subset_cases(many, None) == many == subset_cases(many, 50)


@pytest.fixture(scope="module")
def run(settings: Settings, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A small fitz-gov-cases run spread over every case type."""
    runs = tmp_path_factory.mktemp("runs")
    request = RunRequest("fitz-gov-cases", generators=["extractive"], limit=25)
    run_dir = run_eval(request, settings, runs_dir=runs, embedder=embedder)
    return run_dir, json.loads((run_dir / "report.json").read_text())


def test_a_run_writes_the_behaviour_report(run: Any) -> None:
    run_dir, data = run
    assert dataset_spec("fitz-gov-cases").kind == "behaviour"
    assert {"name": "fitz-gov-cases", "kind": "behaviour", "items": 2632} in list_datasets()
    assert data["dataset"]["kind"] == "behaviour" and data["dataset"]["items_run"] == 25
    assert data["dataset"]["items_total"] == 2632
    types = data["behaviour"]["extractive"]
    assert set(types) == {
        "abstention",
        "dispute",
        "grounding",
        "trustworthy_direct",
        "trustworthy_hedged",
    }
    assert sum(t["n"] for t in types.values()) == 25
    assert types["abstention"]["abstention_accuracy"]["n"] == types["abstention"]["n"]
    assert "answer_rate" not in types["abstention"] and "dispute_flagged" in types["dispute"]
    assert data["answers"]["extractive"]["abstained"]["n"] == 25
    assert data["entailment"].startswith("LexicalEntailment")
    assert {r["case_type"] for r in data["by_tier"]} == set(types)
    assert len(data["questions"]) == 25
    first = data["questions"][0]
    assert first["answers"]["extractive"]["abstained"] in (True, False)
    assert data["goals"][0]["goal"].startswith("extractive: abstention accuracy")
    markdown = (run_dir / "report.md").read_text()
    assert "## By case type" in markdown and "| dispute |" in markdown
    assert data["charts"] == ["behaviour.png"]
    assert (run_dir / "behaviour.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == "succeeded"


def test_cli_runs_the_cases(settings: Settings, tmp_path: Path, capsys: Any) -> None:
    code = main(
        [
            "run",
            "--dataset",
            "fitz-gov-cases",
            "--limit",
            "5",
            "--out",
            str(tmp_path),
            "--set",
            f"data_dir={json.dumps(str(settings.data_dir))}",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "5 of 2632 cases" in out and "written to" in out
