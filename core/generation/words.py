"""Content words of questions and passages: stopwords, a stem, question terms, typo matching."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|\d+(?:[.,]\d+)*%?")
_STOPWORDS = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours get got need needs want wants tell know please much many there's what's i'm"""
STOPWORDS = frozenset(_STOPWORDS.split())


# Adverbs of time that a five-letter prefix would not bring back to their noun.
_PER_TIME = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year",
             "hourly": "hour", "annually": "annual"}  # fmt: skip


def stem(word: str) -> str:
    """A crude stem: lowercase, no plural s, first five letters ('travelling' ~ 'travel')."""
    word = word.lower().replace("’", "'")
    word = _PER_TIME.get(word, word)  # "daily limit" ~ "55 EUR per day"
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return word if word[0].isdigit() else word[:5]


def terms(text: str) -> set[str]:
    """Stems of the text's content words."""
    return {stem(w) for w in WORD.findall(text) if w.lower() not in STOPWORDS}


# Question terms: one implementation for the answerability gate and the extractive generator.
_MARKUP = re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
# Hyphenated words split ("per-learner" → per, learner), so question and passage agree.
_TERM_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|\d+(?:[.,]\d+)*%?")
# Words that frame a question rather than name what it is about: their absence from a
# passage says nothing ("How long ..." is answered by "within 30 days").
_FRAME_WORDS = """long often far big large small quick quickly fast soon early late get got
    take go going make give need use used happen know ask asking talk help who's actually
    anything someone somebody anyone thing things way mean supposed sort can't cannot find
    look kind type able expect expected exactly usually normally typically still right best
    also say must might wat whats wht hw"""
_FRAME = frozenset(stem(w) for w in _FRAME_WORDS.split())  # "happened" is framing too
# The phrase a wh-question asks for: "What's the <maximum file size> for ...",
# "Which <hotel chain> does ...", "How many <paid sick days> do ...".
_FOCUS = re.compile(
    r"^\s*(?:what(?:'s|’s| is| was| are| were)?|which|how (?:many|much)|who(?:'s| is)?)\s+"
    r"(?:(?:the|our|a|an|we|my|your)\s+)*"
    r"(?P<focus>(?:[\w'’-]+\s+){0,3}?[\w'’-]+?)"
    r"(?=\s+(?:of|for|in|on|at|does|do|did|is|are|was|were|can|should|when|to|that|per|by|"
    r"with|we)\b|\s*\?|\s*$)",
    re.IGNORECASE,
)
_AUXILIARY = frozenset(
    ["does", "do", "did", "is", "are", "was", "were", "can", "should", "will", "would"]
)


def plain(text: str) -> str:
    """Text without markdown emphasis and code marks, for embedding and matching."""
    return _MARKUP.sub("", text)


def question_terms(question: str, focus_weight: float = 2.0) -> dict[str, float]:
    """Content terms of a question (stems) with weights.

    Numbers and names weigh 2; the asked-for phrase's terms weigh `focus_weight` times more;
    stopwords and question-frame words ("how long", "get", "actually") are left out.
    """
    match = _FOCUS.search(question)
    focus: set[str] = set()
    if match and match["focus"].split()[0].lower() not in _AUXILIARY:
        focus = {stem(w) for w in _TERM_WORD.findall(match["focus"])}
    weights: dict[str, float] = {}
    for i, word in enumerate(_TERM_WORD.findall(question)):
        if word.lower() in STOPWORDS or stem(word) in _FRAME:
            continue
        special = any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])
        special = special or (i > 0 and word[0].isupper())
        term = stem(word)
        weight = (2.0 if special else 1.0) * (focus_weight if term in focus else 1.0)
        weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def text_terms(text: str) -> set[str]:
    """The stems of a text's words, as `question_terms` makes them."""
    return {stem(w) for w in _TERM_WORD.findall(plain(text)) if w.lower() not in STOPWORDS}


def fuzzy_in(term: str, found: set[str]) -> bool:
    """Whether `term` or a one-typo variant of it (edit distance 1, 3+ letters) is in `found`."""
    if term in found:
        return True
    if len(term) < 3 or term[0].isdigit():
        return False
    return any(
        abs(len(other) - len(term)) <= 1 and other[:1] == term[:1] and _one_edit(term, other)
        for other in found
    )


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one insertion, deletion, substitution or transposition."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        rest_a, rest_b = a[i + 1 :], b[i + 1 :]
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
        return rest_a == rest_b or (swapped and a[i + 2 :] == b[i + 2 :])
    return a[i:] == b[i + 1 :]
