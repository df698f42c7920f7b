"""The one sentence splitter, on what passages and answers hold."""

from __future__ import annotations

from core.generation.sentences import split_sentences


def test_markup_before_an_abbreviation_does_not_end_a_sentence() -> None:
    assert split_sentences("Ask **Dr. Elena Marsh** first. (Prof. Kim) agrees.") == [
        "Ask **Dr. Elena Marsh** first.",
        "(Prof. Kim) agrees.",
    ]


def test_a_line_break_ends_a_sentence_and_list_numbers_stay() -> None:
    text = "1. Save the project.\n2. Export it (SCORM 1.2 only.) Then upload\nit"
    assert split_sentences(text) == [
        "1. Save the project.",
        "2. Export it (SCORM 1.2 only.)",
        "Then upload",
        "it",
    ]


def test_marker_lists_and_ellipses() -> None:
    assert split_sentences("Capped at 55 EUR.[1, 2] Wait... Then go! Done") == [
        "Capped at 55 EUR.[1, 2]",
        "Wait...",
        "Then go!",
        "Done",
    ]
    assert split_sentences(" \n ") == []
