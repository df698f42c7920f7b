"""Citation markers: invalid ones removed, forms normalised, uncited sentences flagged."""

from __future__ import annotations

import pytest

from core.generation.citations import (
    NO_ANSWER,
    compact,
    is_no_answer,
    renumber,
    used_markers,
    validate_citations,
)
from core.generation.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected_text", "removed"),
    [
        ("Meals are capped at 55 EUR per day [4].", "Meals are capped at 55 EUR per day.", [4]),
        ("Meals are capped at 55 EUR per day [0].", "Meals are capped at 55 EUR per day.", [0]),
        ("Meals are capped at 55 EUR [12a] per day.", "Meals are capped at 55 EUR per day.", []),
        (
            "Meals are capped at 55 EUR per day [1][9].",
            "Meals are capped at 55 EUR per day [1].",
            [9],
        ),
        ("[7] Hotels are capped at 150 EUR a night.", "Hotels are capped at 150 EUR a night.", [7]),
    ],
)
def test_markers_pointing_nowhere_are_removed(
    text: str, expected_text: str, removed: list[int]
) -> None:
    result = validate_citations(text, 3)
    assert result.text == expected_text
    assert result.removed_markers == removed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Meals are capped at 55 EUR [1, 2].", "Meals are capped at 55 EUR [1][2]."),
        ("Meals are capped at 55 EUR [2] [1].", "Meals are capped at 55 EUR [1][2]."),
        ("Meals are capped at 55 EUR [1][1][2].", "Meals are capped at 55 EUR [1][2]."),
        ("Meals are capped at 55 EUR [1-3].", "Meals are capped at 55 EUR [1][2][3]."),
        ("Meals are capped at 55 EUR [Source 2].", "Meals are capped at 55 EUR [2]."),
        ("Meals are capped at 55 EUR [passages 1, 3].", "Meals are capped at 55 EUR [1][3]."),
    ],
)
def test_multi_marker_forms_are_normalised(text: str, expected: str) -> None:
    result = validate_citations(text, 3)
    assert result.text == expected
    assert result.removed_markers == []
    assert result.unsupported_sentences == []
    assert validate_citations(result.text, 3) == result  # validating again changes nothing


def test_other_brackets_are_left_alone() -> None:
    text = "- [x] Read the [expense policy](https://wiki/expenses) before you travel [1]."
    assert validate_citations(text, 1).text == text


def test_sentences_without_a_marker_are_flagged() -> None:
    text = (
        "Meals are reimbursed up to 55 EUR per day [1]. Alcohol is never reimbursed by the "
        "company. Hotels are capped at 150 EUR [2].\n"
        "In short:\n"
        "- Keep the itemised receipt for every meal [1]\n"
        "- Taxis are fine after midnight in every city\n"
        "## Summary\n"
        "Thanks!"
    )
    result = validate_citations(text, 2)
    assert result.unsupported_sentences == [
        "Alcohol is never reimbursed by the company.",
        "- Taxis are fine after midnight in every city",
    ]


def test_a_sentence_whose_only_marker_was_invalid_becomes_unsupported() -> None:
    result = validate_citations("Parking is free at every office in Lisbon [5].", 2)
    assert result.unsupported_sentences == ["Parking is free at every office in Lisbon."]
    assert result.removed_markers == [5]


def test_the_no_answer_reply_needs_no_citation() -> None:
    result = validate_citations(NO_ANSWER, 3)
    assert result.text == NO_ANSWER
    assert result.unsupported_sentences == []


def test_markers_after_the_full_stop_stay_with_their_sentence() -> None:
    assert split_sentences("Meals are capped. [1] Hotels are capped too. [2]") == [
        "Meals are capped. [1]",
        "Hotels are capped too. [2]",
    ]
    result = validate_citations("Meals are capped at 55 EUR. [1] Hotels cost at most 150. [2]", 2)
    assert result.unsupported_sentences == []


def test_abbreviations_and_decimals_do_not_end_a_sentence() -> None:
    text = "Mileage is 0.30 EUR per km, e.g. for client visits [1]. Parking is separate [1]."
    assert len(split_sentences(text)) == 2


def test_used_markers_in_order_of_first_use() -> None:
    assert used_markers("B [3]. A [1][3]. C [2, 3].") == [3, 1, 2]
    assert used_markers("No markers here.") == []


def test_renumber_maps_and_drops() -> None:
    assert renumber("A [3]. B [1][3]. C [2].", {3: 1, 1: 2}) == "A [1]. B [1][2]. C."


def test_compact_renumbers_by_first_use() -> None:
    text, old = compact("Hotels [4]. Meals [2][4]. Mileage [5].")
    assert text == "Hotels [1]. Meals [1][2]. Mileage [3]."
    assert old == [4, 2, 5]


def test_numbered_steps_are_sentences_of_their_own() -> None:
    text = "1. Open Content Hub [1].\n2. Click Upload package [1].\n3. Wait for Package Check"
    assert split_sentences(text) == [
        "1. Open Content Hub [1].",
        "2. Click Upload package [1].",
        "3. Wait for Package Check",
    ]
    assert validate_citations(text, 1).unsupported_sentences == ["3. Wait for Package Check"]


def test_no_answer_variants() -> None:
    assert is_no_answer(" The sources do not cover this ")
    assert not is_no_answer("The sources do not cover this. But the hotel cap is 150 EUR [1].")
