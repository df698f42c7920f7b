"""Conflicting values across passages: find them and say so in one cited sentence.

A *quantity* is a number with what makes two of them comparable: its kind (a percentage, an
amount of one currency, a duration, a count of one noun, a year when the question asks
"when") and its value (a range "1,200 to 2,400" is an interval; "4.2 million" is scaled;
durations are in days). Its *anchor* is the content words around it in its sentence: what
the number is about.

Only questions that ask for a quantity are checked ("how many/much/long", "rate", "cost",
"percentage", "when", ...). Two answer units from different passages conflict when their
headline quantities of an asked kind (the one whose anchor holds most question words)

- differ: intervals apart by more than rounding;
- are about the same thing: the anchors share at least two words, one of them asked, the
  same scope words ("alone", "combined", "including" ...), not "before" one and "after" the
  other, and, when both have other figures next to them ("30-year", "Q3 2024"), one of those;
- and neither unit also states the other's value ("rose from 40 to 55" agrees with "55").

The first conflict found, the answer's own units first, becomes a note:

    Note: the sources disagree here: [1] says 30 days, [3] says 45 days.

When one side's passage is superseded, the note says which source is current; when both
passages carry different update dates, it names the newer one. Tuned on fitz-gov for few
false notes: most disputes that are not about numbers (yes/no, opinions) get none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.generation.words import STOPWORDS, WORD, stem, terms
from core.schema import Passage

TOLERANCE = 0.02  # within this relative gap two values are the same figure, rounded
WINDOW = 6  # words either side of a number that say what it is about
MIN_SHARED = 2  # anchor words two numbers must share to be about the same thing

# Spelled-out numbers count only before a time unit ("three-week"): "one of", "two things".
_WORDS = {
    "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0, "seven": 7.0,
    "eight": 8.0, "nine": 9.0, "ten": 10.0, "eleven": 11.0, "twelve": 12.0, "twenty": 20.0,
    "thirty": 30.0, "sixty": 60.0, "ninety": 90.0,
}  # fmt: skip
_NUMBER = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:{'|'.join(_WORDS)})\b"
_QUANTITY = re.compile(
    rf"(?<![\w.,/-])(?P<cur>[$€£¥])?\s?(?P<num>{_NUMBER})"
    rf"(?:\s?(?:-|–|to)\s?[$€£¥]?(?P<num2>{_NUMBER}))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|bn)\b|(?P<abbr>[KMBT])\b)?"
    r"(?P<pct>\s?%|\s(?:percent|per\s?cent)\b)?"
    r"(?:[\s-]+(?P<word>[A-Za-z]+))?",
    re.IGNORECASE,
)
_CODE_BEFORE = re.compile(r"\b(USD|EUR|GBP|CHF)\s?$")
_QUALIFIER = re.compile(r"[^\s,;:()]*\d[^\s,;:()]*")

# What a question asks for → the kinds of quantity that answer it.
_ASKS: list[tuple[re.Pattern[str], list[str]]] = [
    (re.compile(p, re.IGNORECASE), kinds)
    for p, kinds in [
        (r"\b(percent\w*|%|share|proportion|fraction)\b", ["percent"]),
        (r"\brates?\b", ["percent", "money"]),
        (
            r"\b(cost|price|fee|salary|wage|budget|spend\w*|revenue|income|profit|worth|"
            r"valuation|capitali[sz]ation|allowance|reimburs\w*|funding|fine|penalty)\b",
            ["money"],
        ),
        (r"\bhow much\b", ["money", "percent", "count:"]),
        (r"\b(how long|duration|how soon|how old|age|lifespan|period|deadline)\b", ["duration"]),
        (r"\b(when|what year|which year|since when|date)\b", ["year"]),
    ]
]
_HOW_MANY = re.compile(r"\b(?:how many|number of)\s+([A-Za-z]+)", re.IGNORECASE)

_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_ABBR = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}  # "$3.4T"; only after a currency
_CURRENCY = {
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP",
    "¥": "JPY", "chf": "CHF",
}  # fmt: skip
_DAYS = {
    "second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0,
    "month": 30.44, "year": 365.25, "decade": 3652.5,
}  # fmt: skip
# Words after a number that do not say what it counts ("40 of", "3 times", "10 more").
_NOT_NOUNS = STOPWORDS | frozenset(
    {"percent", "cent", "times", "fold", "less", "fewer", "nearly", "almost", "roughly"}
    | {"approximately", "higher", "lower", "per"}
)
# Words that only repeat the kind: no evidence that two numbers are about the same thing.
_KIND_WORDS = _NOT_NOUNS | {f"{u}s" for u in _DAYS} | set(_DAYS) | set(_CURRENCY)
_CLAUSE_END = re.compile(r"[;:—–()\[\]]|(?<![A-Z])[.!?](?=\s)")  # "U.S. EV" goes on
# Words that make a figure cover a part or a sum of something ("the Pacific alone covers 30%").
_SCOPE = frozenset(["alone", "including", "excluding", "combined", "together", "total"])


@dataclass(frozen=True)
class Quantity:
    """A number as written, its kind, its value (an interval) and the words around it."""

    text: str
    kind: str
    low: float
    high: float
    anchor: frozenset[str]
    marks: frozenset[str] = frozenset()  # other figures next to it ("30-year", "Q3")
    scope: frozenset[str] = frozenset()  # _SCOPE words next to it
    side: frozenset[str] = frozenset()  # "before" or "after" next to it

    def differs(self, other: Quantity) -> bool:
        """Same kind, and intervals apart by more than rounding."""
        if self.kind != other.kind:
            return False
        gap = max(self.low, other.low) - min(self.high, other.high)
        return gap > TOLERANCE * max(abs(self.high), abs(other.high))


@dataclass(frozen=True)
class Side:
    """One passage's answer unit: the passage's 0-based rank and the unit's text."""

    passage: int
    text: str


@dataclass(frozen=True)
class Conflict:
    """Two units of different passages that give different values for the same thing."""

    first: Side
    first_value: Quantity
    second: Side
    second_value: Quantity


def _number(raw: str, scale: str | None) -> float:
    value = _WORDS.get(raw.lower()) or float(raw.replace(",", ""))
    return value * _SCALE.get((scale or "").lower(), 1.0)


def _time_unit(word: str) -> str | None:
    word = word.lower().removesuffix("s")
    return word if word in _DAYS else None


def _kind(match: re.Match[str], code: str | None, years: bool) -> tuple[str, float] | None:
    """The quantity's kind and the factor to its comparable value; None when it has none."""
    word = (match["word"] or "").lower()
    if not match["num"][0].isdigit():
        unit = _time_unit(word)
        return ("duration", _DAYS[unit]) if unit and not match["num2"] else None
    if match["pct"]:
        return "percent", 1.0
    if match["cur"] or code or word in _CURRENCY:
        return "money:" + _CURRENCY[(match["cur"] or code or word).lower()], _ABBR.get(
            match["abbr"] or "", 1.0
        )
    if match["abbr"]:
        return None  # "3T" without a currency is a code, not an amount
    if unit := _time_unit(word):
        return "duration", _DAYS[unit]
    if match["num"].isdigit() and 1900 <= int(match["num"]) <= 2100 and not match["scale"]:
        # "2024 study" is a date, not a count of studies.
        return ("year", 1.0) if years and not match["num2"] else None
    if word and word not in _NOT_NOUNS and len(word) > 2:
        return "count:" + stem(word), 1.0
    return None


def _shown(match: re.Match[str], kind: str, code: str | None) -> str:
    """The quantity as the note quotes it: number, currency and unit, no trailing word."""
    end = match.end()
    if kind == "percent":
        end = match.end("pct")
    elif kind.startswith("money") and (match["word"] or "").lower() not in _CURRENCY:
        end = match.start("word") if match["word"] else end
    elif kind == "year":
        end = match.end("num")
    text = match.string[match.start() : end].strip()
    return f"{code} {text}" if code else text


def quantities(text: str, *, years: bool = False) -> list[Quantity]:
    """The comparable quantities of a text; plain years only when `years` is set."""
    words = [(m.start(), m.group()) for m in WORD.finditer(text)]
    clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        code_match = _CODE_BEFORE.search(text[: match.start()])
        code = code_match[1] if code_match else None
        kind = _kind(match, code, years)
        if kind is None:
            continue
        low = _number(match["num"], match["scale"]) * kind[1]
        high = _number(match["num2"], match["scale"]) * kind[1] if match["num2"] else low
        # The anchor stays inside the number's clause: the next clause may be about another thing.
        opens = max((e for e in clause_ends if e < match.start()), default=-1)
        closes = min((e for e in clause_ends if e >= match.end()), default=len(text))
        before = [(s, w) for s, w in words if opens < s < match.start()][-WINDOW:]
        after = [(s, w) for s, w in words if match.end() <= s < closes][:WINDOW]
        anchor = frozenset(
            stem(w)
            for _, w in [*before, *after]
            if not w[0].isdigit() and len(w) > 2 and w.lower() not in _KIND_WORDS
        )
        span = (
            text[before[0][0] if before else match.start() : match.start()]
            + " "
            + text[match.end() : after[-1][0] + len(after[-1][1]) if after else match.end()]
        )
        marks = frozenset(m.group().lower() for m in _QUALIFIER.finditer(span))
        near = frozenset(w.lower() for _, w in [*before, *after])
        found.append(
            Quantity(
                _shown(match, kind[0], code),
                kind[0],
                min(low, high),
                max(low, high),
                anchor,
                marks,
                scope=near & _SCOPE,
                side=near & {"before", "after"},
            )
        )
    return found


def asked_kinds(question: str) -> tuple[str, ...]:
    """The kinds of quantity the question asks for (prefixes of `Quantity.kind`); () if none."""
    kinds: list[str] = []
    for pattern, found in _ASKS:
        if pattern.search(question):
            kinds += found
    if many := _HOW_MANY.search(question):
        kinds += ["count:" + stem(many[1]), "count:"]
    return tuple(dict.fromkeys(kinds))


def _headline(values: Sequence[Quantity], kind: str, asked: set[str]) -> Quantity | None:
    """The unit's quantity of this kind whose anchor says most of the question's words."""
    fits = [q for q in values if q.kind.startswith(kind)]
    return max(fits, key=lambda q: len(q.anchor & asked), default=None)


def _same_thing(a: Quantity, b: Quantity, asked: set[str]) -> bool:
    """Anchors share enough words, one of them asked; neither covers a part or sum the other
    does not ("alone", "combined"); no other figure tells them apart ("15-year", "Q3")."""
    shared = a.anchor & b.anchor
    if len(shared) < MIN_SHARED or not shared & asked:
        return False
    if a.scope != b.scope or len(a.side | b.side) > 1:
        return False
    return not (a.marks and b.marks and not a.marks & b.marks)


def _states(values: Sequence[Quantity], value: Quantity) -> bool:
    """Whether one of the values is the same figure of the same kind."""
    return any(q.kind == value.kind and not q.differs(value) for q in values)


def _conflict(
    a: Side, b: Side, kinds: Sequence[str], asked: set[str]
) -> tuple[Quantity, Quantity] | None:
    """A differing pair of the units' headline quantities about the same asked thing."""
    years = "year" in kinds
    values_a, values_b = quantities(a.text, years=years), quantities(b.text, years=years)
    for kind in kinds:
        qa, qb = _headline(values_a, kind, asked), _headline(values_b, kind, asked)
        if qa is None or qb is None or not qa.differs(qb):
            continue
        if not _same_thing(qa, qb, asked):
            continue
        # A unit that also states the other's value agrees with it ("rose from 40 to 55").
        if _states(values_b, qa) or _states(values_a, qb):
            continue
        return qa, qb
    return None


def find_conflict(question: str, answer: Sequence[Side], others: Sequence[Side]) -> Conflict | None:
    """The first pair of units from different passages that conflict (module docstring)."""
    kinds = asked_kinds(question)
    if not kinds:
        return None
    asked = terms(question)
    sides = [*answer, *others]
    for i, first in enumerate(sides[: len(answer)]):
        for second in sides[i + 1 :]:
            if second.passage == first.passage:
                continue
            pair = _conflict(first, second, kinds, asked)
            if pair is not None:
                return Conflict(first, pair[0], second, pair[1])
    return None


def note(conflict: Conflict, passages: Sequence[Passage]) -> str:
    """The sentence that tells the reader about the conflict, citing both sides."""
    a, b = conflict.first, conflict.second
    pa, pb = passages[a.passage], passages[b.passage]
    says_a = f"[{a.passage + 1}] says {conflict.first_value.text}"
    says_b = f"[{b.passage + 1}] says {conflict.second_value.text}"
    if bool(pa.superseded_by) != bool(pb.superseded_by):
        old, new = (says_a, says_b) if pa.superseded_by else (says_b, says_a)
        return (
            f"Note: the sources disagree, and one is outdated: {old} but has been superseded; "
            f"the current source {new}."
        )
    if pa.updated and pb.updated and pa.updated.date() != pb.updated.date():
        newer = a if pa.updated > pb.updated else b
        date = max(pa.updated, pb.updated).date().isoformat()
        return (
            f"Note: the sources disagree here: {says_a}, {says_b}; "
            f"[{newer.passage + 1}] is the newer one (updated {date})."
        )
    return f"Note: the sources disagree here: {says_a}, {says_b}."
