"""Answer metrics: token F1, cosine, sentence and citation parsing, ALCE citation scores,
groundedness, abstention and leakage."""

from __future__ import annotations

import numpy as np
import pytest

from eval.metrics.answers import (
    AbstentionOutcome,
    abstention_accuracy,
    answer_rate,
    citation_precision,
    citation_recall,
    citation_scores,
    containment,
    groundedness,
    leakage_count,
    leaked_ids,
    parse_citations,
    reference_recall,
    semantic_similarity,
    statements as split_sentences,
    token_f1,
)
from eval.metrics.entailment import LexicalEntailment

PASSAGES = {
    1: "The Berlin office opened in 2019 and employs 40 engineers.",
    2: "The Lisbon office handles customer support for Europe.",
}
LEXICAL = LexicalEntailment()


# --- token F1, containment and cosine --------------------------------------------------


def test_containment_needs_the_reference_as_a_run_of_whole_tokens() -> None:
    answer = "Packages may be up to 500 MB [1]. The old import allowed 200 MB [2]."
    assert containment(answer, "500 MB") == 1.0
    assert containment(answer, "The 500 mb!") == 1.0  # normalised: case, articles, punctuation
    assert containment(answer, "50 MB") == 0.0  # "50" is not a whole token of "500"
    assert containment(answer, "MB 500") == 0.0  # order matters
    assert containment(answer, "") == 0.0


def test_reference_recall_counts_content_tokens_only() -> None:
    reference = "The cap is EUR 230 per night in London."
    # content tokens: cap, eur, 230, night, london (the, is, per, in are stop words)
    assert reference_recall("London hotels: EUR 230 a night.", reference) == pytest.approx(4 / 5)
    assert reference_recall("Book early.", reference) == 0.0
    # a reference of stop words only falls back to containment
    assert reference_recall("yes it is", "It is") == 1.0


def test_token_f1_hand_computed() -> None:
    # both normalise to "cat sat on mat"
    assert token_f1("The cat sat on the mat.", "A cat sat on a mat!") == 1.0
    # pred {paris, is, capital}, ref {capital, of, france, is, paris}: 3 shared
    # P = 3/3, R = 3/5, F1 = 2 * 1 * 0.6 / 1.6 = 0.75
    assert token_f1("Paris is the capital", "the capital of France is Paris") == pytest.approx(0.75)
    # repeated tokens count once per match: P = 1/3, R = 1/1, F1 = (2/3) / (4/3) = 0.5
    assert token_f1("no no no", "no") == pytest.approx(0.5)
    assert token_f1("Berlin", "Lisbon") == 0.0


def test_token_f1_empty() -> None:
    assert token_f1("", "") == 1.0
    assert token_f1("the", "a") == 1.0  # only articles: both empty after normalising
    assert token_f1("", "Paris") == 0.0
    assert token_f1("Paris", "") == 0.0


def test_semantic_similarity() -> None:
    assert semantic_similarity([1, 0], [0, 1]) == 0.0
    assert semantic_similarity([1, 2, 2], [2, 4, 4]) == pytest.approx(1.0)
    assert semantic_similarity([1, 0], [-1, 0]) == pytest.approx(-1.0)
    # (3*4 + 4*3) / (5 * 5) = 24/25
    assert semantic_similarity(np.array([3.0, 4.0]), np.array([4.0, 3.0])) == pytest.approx(0.96)
    with pytest.raises(ValueError, match="dimension"):
        semantic_similarity([1, 0], [1, 0, 0])
    with pytest.raises(ValueError, match="zero"):
        semantic_similarity([0, 0], [1, 0])


# --- sentences and markers -------------------------------------------------------------


def test_split_sentences_keeps_markers_and_abbreviations() -> None:
    text = (
        "Paris is the capital [1]. It has 2.1 million people.[2][3] "
        "Ask Dr. Smith, e.g. by mail. The limit is 5. Done!\n"
        "- a bullet [1, 2]\n1. A numbered item."
    )
    assert split_sentences(text) == [
        "Paris is the capital [1].",
        "It has 2.1 million people.[2][3]",
        "Ask Dr. Smith, e.g. by mail.",
        "The limit is 5.",
        "Done!",
        "a bullet [1, 2]",
        "A numbered item.",
    ]
    assert split_sentences("") == []


def test_parse_citations_marker_styles() -> None:
    answer = "Paris is the capital [1]. It has 2.1 million people.[2][3] Third [1, 2] claim. Plain."
    assert parse_citations(answer) == [
        ("Paris is the capital.", [1]),
        ("It has 2.1 million people.", [2, 3]),
        ("Third claim.", [1, 2]),
        ("Plain.", []),
    ]


def test_parse_citations_repeats_and_marker_only_lines() -> None:
    assert parse_citations("One [2][2][1].\n[3]") == [("One.", [2, 1, 3])]
    assert parse_citations("[1]") == []
    # A list or table answer can leave a bare "." after its last marker: not a sentence.
    assert parse_citations("- Hotels: 150 EUR [1]\n- Meals: 55 EUR [2]\n. [3]") == [
        ("Hotels: 150 EUR", [1]),
        ("Meals: 55 EUR", [2, 3]),
    ]


# --- ALCE citation recall and precision --------------------------------------------------


def test_correct_single_citation() -> None:
    scores = citation_scores("The Berlin office opened in 2019 [1].", PASSAGES, LEXICAL)
    assert (scores.recall, scores.precision) == (1.0, 1.0)


def test_wrong_citation() -> None:
    # [1] is about Berlin; the sentence is about Lisbon: coverage 1/5 → unsupported,
    # so the sentence misses recall and its only citation is irrelevant.
    scores = citation_scores("The Lisbon office handles customer support [1].", PASSAGES, LEXICAL)
    assert (scores.recall, scores.precision) == (0.0, 0.0)


def test_sentence_without_citation() -> None:
    # Supported by passage 2, but cites nothing: recall 0; no citations → precision None.
    scores = citation_scores("Lisbon handles support for Europe.", PASSAGES, LEXICAL)
    assert (scores.recall, scores.precision) == (0.0, None)


def test_redundant_citation() -> None:
    # [1] alone supports the sentence; [2] alone does not, and without [2] the rest ([1])
    # still does → [2] is irrelevant. Recall 1/1, precision 1/2.
    scores = citation_scores("The Berlin office employs 40 engineers [1][2].", PASSAGES, LEXICAL)
    assert (scores.recall, scores.precision) == (1.0, 0.5)
    assert scores.sentences[0].relevant_markers == (1,)


def test_citations_needed_jointly_are_both_relevant() -> None:
    # terms {berlin, offic, open, 2019, lisbon, handl, customer, support}:
    # [1] alone covers 4/8 = 0.5 < 0.6; [2] alone 5/8 but lacks 2019; together 8/8.
    # Neither is irrelevant (removing either breaks support): precision 2/2.
    answer = (
        "The Berlin office opened in 2019 and the Lisbon office handles customer support [1][2]."
    )
    assert citation_scores(answer, PASSAGES, LEXICAL).precision == 1.0


def test_answer_mixing_all_cases() -> None:
    answer = (
        "The Berlin office opened in 2019 [1]. "  # supported; 1 of 1 citation relevant
        "The Lisbon office handles customer support [1]. "  # unsupported; 0 of 1
        "The Berlin office employs 40 engineers [1][2]. "  # supported; 1 of 2
        "Lisbon handles support for Europe."  # no citation: unsupported, nothing to count
    )
    # recall = (1 + 0 + 1 + 0) / 4 sentences = 0.5; precision = (1 + 0 + 1) / 4 citations
    assert citation_recall(answer, PASSAGES, LEXICAL) == 0.5
    assert citation_precision(answer, PASSAGES, LEXICAL) == 0.5


def test_alce_logic_with_an_exact_entailment() -> None:
    # Any Entailment plugs in; this one supports a claim when every fact letter is present.
    facts = {"A and B.": "AB", "A only.": "A"}

    def entails(premise: str, hypothesis: str) -> bool:
        return all(fact in premise for fact in facts[hypothesis])

    passages = {1: "A", 2: "B", 3: "A", 4: "C"}
    # joint [1][2] = "A\nB" supports; neither alone; each needed → both relevant
    assert citation_scores("A and B [1][2].", passages, entails).precision == 1.0
    # [1][3][4] supports "A only": 1 and 3 each support alone (relevant); 4 neither → 2/3
    assert citation_scores("A only [1][3][4].", passages, entails).precision == pytest.approx(2 / 3)
    # not jointly supported → every citation irrelevant, as in ALCE
    assert citation_scores("A and B [1][4].", passages, entails).precision == 0.0
    # a marker with no passage supports nothing
    scores = citation_scores("A only [1][9].", passages, entails)
    assert (scores.recall, scores.precision) == (0.0, 0.0)


def test_empty_answer_is_not_scored() -> None:
    scores = citation_scores("", PASSAGES, LEXICAL)
    assert (scores.recall, scores.precision, scores.sentences) == (None, None, ())


# --- groundedness ------------------------------------------------------------------------


def test_groundedness_uses_every_cited_passage() -> None:
    # The second sentence cites nothing, but passage 1 (cited by the first) supports it:
    # groundedness 2/2 while citation recall is 1/2.
    answer = "The Berlin office opened in 2019 [1]. It employs 40 engineers."
    assert groundedness(answer, PASSAGES, LEXICAL) == 1.0
    assert citation_recall(answer, PASSAGES, LEXICAL) == 0.5
    # {berlin, offic, employ, 45, engineer}: 45 is not in any cited passage → 1/2
    assert (
        groundedness("Berlin opened in 2019 [1]. It employs 45 engineers.", PASSAGES, LEXICAL)
        == 0.5
    )


def test_groundedness_edges() -> None:
    assert groundedness("The Berlin office opened in 2019.", PASSAGES, LEXICAL) == 0.0
    assert groundedness("", PASSAGES, LEXICAL) is None


# --- abstention and leakage --------------------------------------------------------------


def test_abstention_and_answer_rate() -> None:
    items = [
        AbstentionOutcome(answerable=False, abstained=True),
        AbstentionOutcome(answerable=False, abstained=False),
        AbstentionOutcome(answerable=False, abstained=True),
        AbstentionOutcome(answerable=True, abstained=False),
        AbstentionOutcome(answerable=True, abstained=True),
    ]
    assert abstention_accuracy(items) == pytest.approx(2 / 3)  # 2 of 3 unanswerable
    assert answer_rate(items) == 0.5  # 1 of 2 answerable
    assert abstention_accuracy(items[3:]) is None
    assert answer_rate(items[:3]) is None


def test_leakage() -> None:
    outputs = [["d1", "d2"], ["d3"], [], ["d2", "d4", "d4"]]
    assert leakage_count(outputs, allowed={"d1", "d2"}) == 2  # outputs 2 (d3) and 4 (d4)
    assert leakage_count(outputs, forbidden={"d3"}) == 1
    assert leaked_ids(["d2", "d4", "d4"], allowed={"d1", "d2"}) == ["d4"]
    assert leakage_count([], forbidden={"d3"}) == 0
    with pytest.raises(ValueError, match="exactly one"):
        leakage_count(outputs)
    with pytest.raises(ValueError, match="exactly one"):
        leaked_ids(["d1"], allowed={"d1"}, forbidden={"d2"})
