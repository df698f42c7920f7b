"""Whether a passage supports a statement: the `Entailment` seam and a lexical proxy for it.

Citation metrics take any `Entailment`; an NLI model (ALCE uses TRUE, a T5-11B NLI model)
plugs in through the same call. `LexicalEntailment` is NOT natural-language inference: it asks
whether the statement's content words and numbers occur in the passage. It is deterministic
and free, and it catches unsupported numbers and wrong-topic citations; it misses paraphrase
(false "unsupported") and negation or swapped roles (false "supported"). Report it by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[a-z]+")  # "company's" → company + s (a stopword)

# Function and question words carry no claim. "no" and "not" are stopwords too: a proxy
# this simple cannot judge negation, and counting them as terms would only pretend to.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just may me might more most must my myself neither
    no nor not now of off on once only or other our ours ourselves out over own same shall
    she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up upon us very was we were what when where
    which while who whom whose why will with would yet you your yours yourself yourselves
    s t""".split()  # noqa: SIM905 (a word list reads better as text)
)


class Entailment(Protocol):
    """Decides whether `premise` supports `hypothesis`."""

    def __call__(self, premise: str, hypothesis: str) -> bool: ...


def stem(word: str) -> str:
    """Crude suffix stripping (plurals, -ing, -ed, final e), applied alike to both sides."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def numbers(text: str) -> set[str]:
    """Numbers in the text, thousands separators removed ("1,000" == "1000")."""
    found = set()
    for match in _NUMBER.findall(text):
        found.add(re.sub(r"(?<=\d),(?=\d{3}\b)", "", match))
    return found


def content_terms(text: str) -> set[str]:
    """Lowercased, stemmed non-stopwords plus the numbers of the text."""
    lowered = _NUMBER.sub(" ", text.lower())
    words = {stem(w) for w in _WORD.findall(lowered) if w not in STOPWORDS}
    return words | numbers(text)


@dataclass(frozen=True)
class LexicalEntailment:
    """Lexical proxy for entailment (not NLI): term coverage >= threshold and every number."""

    threshold: float = 0.6

    def coverage(self, premise: str, hypothesis: str) -> float:
        """Share of the hypothesis's content terms found in the premise (1.0 if it has none)."""
        wanted = content_terms(hypothesis)
        if not wanted:
            return 1.0
        return len(wanted & content_terms(premise)) / len(wanted)

    def __call__(self, premise: str, hypothesis: str) -> bool:
        """True when the premise covers enough of the hypothesis and all of its numbers."""
        if not premise.strip():
            return False
        if not numbers(hypothesis) <= numbers(premise):
            return False
        return self.coverage(premise, hypothesis) >= self.threshold
