"""How chosen units are laid out: the best first, outdated facts last and marked as earlier."""

from __future__ import annotations

from core.generation.composition import Candidate, answer_order, render
from core.generation.units import Unit
from tests.core.generation.samples import passage

NEW = passage("new", "Quiz standards (2025)", ["Pass mark"], "The pass mark is 80%.")
OLD = passage("old", "Quiz standards (2022)", ["Pass mark"], "The pass mark is 70%.")
OLD = OLD.model_copy(update={"superseded_by": NEW.document_id})


def _cand(text: str, passage: int, position: int, score: float, block: int = 0) -> Candidate:
    return Candidate(Unit(text, "sentence", position, block), passage, score=score)


def test_the_best_unit_leads_and_the_rest_keep_reading_order() -> None:
    chosen = [
        _cand("Quizzes are written in Lumen.", 0, 0, 0.5),
        _cand("The pass mark is 80% for every course.", 0, 1, 0.9),
        _cand("Regulated courses may set up to 90%.", 0, 2, 0.6),
    ]
    ordered = [c.unit.text for c in answer_order(chosen)]
    assert ordered == [
        "The pass mark is 80% for every course.",
        "Quizzes are written in Lumen.",
        "Regulated courses may set up to 90%.",
    ]


def test_a_sentence_that_leans_back_keeps_the_one_before_it() -> None:
    chosen = [
        _cand("Scores are kept for a year.", 0, 0, 0.4, block=1),
        _cand("Learners get two attempts at every quiz.", 0, 4, 0.6, block=2),
        _cand("This includes the final assessment.", 0, 5, 0.9, block=2),
    ]
    ordered = [c.unit.text for c in answer_order(chosen)]
    assert ordered[:2] == [
        "Learners get two attempts at every quiz.",
        "This includes the final assessment.",
    ]


def test_outdated_facts_come_last_marked_earlier() -> None:
    chosen = [
        _cand("The pass mark is 70% for every course.", 1, 0, 0.95),
        _cand("The pass mark is 80% for every course.", 0, 0, 0.9),
    ]
    text = render(answer_order(chosen), [NEW, OLD])
    assert text == (
        "The pass mark is 80% for every course [1].\n\n"
        "Earlier: The pass mark is 70% for every course [2] (superseded by Quiz standards (2025))."
    )


def test_only_outdated_facts_are_shown_plainly() -> None:
    text = render([_cand("The pass mark is 70% for every course.", 1, 0, 0.9)], [NEW, OLD])
    assert text == "The pass mark is 70% for every course [2]."


def test_under_a_matching_heading_the_section_opens_the_answer() -> None:
    chosen = [
        _cand("500 MB per zip file.", 0, 0, 0.7),
        _cand("The old import had a 200 MB limit until June.", 0, 1, 0.9),
    ]
    for c in chosen:
        c.in_section = True
    assert [c.unit.text for c in answer_order(chosen)] == [
        "500 MB per zip file.",
        "The old import had a 200 MB limit until June.",
    ]
