"""The datasets a run can name, and their items in one shape for the runner.

    golden        eval/datasets/golden/sample-v1.jsonl over the bundled sample content
    golden-smoke  eval/datasets/golden/smoke-v1.jsonl over the same content (the CI subset)
    golden-dev    the tuning half of sample-v1 (eval/datasets/splits.py), dev-v1.jsonl
    golden-test   its test half plus the new-user questions of holdout-v1, test-v1.jsonl
    fitz-gov      the fitz-gov package's corpus and query mappings (BEIR-style)
    fitz-gov-cases  fitz-gov's answer-behaviour cases, each on its own fixed contexts
                  (abstention, dispute, grounding, trustworthy; see `eval.behaviour`)
    python-faq    the Python 3.11 FAQ, debian-faq the Debian FAQ (pinned Debian packages):
    debian-faq    answerable and withheld (unanswerable) questions over a corpus of their
                  answers (`eval.datasets.faq`); "<set>-tune" / "<set>-test" are its halves
    kernel-owners who-to-ask questions over Linux kernel documentation with an owners file
                  made from MAINTAINERS (`eval.datasets.kernel_owners`), and its -tune / -test
    <path>        any BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv)

A golden item's document ids and people may be the ingested ids or another name the corpus
knows (a path, "source:native id", a title; an email or alias for people); names that match
nothing, or more than one thing, are left out and listed in the report's `problems`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from core.db import PeopleStore
from core.errors import DatasetError
from core.evalreport import DatasetKind
from core.schema import Principal
from core.sources import bundled_sources_file
from eval.corpora import CorpusDocument
from eval.datasets import kernel_owners
from eval.datasets.beir import RetrievalDataset, load_beir
from eval.datasets.faq import FaqSet
from eval.datasets.faq_sets import FAQ_DATASETS, is_cached, load_faq_set, parse_faq_dataset
from eval.datasets.fitz_gov import ALL_TYPES, load_fitz_gov_cases, load_fitz_gov_retrieval
from eval.datasets.golden import GoldenItem

GOLDEN_DIR = Path(__file__).resolve().parent / "datasets" / "golden"
GOLDEN_FILES = {
    "golden": "sample-v1.jsonl",
    "golden-smoke": "smoke-v1.jsonl",
    # Fixed halves (eval/datasets/splits.py): choose settings on dev, report test.
    "golden-dev": "dev-v1.jsonl",
    "golden-test": "test-v1.jsonl",
}
T = TypeVar("T")
BEHAVIOUR = "fitz-gov-cases"


@dataclass(frozen=True)
class EvalItem:
    """One question, who asks it, and what a good answer retrieves, says and names."""

    id: str
    question: str
    qrels: dict[str, int]
    principal: Principal = field(default_factory=Principal)
    answerable: bool | None = None  # None: a retrieval-only item (no answer expected)
    reference: str = ""
    expected_people: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    score_containment: bool = True  # False: the reference is too short to look for in answers


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset by name: its kind, where it is read from, and its version."""

    name: str
    kind: DatasetKind
    path: Path | None = None  # golden file or BEIR folder; None for fitz-gov

    @property
    def sources_file(self) -> Path:
        """The content a golden set is about."""
        return bundled_sources_file()


def dataset_spec(name: str) -> DatasetSpec:
    """The spec of a named dataset or a BEIR folder path."""
    if name in GOLDEN_FILES:
        return DatasetSpec(name, "golden", GOLDEN_DIR / GOLDEN_FILES[name])
    if name == "fitz-gov":
        return DatasetSpec(name, "beir")
    if name == BEHAVIOUR:
        return DatasetSpec(name, "behaviour")
    if parse_faq_dataset(name) is not None:
        return DatasetSpec(name, "beir")  # a BEIR-style corpus; `eval.faq_suite` answers too
    if kernel_owners.parse_owners_dataset(name) is not None:
        return DatasetSpec(name, "golden")  # a sources-file corpus with people: `eval.owners_suite`
    path = Path(name).expanduser()
    if (path / "corpus.jsonl").is_file():
        return DatasetSpec(path.resolve().name, "beir", path)
    known = ", ".join(
        [*GOLDEN_FILES, "fitz-gov", BEHAVIOUR, *FAQ_DATASETS, *kernel_owners.OWNERS_DATASETS]
    )
    raise ValueError(f"unknown dataset {name!r}: use {known} or a BEIR folder path")


def list_datasets(beir_dirs: Iterable[Path] = ()) -> list[dict[str, Any]]:
    """Every dataset a run can name here, with its kind and item count."""
    out: list[dict[str, Any]] = []
    for name, file in GOLDEN_FILES.items():
        path = GOLDEN_DIR / file
        if path.is_file():
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            out.append({"name": name, "kind": "golden", "items": len(lines)})
    with contextlib.suppress(DatasetError):  # no fitz-gov package: list what can run
        out.append({"name": "fitz-gov", "kind": "beir", "items": _fitz_gov_items()})
        out.append({"name": BEHAVIOUR, "kind": "behaviour", "items": _fitz_gov_cases()})
    for name in FAQ_DATASETS:  # listed once downloaded: a listing never downloads
        parsed = parse_faq_dataset(name)
        if parsed is not None and is_cached(parsed[0]):
            items = len(load_faq_set(parsed[0]).in_half(parsed[1]))
            out.append({"name": name, "kind": "beir", "items": items})
    if kernel_owners.is_cached():  # likewise
        owners = kernel_owners.load_kernel_owners()
        for name in kernel_owners.OWNERS_DATASETS:
            which = kernel_owners.parse_owners_dataset(name)
            count = len(owners.in_half(which[1] if which else None))
            out.append({"name": name, "kind": "golden", "items": count})
    for root in beir_dirs:
        for folder in sorted(p for p in root.iterdir() if (p / "corpus.jsonl").is_file()):
            qrels = folder / "qrels" / "test.tsv"
            count = len({line.split("\t")[0] for line in qrels.read_text().splitlines()[1:]})
            out.append({"name": str(folder), "kind": "beir", "items": count})
    return out


@functools.lru_cache(maxsize=1)
def _fitz_gov_items() -> int:
    return len(load_beir_set("fitz-gov").qrels)


@functools.lru_cache(maxsize=1)
def _fitz_gov_cases() -> int:
    return len(load_fitz_gov_cases(ALL_TYPES))


def subset(items: list[T], limit: int | None) -> list[T]:
    """At most `limit` items, evenly spread over the list (so every category is sampled)."""
    if limit is None or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def load_beir_set(name: str, path: Path | None = None) -> RetrievalDataset:
    """fitz-gov from its package, or a BEIR folder."""
    return load_fitz_gov_retrieval() if path is None else load_beir(path, name=name)


def beir_items(dataset: RetrievalDataset) -> list[EvalItem]:
    """Retrieval-only items: every judged query, asked by an anonymous reader."""
    return [EvalItem(q, text, dict(dataset.qrels[q])) for q, text in dataset.queries.items()]


def faq_items(faq: FaqSet, dataset: str) -> list[EvalItem]:
    """The items of an FAQ dataset (a set or one of its halves), asked by an anonymous reader."""
    parsed = parse_faq_dataset(dataset)
    which = parsed[1] if parsed is not None else None
    return [
        EvalItem(
            id=item.id,
            question=item.question,
            qrels=dict.fromkeys(item.relevant, 1),
            answerable=item.answerable,
            reference=item.reference,
            tags=item.tags,
            score_containment=item.score_containment,
        )
        for item in faq.in_half(which)
    ]


def file_version(path: Path) -> dict[str, str]:
    """A file's name and content hash (what version of a dataset a report used)."""
    return {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


class Resolver:
    """Maps the names a dataset uses for documents and people to the corpus's ids."""

    def __init__(self, documents: dict[str, CorpusDocument], people: PeopleStore | None) -> None:
        self.documents = _alias_map((d.id, (d.id, *d.aliases)) for d in documents.values())
        directory = people.list(limit=10_000) if people is not None else []
        self.people = _alias_map(
            (p.id, (p.id, p.name, *(p.aliases), *([p.email] if p.email else []))) for p in directory
        )
        self.problems: list[str] = []

    def resolve(
        self, names: Iterable[str], table: dict[str, str | None], what: str, item: str
    ) -> list[str]:
        """The ids of the names; unknown or ambiguous names are recorded as problems."""
        found: list[str] = []
        for name in names:
            hit = table.get(name.casefold())
            if hit is None:
                reason = "ambiguous" if name.casefold() in table else "unknown"
                self.problems.append(f"{item}: {reason} {what} {name!r}")
            elif hit not in found:
                found.append(hit)
        return found


def _alias_map(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str | None]:
    """casefolded name → id; None for a name shared by two ids; an exact id always wins."""
    table: dict[str, str | None] = {}
    targets = []
    for target, names in entries:
        targets.append(target)
        for name in {n.casefold() for n in names if n}:
            table[name] = target if table.get(name, target) == target else None
    table.update({t.casefold(): t for t in targets})
    return table


def golden_items(items: list[GoldenItem], resolver: Resolver) -> list[EvalItem]:
    """Golden items with resolved ids, asked by their `user` as a reader."""
    out: list[EvalItem] = []
    for item in items:
        docs = resolver.resolve(item.relevant_document_ids, resolver.documents, "document", item.id)
        people = resolver.resolve(item.expected_people, resolver.people, "person", item.id)
        out.append(
            EvalItem(
                id=item.id,
                question=item.question,
                qrels=dict.fromkeys(docs, 1),
                principal=Principal(user_id=item.user.id, groups=list(item.user.groups)),
                answerable=item.answerable,
                reference=item.reference_answer,
                expected_people=tuple(people),
                tags=tuple(item.tags),
            )
        )
    return out
