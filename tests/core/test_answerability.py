"""The answerability gate: unit cases for its terms and score, and the Assistant end to end on a
real Edge index, embedder, BM25 and extractive generator with the default (calibrated) settings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.answerability import assess, question_terms
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


def test_frame_and_stop_words_do_not_count_names_and_numbers_do_double() -> None:
    terms = question_terms("How long do I actually have to submit Ledgerly claims for 2025?")
    assert terms == {"submi": 1.0, "ledge": 2.0, "claim": 1.0, "2025": 2.0}


def test_the_asked_for_phrase_weighs_more() -> None:
    terms = question_terms("What's the maximum file size for a thumbnail?", focus_weight=3.0)
    assert terms["maxim"] == terms["file"] == terms["size"] == 3.0
    assert terms["thumb"] == 1.0


def test_hyphenated_words_are_split() -> None:
    assert set(question_terms("What's the per-learner price?")) == {"per", "learn", "price"}


def test_score_is_the_cosine_less_the_uncovered_share() -> None:
    settings = RetrievalSettings(
        coverage_weight=0.2, focus_weight=1.0, answerability_threshold=0.55
    )
    result = RetrievalResult(
        passages=[_passage("The hotel cap is 150 EUR a night.")], top_dense_score=0.6
    )
    check = assess("What is the hotel cap in Berlin?", result, settings)
    # hotel (1) and cap (1) are found, Berlin (a name: 2) is not → coverage 2/4
    assert check.missing == ["berli"]
    assert check.coverage == pytest.approx(0.5)
    assert check.score == pytest.approx(0.6 - 0.2 * 0.5)
    assert not check.answerable  # 0.5 < 0.55
    covered = assess("What is the hotel cap?", result, settings)
    assert covered.coverage == 1.0 and covered.score == pytest.approx(0.6) and covered.answerable


def test_title_and_headings_count_as_the_passage() -> None:
    result = RetrievalResult(
        passages=[_passage("The cap is 150 EUR a night.", title="Hotels")], top_dense_score=0.6
    )
    assert assess("What is the hotel cap?", result, RetrievalSettings()).coverage == 1.0


def test_nothing_retrieved_is_not_answerable() -> None:
    check = assess("Anything?", RetrievalResult(), RetrievalSettings())
    assert not check.answerable and check.score is None


def test_low_cosine_abstains_whatever_the_coverage() -> None:
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

    # Without the coverage penalty the same question is answered (wrongly, from WX-4471).
    blind = settings.model_copy(
        update={"retrieval": settings.retrieval.model_copy(update={"coverage_weight": 0.0})}
    )
    assert not _assistant(index, memo, people, blind).ask(NEAR_MISS, PUBLIC, now=NOW).abstained


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
