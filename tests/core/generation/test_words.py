"""Question terms and typo-tolerant matching, shared by the answerability gate and the generator."""

from __future__ import annotations

from core.generation.words import fuzzy_in, question_terms, text_terms


def test_frame_and_stop_words_do_not_count_names_and_numbers_do_double() -> None:
    terms = question_terms("How long do I actually have to submit Ledgerly claims for 2025?")
    assert terms == {"submi": 1.0, "ledge": 2.0, "claim": 1.0, "2025": 2.0}


def test_the_asked_for_phrase_weighs_more() -> None:
    terms = question_terms("What's the maximum file size for a thumbnail?", focus_weight=3.0)
    assert terms["maxim"] == terms["file"] == terms["size"] == 3.0
    assert terms["thumb"] == 1.0


def test_hyphenated_words_are_split_in_questions_and_passages_alike() -> None:
    assert set(question_terms("What's the per-learner price?")) == {"per", "learn", "price"}
    assert {"per", "learn", "price"} <= text_terms("The **per-learner** price is 40 EUR.")


def test_a_typo_matches_its_word() -> None:
    found = text_terms("The default pass mark for a quiz is 80%. Report a lost laptop at once.")
    assert [fuzzy_in(t, found) for t in question_terms("wat is the quizz pas mark")] == [
        True, True, True,
    ]  # fmt: skip
    assert fuzzy_in("labto", found)  # "labtop": one letter off "laptop"


def test_fuzzy_matching_stays_strict_where_a_letter_changes_the_meaning() -> None:
    assert not fuzzy_in("2024", {"2025"})  # numbers match exactly
    assert not fuzzy_in("motel", {"hotel"})  # the first letter must agree
    assert not fuzzy_in("ab", {"abc"})  # too short to guess
    assert not fuzzy_in("polic", {"pilot"})


def test_per_time_adverbs_meet_their_noun() -> None:
    assert {"day", "limit"} <= set(question_terms("What is the daily limit?"))
    assert "day" in text_terms("up to 55 EUR per day")
