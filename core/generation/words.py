"""Content words of questions and answer units: stopwords and a crude stem, shared by generators."""

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


def stem(word: str) -> str:
    """A crude stem: lowercase, no plural s, first five letters ('travelling' ~ 'travel')."""
    word = word.lower().replace("’", "'")
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    return word if word[0].isdigit() else word[:5]


def terms(text: str) -> set[str]:
    """Stems of the text's content words."""
    return {stem(w) for w in WORD.findall(text) if w.lower() not in STOPWORDS}
