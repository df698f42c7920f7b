"""Dispute notes: the extractive generator says when its sources give different values."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from core.answering import StreamRenumberer
from core.generation.citations import compact, used_markers, validate_citations
from core.generation.disputes import Side, find_conflict, quantities
from core.generation.extractive import ExtractiveGenerator
from core.generation.sentences import split_sentences
from tests.core.generation.samples import passage

POLICY = passage(
    "policy",
    "Travel and expense policy",
    ["Submitting a claim"],
    "Expense claims must be submitted within 30 days of the expense. "
    "Attach a photo of every receipt to the claim.",
)
BLOG = passage(
    "blog",
    "Finance news: faster expenses",
    ["Deadlines"],
    "From now on, expense claims can be submitted up to 45 days after the expense. "
    "Finance pays approved claims every Thursday.",
)
AGREEING = passage(
    "faq",
    "Expenses FAQ",
    ["Deadlines"],
    "You have 30 days from the date of the expense to submit your expense claim. "
    "Late claims need the Finance Director's approval.",
)
MEALS = passage(
    "meals",
    "Travel and expense policy",
    ["Meals"],
    "Meals on business trips are reimbursed up to 55 EUR per day, tips included.",
)
HOTELS = passage(
    "hotels",
    "Travel and expense policy",
    ["Hotels"],
    "Hotel nights are capped at 150 EUR in most cities when you travel on business.",
)
# What the eval counts as saying so (eval.behaviour_scoring.DISAGREEMENT, in part).
DISAGREEMENT = re.compile(r"\b(disagree\w*|conflict\w*)\b", re.IGNORECASE)
QUESTION = "How long do I have to submit an expense claim?"


@pytest.fixture(scope="module")
def generator(embedder: Any) -> ExtractiveGenerator:
    return ExtractiveGenerator(embedder)


def note_of(text: str) -> str | None:
    """The answer's dispute note, if it has one."""
    notes = [s for s in split_sentences(text) if s.startswith("Note:")]
    assert len(notes) <= 1
    return notes[0] if notes else None


def assert_valid(text: str, n_passages: int) -> None:
    check = validate_citations(text, n_passages)
    assert check.text == text
    assert check.unsupported_sentences == []
    assert check.removed_markers == []


def test_conflicting_deadlines_get_a_cited_note(generator: ExtractiveGenerator) -> None:
    order = [POLICY, BLOG]
    text = generator.generate(QUESTION, order).text
    note = note_of(text)
    assert note is not None, text
    assert DISAGREEMENT.search(note)
    assert "[1] says 30 days" in note and "[2] says 45 days" in note
    # Both sides are in the answer in their own words, cited.
    assert "within 30 days of the expense [1]" in text
    assert "up to 45 days after the expense [2]" in text
    assert_valid(text, len(order))


def test_the_note_streams_and_renumbers_like_the_whole_answer(
    generator: ExtractiveGenerator,
) -> None:
    # The retriever ranked two unrelated passages first: markers [3] and [4] become [1], [2].
    order = [MEALS, HOTELS, POLICY, BLOG]
    whole = generator.generate(QUESTION, order).text
    assert note_of(whole) is not None, whole
    pieces = list(generator.stream(QUESTION, order))
    assert "".join(pieces) == whole
    renumberer = StreamRenumberer(len(order))
    streamed = "".join(renumberer.feed(p) for p in pieces) + renumberer.flush()
    assert streamed == compact(whole)[0]
    assert used_markers(streamed) == [1, 2]


def test_agreeing_sources_get_no_note(generator: ExtractiveGenerator) -> None:
    text = generator.generate(QUESTION, [POLICY, AGREEING]).text
    assert "30 days" in text
    assert note_of(text) is None
    assert not DISAGREEMENT.search(text)


def test_different_numbers_about_different_things_get_no_note(
    generator: ExtractiveGenerator,
) -> None:
    text = generator.generate(
        "How much does the company cover for travel costs?", [MEALS, HOTELS]
    ).text
    assert note_of(text) is None, text


def test_a_question_that_asks_no_quantity_gets_no_note(generator: ExtractiveGenerator) -> None:
    text = generator.generate(
        "Who has to approve late expense claims?", [POLICY, BLOG, AGREEING]
    ).text
    assert note_of(text) is None, text


def test_a_superseded_side_is_named_outdated_and_not_quoted(
    generator: ExtractiveGenerator,
) -> None:
    old = POLICY.model_copy(update={"superseded_by": "doc-blog"})
    order = [BLOG, old]
    text = generator.generate(QUESTION, order).text
    note = note_of(text)
    assert note is not None, text
    assert "[2] says 30 days but has been superseded" in note
    assert "the current source [1] says 45 days" in note
    assert "within 30 days of the expense [2]" not in text  # the outdated rule is not the answer
    assert_valid(text, len(order))


def test_update_dates_name_the_newer_source(generator: ExtractiveGenerator) -> None:
    older = POLICY.model_copy(update={"updated": datetime(2023, 5, 2, tzinfo=UTC)})
    newer = BLOG.model_copy(update={"updated": datetime(2025, 3, 1, tzinfo=UTC)})
    note = note_of(generator.generate(QUESTION, [older, newer]).text)
    assert note is not None
    assert note.endswith("[2] is the newer one (updated 2025-03-01).")


@pytest.mark.parametrize(
    ("question", "first", "second", "conflict"),
    [
        # A range that holds the other value agrees with it.
        (
            "How many species go extinct each year from deforestation?",
            "Deforestation drives the extinction of roughly 1,200 to 2,400 species each year.",
            "Deforestation drives about 8,700 species to extinction each year.",
            True,
        ),
        (
            "How many species go extinct each year from deforestation?",
            "Deforestation drives the extinction of roughly 1,200 to 2,400 species each year.",
            "Deforestation drives about 2,000 species to extinction each year.",
            False,
        ),
        # Four weeks are 28 days, a month is about 30: rounding, not a conflict.
        (
            "How long is the notice period?",
            "The notice period is one month, that is 30 days.",
            "Employees give a notice period of 1 month before they leave.",
            False,
        ),
        (
            "How long is the notice period?",
            "The notice period for employees is 4 weeks.",
            "The notice period for employees is 3 months.",
            True,
        ),
        # Other figures tell the rates apart: 30-year and 15-year mortgages.
        (
            "What are current mortgage rates?",
            "The 30-year fixed mortgage rate averaged 6.9% in January.",
            "The 15-year fixed mortgage rate averaged 6.0% in January.",
            False,
        ),
        # A part ("alone") is not the whole.
        (
            "What percentage of the Earth's surface is covered by water?",
            "About 71% of the Earth's surface is covered by water.",
            "The Pacific Ocean alone covers about 30% of the Earth's surface.",
            False,
        ),
        # One shared word ("reimbursed") does not make meals and hotels the same thing.
        (
            "How much is reimbursed on a business trip?",
            "Meals are reimbursed up to 55 EUR per day.",
            "Hotel nights are reimbursed up to 150 EUR.",
            False,
        ),
        # Deleted 12 months after the end is not a reminder 90 days before it.
        (
            "How long do we keep learner records after the contract ends?",
            "Learner records are deleted 12 months after the contract ends.",
            "Clients are reminded 90 days before the contract ends to export records.",
            False,
        ),
        # Spelled-out durations count: a three-week programme is not five weeks.
        (
            "How long is onboarding for a new facilitator?",
            "This guide describes the three-week onboarding programme for new facilitators.",
            "The onboarding programme for new facilitators now takes five weeks.",
            True,
        ),
        # A unit that states both values agrees ("rose from 40 to 55").
        (
            "What is the daily meal allowance?",
            "The daily meal allowance is 55 EUR.",
            "The daily meal allowance rose from 40 EUR to 55 EUR this year.",
            False,
        ),
    ],
)
def test_find_conflict_on_unit_pairs(
    question: str, first: str, second: str, conflict: bool
) -> None:
    found = find_conflict(question, [Side(0, first)], [Side(1, second)])
    assert (found is not None) is conflict
    # Units of the same passage never conflict with each other.
    assert find_conflict(question, [Side(0, first)], [Side(0, second)]) is None


def test_quantities_read_kinds_scales_and_ranges() -> None:
    found = {
        q.text: q
        for q in quantities(
            "Revenue reached $4.2 million, up 12% in 3 months; 1,200 to 2,400 species in 2024; "
            "market cap $3.4T; Series 2B."
        )
    }
    assert found["$4.2 million"].kind == "money:USD"
    assert found["$4.2 million"].low == pytest.approx(4.2e6)
    assert found["$3.4T"].low == pytest.approx(3.4e12)
    assert "2B" not in found  # a letter after a number is a scale only after a currency
    assert found["12%"].kind == "percent"
    assert found["3 months"].kind == "duration"
    assert found["3 months"].low == pytest.approx(91.32)
    assert (found["1,200 to 2,400 species"].low, found["1,200 to 2,400 species"].high) == (
        1200,
        2400,
    )
    assert not any(q.kind == "year" for q in found.values())  # only when "when" is asked
    assert [q.kind for q in quantities("It opened in 2019.", years=True)] == ["year"]
