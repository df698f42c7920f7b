"""The golden set over examples/sample: it loads, covers every category, and agrees with the corpus.

The corpus is parsed once with the real connectors, and owners from the OWNERS file are added
the way ingestion adds them, so document ids, access groups, authors and text are the ones
Watercooler would index. See eval/datasets/golden/README.md for what the categories mean.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from core.schema import Document, person_id_for
from core.sources import SourceConfig, load_sources
from eval.datasets.golden import GoldenItem, GoldenUser, load_golden
from ingest.connectors import connector_for
from ingest.owners import OwnersFile
from ingest.people import PeopleResolver, load_people

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "datasets" / "golden"
FULL = GOLDEN / "sample-v1.jsonl"
SMOKE = GOLDEN / "smoke-v1.jsonl"

# Each item carries exactly one of these tags; the numbers are the minimum count per category.
MINIMUMS = {
    "factual": 45,
    "multi-doc": 10,
    "superseded": 8,
    "who": 22,
    "unanswerable": 16,
    "acl": 10,
    "acl-allowed": 5,
}
ANSWERABLE = {"factual", "multi-doc", "superseded", "who", "acl-allowed"}
KINDS = ("wiki", "blog", "doc", "video")
MAX_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Corpus:
    documents: dict[str, Document]
    people: set[str]

    def doc(self, doc_id: str) -> Document:
        assert doc_id in self.documents, f"unknown document id {doc_id}"
        return self.documents[doc_id]


def _attribute(
    doc: Document, source: SourceConfig, owners: OwnersFile, resolver: PeopleResolver
) -> None:
    """Owners from OWNERS, owners as authors when none are named, people resolved (as ingestion)."""
    if doc.path:
        path = source.path / doc.path if source.path.is_dir() else source.path
        known = {(c.email or c.name or "").lower() for c in doc.owners}
        extra = owners.owners_for(path)
        doc.owners += [c for c in extra if (c.email or c.name or "").lower() not in known]
    if not doc.authors and doc.owners:
        doc.authors = [c.model_copy() for c in doc.owners]
    for contributor in doc.authors + doc.owners:
        resolver.resolve(contributor)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    sources = load_sources()
    assert sources.owners and sources.people
    owners = OwnersFile.load(sources.owners)
    people = load_people(sources.people)
    resolver = PeopleResolver(people)
    documents: dict[str, Document] = {}
    for source in sources.sources:
        connector = connector_for(source, MAX_BYTES)
        for path in connector.files():
            for doc in connector.parse(path):
                _attribute(doc, source, owners, resolver)
                documents[doc.id] = doc
    return Corpus(documents, {person_id_for(p.name, p.email) for p in people})


@pytest.fixture(scope="module")
def full() -> list[GoldenItem]:
    return load_golden(FULL)


@pytest.fixture(scope="module")
def smoke() -> list[GoldenItem]:
    return load_golden(SMOKE)


def _category(item: GoldenItem) -> str:
    found = [tag for tag in item.tags if tag in MINIMUMS]
    assert len(found) == 1, f"{item.id}: expected one category tag, got {found}"
    return found[0]


def _prefixed(item: GoldenItem, prefix: str) -> list[str]:
    return [tag.removeprefix(prefix) for tag in item.tags if tag.startswith(prefix)]


def _visible(user: GoldenUser, doc: Document) -> bool:
    """Public documents, or ones sharing a group with the user (core.auth.can_see's rule)."""
    return not doc.groups or not set(doc.groups).isdisjoint([f"user:{user.id}", *user.groups])


# -- numbers, written as digits or in words (transcripts spell them out) ---------------------

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_UNIT_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
)
_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
    " thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS.split())}
_TENS = {word: 10 * value for value, word in enumerate(_TEN_WORDS.split(), start=2)}
_ORDINALS = {word: value for value, word in enumerate(_ORDINAL_WORDS.split(), start=1)}
_ORDINALS |= {"twentieth": 20, "thirtieth": 30}
_SCALES = {"thousand": 1_000, "million": 1_000_000}


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _normal(number: str) -> str:
    """'09' -> '9', '2.0' -> '2', '0.35' -> '0.35'."""
    return format(Decimal(number).normalize(), "f")


def _digit_numbers(text: str) -> set[str]:
    """Numbers written with digits; '5,000' is one number, '3,4' two."""
    found = set()
    for match in _DIGITS.findall(text):
        if _THOUSANDS.fullmatch(match):
            found.add(_normal(match.replace(",", "")))
        else:
            found |= {_normal(part) for part in match.split(",")}
    return found


def _spelled_numbers(text: str) -> set[str]:
    """Numbers written in words: 'one thousand one hundred and forty', 'thirty-first'."""
    found: set[str] = set()
    total = current = 0
    active = False
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _UNITS or word in _TENS or word in _ORDINALS:
            current += _UNITS.get(word, 0) + _TENS.get(word, 0) + _ORDINALS.get(word, 0)
            active = True
        elif word == "hundred" and active:
            current = max(current, 1) * 100
        elif word in _SCALES and active:
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif word == "and" and active:
            continue
        else:
            if active:
                found.add(str(total + current))
            total = current = 0
            active = False
    if active:
        found.add(str(total + current))
    return found


def _numbers(text: str) -> set[str]:
    return _digit_numbers(text) | _spelled_numbers(text)


def test_number_extraction() -> None:
    assert _numbers("Up to 5,000 rows; EUR 0.35 per km; 02:00 UTC; v2.0") >= {
        "5000",
        "0.35",
        "2",
        "0",
    }
    spoken = "one thousand one hundred and forty sessions, the thirty-first of December, 99.5"
    assert _numbers(spoken) >= {"1140", "31", "99.5"}
    assert "250" in _numbers("two hundred and fifty euros a week")


# -- the files ------------------------------------------------------------------------------


def test_files_load_and_smoke_is_a_subset(full: list[GoldenItem], smoke: list[GoldenItem]) -> None:
    by_id = {item.id: item for item in full}
    assert len(full) >= 110
    assert 25 <= len(smoke) <= 35
    for item in smoke:
        assert item.id in by_id, f"smoke item {item.id} is not in the full set"
        assert item == by_id[item.id], f"smoke item {item.id} differs from the full set"
    assert {_category(item) for item in smoke} == set(MINIMUMS)


def test_every_category_meets_its_minimum(full: list[GoldenItem]) -> None:
    counts = Counter(_category(item) for item in full)
    for category, minimum in MINIMUMS.items():
        assert counts[category] >= minimum, f"{category}: {counts[category]} < {minimum}"


def test_items_have_the_shape_of_their_category(full: list[GoldenItem]) -> None:
    for item in full:
        category = _category(item)
        assert len(_prefixed(item, "topic:")) == 1, f"{item.id}: needs one topic: tag"
        if category in ANSWERABLE:
            assert item.answerable and item.relevant_document_ids, item.id
        if category == "unanswerable":
            assert not item.answerable, item.id
            assert not item.user.groups, f"{item.id}: unanswerable items are asked without groups"
        if category == "multi-doc":
            assert len(item.relevant_document_ids) >= 2, item.id
        if category == "who":
            assert 1 <= len(item.expected_people) <= 3, item.id
        if category == "superseded":
            assert _prefixed(item, "outdated:"), f"{item.id}: names no outdated document"
        if category in ("acl", "acl-allowed"):
            assert _prefixed(item, "restricted:"), f"{item.id}: names no restricted document"
        elif category != "who":
            assert item.user == GoldenUser(), f"{item.id}: only access items set a user"


def test_relevant_documents_exist_and_the_user_can_see_them(
    full: list[GoldenItem], corpus: Corpus
) -> None:
    for item in full:
        for doc_id in item.relevant_document_ids:
            doc = corpus.doc(doc_id)
            assert _visible(item.user, doc), f"{item.id}: {doc_id} is hidden from the user"


def test_kind_tags_match_the_documents(full: list[GoldenItem], corpus: Corpus) -> None:
    video_items = 0
    seen: set[str] = set()
    for item in full:
        # the documents an answer draws on; for a refused question, the ones it must not use
        ids = item.relevant_document_ids or _prefixed(item, "restricted:")
        expected = {corpus.doc(doc_id).kind.value for doc_id in ids}
        tagged = {tag for tag in item.tags if tag in KINDS}
        assert tagged == expected, f"{item.id}: kind tags {tagged} but documents are {expected}"
        seen |= tagged
        relevant_kinds = {corpus.doc(doc_id).kind.value for doc_id in item.relevant_document_ids}
        video_items += item.answerable and "video" in relevant_kinds
    assert seen == set(KINDS)
    assert video_items >= 8


def test_expected_people_are_in_the_directory(full: list[GoldenItem], corpus: Corpus) -> None:
    for item in full:
        assert len(set(item.expected_people)) == len(item.expected_people)
        unknown = set(item.expected_people) - corpus.people
        assert not unknown, f"{item.id}: {unknown} not in people.yaml"


def test_who_items_name_authors_or_owners(full: list[GoldenItem], corpus: Corpus) -> None:
    for item in full:
        if _category(item) != "who":
            continue
        contributors = set()
        for doc_id in item.relevant_document_ids:
            doc = corpus.doc(doc_id)
            contributors |= {c.person_id for c in doc.authors + doc.owners}
        stray = set(item.expected_people) - contributors
        assert not stray, f"{item.id}: {stray} neither wrote nor owns a relevant document"


def test_superseded_items_point_past_the_outdated_document(
    full: list[GoldenItem], corpus: Corpus
) -> None:
    for item in full:
        for doc_id in _prefixed(item, "outdated:"):
            assert _category(item) == "superseded", item.id
            assert corpus.doc(doc_id).is_public, f"{item.id}: outdated {doc_id} is restricted"
            assert doc_id not in item.relevant_document_ids, item.id


def test_restricted_documents_match_the_users_access(
    full: list[GoldenItem], corpus: Corpus
) -> None:
    for item in full:
        allowed = _category(item) == "acl-allowed"
        for doc_id in _prefixed(item, "restricted:"):
            doc = corpus.doc(doc_id)
            assert doc.groups, f"{item.id}: {doc_id} is not restricted"
            if allowed:
                assert _visible(item.user, doc), f"{item.id}: user lacks the groups of {doc_id}"
                assert doc_id in item.relevant_document_ids, item.id
            else:
                assert not _visible(item.user, doc), f"{item.id}: user can see {doc_id}"
        if allowed:
            assert item.user.groups, item.id


def test_reference_answer_numbers_appear_in_a_relevant_document(
    full: list[GoldenItem], corpus: Corpus
) -> None:
    texts = {
        doc_id: _numbers(f"{doc.title}\n{doc.text}") for doc_id, doc in corpus.documents.items()
    }
    problems = []
    for item in full:
        if not item.answerable:
            continue
        for number in sorted(_digit_numbers(item.reference_answer)):
            if not any(number in texts[doc_id] for doc_id in item.relevant_document_ids):
                problems.append(f"{item.id}: {number}")
    assert not problems, "numbers not found in any relevant document: " + ", ".join(problems)
