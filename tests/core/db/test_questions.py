"""QuestionStore: the question log, its listing, and the feedback linked to questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import Database, QuestionStore
from core.errors import NotFoundError


@pytest.fixture
def questions(db: Database) -> QuestionStore:
    """The question log on the test database."""
    return QuestionStore(db)


def asked(questions: QuestionStore, **changes: Any) -> str:
    """Log a question (a cited answer unless `changes` say otherwise); its id."""
    fields: dict[str, Any] = {
        "user_id": "alice",
        "groups": ["hr"],
        "question": "What is the pass mark?",
        "filters": {"kinds": ["wiki"], "updated_from": "2024-01-01T00:00:00Z"},
        "generator": "extractive",
        "answer": "The pass mark is 80 percent [1].",
        "cited_document_ids": ["doc-a", "doc-a", "doc-b"],
        "people_ids": ["ben-1", "ana-2"],
        "confidence": 0.82,
        "abstained": False,
        "timings_ms": {"retrieve": 12.5, "total": 40.0},
    }
    return questions.record(**{**fields, **changes})


def test_a_question_is_logged_with_everything_about_its_answer(questions: QuestionStore) -> None:
    before = datetime.now(UTC)
    entry = questions.get(asked(questions))
    assert (entry.user_id, entry.groups, entry.question, entry.generator) == (
        "alice",
        ["hr"],
        "What is the pass mark?",
        "extractive",
    )
    assert entry.filters == {"kinds": ["wiki"], "updated_from": "2024-01-01T00:00:00Z"}
    assert entry.answer == "The pass mark is 80 percent [1]."
    assert entry.cited_document_ids == ["doc-a", "doc-b"]  # each document once, in order
    assert entry.people_ids == ["ben-1", "ana-2"]
    assert (entry.confidence, entry.abstained) == (0.82, False)
    assert entry.timings_ms == {"retrieve": 12.5, "total": 40.0}
    assert before - timedelta(seconds=1) <= entry.created <= datetime.now(UTC)
    with pytest.raises(NotFoundError):
        questions.get("missing")


def test_questions_are_listed_newest_first_with_filters(questions: QuestionStore) -> None:
    first = asked(questions)
    second = asked(questions, user_id="bob", abstained=True, answer="", confidence=0.0)
    third = asked(questions)
    assert [q.id for q in questions.list()] == [third, second, first]
    assert [q.id for q in questions.list(user_id="alice")] == [third, first]
    assert [q.id for q in questions.list(abstained=True)] == [second]
    assert [q.id for q in questions.list(abstained=False, limit=1, offset=1)] == [first]
    assert questions.list(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert questions.count() == 3
    assert questions.count(user_id="bob", abstained=True) == 1
    assert questions.count(since=datetime.now(UTC) - timedelta(minutes=1)) == 3


def test_feedback_is_linked_to_its_question(questions: QuestionStore) -> None:
    question = asked(questions)
    other = asked(questions)
    helpful = questions.add_feedback(question, user_id="alice", rating="helpful")
    wrong = questions.add_feedback(
        question, user_id="alice", rating="wrong_citation", marker=1, comment="old page ✓"
    )
    questions.add_feedback(other, user_id="bob", rating="not_helpful")
    assert (wrong.question_id, wrong.rating, wrong.marker, wrong.comment) == (
        question,
        "wrong_citation",
        1,
        "old page ✓",
    )
    assert [f.id for f in questions.feedback(question_id=question)] == [wrong.id, helpful.id]
    assert [f.rating for f in questions.feedback(rating="not_helpful")] == ["not_helpful"]
    assert len(questions.feedback()) == 3


def test_feedback_needs_a_known_question_and_a_known_rating(questions: QuestionStore) -> None:
    with pytest.raises(NotFoundError):
        questions.add_feedback("missing", user_id="alice", rating="helpful")
    question = asked(questions)
    with pytest.raises(ValueError, match="rating"):
        questions.add_feedback(question, user_id="alice", rating="meh")  # type: ignore[arg-type]
    assert questions.feedback(question_id=question) == []
