"""Search highlights: passage text HTML-escaped, with the query's words wrapped in <mark>.

A word of the text matches when its light stem (plural and -ing/-ed endings removed, case
folded) equals the stem of a query word that is not a stopword.
"""

from __future__ import annotations

import html
import re

_WORD = re.compile(r"\w+(?:['’]\w+)*")
# fmt: off
_STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "should",
    "the", "their", "there", "this", "to", "was", "what", "when", "where", "which", "who", "why",
    "will", "with", "you", "your",
])
# fmt: on


def stem(word: str) -> str:
    """A crude stem, good enough to match 'quizzes' with 'quiz' and 'capped' with 'cap'."""
    w = word.casefold()
    for suffix, keep in (("ies", "y"), ("zzes", "z"), ("sses", "ss"), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            w = w[: -len(suffix)] + keep
            break
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "lsz":  # capped → cap
                w = w[:-1]
            break
    return w.rstrip("e") if len(w) > 4 else w


def query_stems(query: str) -> set[str]:
    """Stems of the query's content words."""
    return {
        stem(w)
        for w in _WORD.findall(query)
        if w.casefold() not in _STOPWORDS and (len(w) > 1 or w.isdigit())
    }


def highlight(text: str, query: str) -> str:
    """The text, HTML-escaped, with every word matching a query word in <mark>…</mark>."""
    stems = query_stems(query)
    if not stems:
        return html.escape(text)
    out: list[str] = []
    pos = 0
    for match in _WORD.finditer(text):
        if stem(match.group()) in stems:
            out.append(html.escape(text[pos : match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            pos = match.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)
