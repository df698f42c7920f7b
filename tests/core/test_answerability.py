"""The answerability gate: unit cases for its terms and score, and the Assistant end to end on a
real Edge index, embedder, BM25 and extractive generator with the default (calibrated) settings.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.answerability import FEATURES, Model, assess, features, stored_model
from core.answering import ABSTAIN_TEXT, Assistant
from core.config import RetrievalSettings, Settings, get_settings
from core.db import PeopleStore
from core.experts import ExpertFinder
from core.generation.extractive import ExtractiveGenerator
from core.index.base import VectorIndex
from core.rerank import NoopReranker
from core.retrieval import RetrievalResult, Retriever
from core.schema import Passage, Principal, SourceKind
from core.sparse import Bm25Encoder

PUBLIC = Principal(user_id="pat")
NOW = datetime(2025, 6, 4, 13, 5, tzinfo=UTC)
FAIR = "What does error WX-4471 mean?"
NEAR_MISS = "What does error WX-9999 mean?"  # the topic (VPN error codes) is covered, the code not
MEALS = "How much is the daily meal allowance on business trips?"


def _passage(text: str, title: str = "Expense policy") -> Passage:
    return Passage(chunk_id="c", document_id="d", title=title, kind=SourceKind.WIKI, source="s",
                   text=text, start=0, end=len(text))  # fmt: skip


def test_evidence_counts_typos_headings_and_names() -> None:
    passages = [
        _passage(
            "The default pass mark is 80%. Learners get two attempts.", title="Quiz standards"
        ),
        _passage("Meals are reimbursed up to 55 EUR a day."),
    ]
    values, missing = features("wat is the quizz pas mark", passages, 0.43)
    assert values["coverage"] < 1.0 and values["fuzzy_coverage"] == 1.0  # typos still match
    assert values["sentence_coverage"] == pytest.approx(2 / 3)  # "quiz" is in the title only
    assert values["heading"] < 1.0
    assert "quizz" in missing  # exact matching would call it missing
    tesla, _ = features("What is Tesla's stock price?", passages, 0.5)
    assert tesla["names"] == 0.0  # the name asked about is in no passage
    assert set(FEATURES) < set(values)


def test_the_probability_is_a_logistic_function_of_standardised_evidence() -> None:
    model = Model(("top_dense",), (0.5,), (0.1,), (2.0,), 0.0)
    assert model.probability({"top_dense": 0.5}) == pytest.approx(0.5)
    assert model.probability({"top_dense": 0.6}) == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert Model.from_json(model.to_json()) == model


def test_the_stored_model_is_versioned_and_uses_every_feature() -> None:
    model = stored_model()
    assert model.version == 1 and model.features == FEATURES
    assert model.meta["by"].startswith("python -m eval.answerability_fit")


def test_a_question_the_passages_answer_passes_and_one_they_do_not_fails() -> None:
    settings = RetrievalSettings()
    hotel = RetrievalResult(
        passages=[_passage("The hotel cap is 150 EUR a night in Berlin.")], top_dense_score=0.6
    )
    check = assess("What is the hotel cap in Berlin?", hotel, settings)
    assert check.answerable and check.score is not None and check.score > 0.5
    other = assess("What is Tesla's stock price?", hotel, settings)
    assert not other.answerable and other.score is not None and other.score < check.score


def test_nothing_retrieved_is_not_answerable() -> None:
    check = assess("Anything?", RetrievalResult(), RetrievalSettings())
    assert not check.answerable and check.score is None


def test_low_cosine_abstains_whatever_the_evidence() -> None:
    settings = RetrievalSettings(abstain_threshold=0.5, answerability_threshold=0.0)
    result = RetrievalResult(passages=[_passage("Hotel caps.")], top_dense_score=0.45)
    assert not assess("What is the hotel cap?", result, settings).answerable


def _assistant(index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings) -> Assistant:
    retriever = Retriever(index, memo, Bm25Encoder(), NoopReranker(), settings.retrieval, people)
    experts = ExpertFinder(people, settings.experts)
    return Assistant(retriever, experts, {"extractive": ExtractiveGenerator(memo)}, settings)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return get_settings(data_dir=tmp_path)  # the defaults, as the service runs them


def test_near_miss_abstains_though_its_cosine_passes(
    index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings
) -> None:
    assistant = _assistant(index, memo, people, settings)
    result = assistant.retriever.search(NEAR_MISS, PUBLIC)
    assert result.top_dense_score is not None
    assert result.top_dense_score >= settings.retrieval.abstain_threshold  # cosine alone answers
    answer = assistant.ask(NEAR_MISS, PUBLIC, now=NOW)
    assert answer.abstained and answer.text == ABSTAIN_TEXT and answer.citations == []
    assert answer.people  # abstentions still name the people to ask
    assert answer.timings_ms["answerability"] < 50  # the check is cheap: no model call
    # ... and show the closest passages found, for the reader to judge.
    assert 1 <= len(answer.closest) <= 3
    assert answer.closest[0].chunk_id == result.passages[0].chunk_id

    # The code it names is in no passage: however close the topic, nothing answers it.
    check = assess(NEAR_MISS, result, settings.retrieval)
    assert check.features["codes_found"] == 0.0
    assert assess(FAIR, assistant.retriever.search(FAIR, PUBLIC), settings.retrieval).answerable


@pytest.mark.parametrize("question", [FAIR, MEALS])
def test_fair_questions_are_answered(
    question: str, index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings
) -> None:
    answer = _assistant(index, memo, people, settings).ask(question, PUBLIC, now=NOW)
    assert not answer.abstained and answer.citations


def test_stream_abstains_like_ask(
    index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings
) -> None:
    assistant = _assistant(index, memo, people, settings)
    events = list(assistant.ask_stream(NEAR_MISS, PUBLIC, now=NOW))
    tokens = [e[1] for e in events if e[0] == "token"]
    done = events[-1][1]
    assert tokens == [ABSTAIN_TEXT]
    assert isinstance(done, type(assistant.ask(NEAR_MISS, PUBLIC, now=NOW))) and done.abstained
