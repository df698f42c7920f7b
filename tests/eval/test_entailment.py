"""The lexical entailment proxy: term coverage, stemming and the number rule."""

from __future__ import annotations

import pytest

from eval.metrics.entailment import Entailment, LexicalEntailment, content_terms, numbers, stem

PREMISE = "The Berlin office opened in 2019 and employs 1,000 engineers."


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("offices", "offic"),  # plural, then final e
        ("studies", "study"),
        ("classes", "class"),
        ("status", "status"),  # -us is not a plural
        ("opening", "open"),
        ("opened", "open"),
        ("engineers", "engineer"),
        ("buildings", "build"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_content_terms_drop_stopwords_and_keep_numbers() -> None:
    assert content_terms("The company's revenue was 4.5 million in 2023.") == {
        "company",
        "revenu",
        "4.5",
        "million",
        "2023",
    }
    assert numbers("1,000 users and 1000 more; 3.25%") == {"1000", "3.25"}


def test_supported_by_coverage() -> None:
    entails = LexicalEntailment()
    # content terms {berlin, offic, open, 2019}: all in the premise → 4/4
    assert entails(PREMISE, "The Berlin offices were opening in 2019.")
    # {berlin, offic, 1000, engineer}: 4/4, and "1000" matches "1,000"
    assert entails(PREMISE, "Berlin's office has 1000 engineers.")


def test_coverage_threshold() -> None:
    entails = LexicalEntailment(threshold=0.6)
    # {berlin, offic, open, lisbon, madrid}: 3/5 = 0.6 → supported at exactly the threshold
    hypothesis = "Berlin office opened Lisbon Madrid"
    assert entails.coverage(PREMISE, hypothesis) == pytest.approx(0.6)
    assert entails(PREMISE, hypothesis)
    # {berlin, offic, lisbon, madrid, rome}: 2/5 = 0.4 → not supported
    assert not entails(PREMISE, "Berlin office Lisbon Madrid Rome")
    assert not LexicalEntailment(threshold=0.61)(PREMISE, hypothesis)


def test_every_number_must_match() -> None:
    entails = LexicalEntailment()
    # {berlin, offic, open, 2020}: coverage 3/4 = 0.75, but 2020 is not in the premise
    assert not entails(PREMISE, "The Berlin office opened in 2020.")
    assert not entails(PREMISE, "The Berlin office employs 1,200 engineers.")


def test_empty_premise_supports_nothing_and_empty_claim_is_covered() -> None:
    entails = LexicalEntailment()
    assert not entails("", "Berlin")
    assert not entails("   ", "It is.")
    assert entails(PREMISE, "It is.")  # no content terms: nothing to miss


def test_lexical_proxy_is_an_entailment() -> None:
    proxy: Entailment = LexicalEntailment()
    assert proxy(PREMISE, "Berlin office")
