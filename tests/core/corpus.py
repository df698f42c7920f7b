"""A small company corpus indexed the way ingestion does it, for retrieval/answering tests.

Public wiki, blog and video content; a security runbook only the `security` group may read
(with a distinctive codeword); a 2023 expense policy superseded by the 2025 one, with
conflicting numbers; two documents by the same author; and a contributor who is not in the
people directory. Contributors are resolved to people by ingestion's own PeopleResolver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient

from core.db import Database, PeopleStore
from core.embedding import Embedder
from core.index.base import IndexMeta, IndexPoint, VectorIndex
from core.index.edge import EdgeIndex
from core.index.server import ServerIndex
from core.schema import Block, Chunk, Contributor, Document, Person, SourceKind, document_id
from core.sparse import Bm25Encoder
from ingest.payload import chunk_payload, embedding_text
from ingest.people import PeopleResolver

PEOPLE = [
    Person(
        id="alice",
        name="Alice Martin",
        email="alice@example.com",
        team="Finance",
        title="Finance lead",
        timezone="Europe/London",
        chat="@alice",
        aliases=["A. Martin", "amartin"],
    ),
    Person(id="bob", name="Bob Chen", email="bob@example.com", team="Finance",
           title="Accountant", timezone="America/New_York"),
    Person(id="carol", name="Carol Diaz", email="carol@example.com", team="People Ops",
           title="HR partner", timezone="Asia/Tokyo"),
    Person(id="dave", name="Dave Okafor", email="dave@example.com", team="Security",
           title="Security engineer", timezone="Europe/Berlin"),
    Person(id="erin", name="Erin Walsh", email="erin@example.com", team="Engineering",
           title="Release manager", timezone="Australia/Sydney"),
    Person(id="grace", name="Grace Hopper", email="grace@example.com", team="Engineering",
           title="Staff engineer"),
]  # fmt: skip
SECURITY_CODEWORD = "BLUE HERON"


@dataclass(frozen=True)
class Doc:
    """A document of the corpus and its passages' texts."""

    doc: Document
    passages: list[tuple[list[str], str]]  # (heading path, text)
    time_starts: tuple[float, ...] = ()


def _doc(
    source: str, native: str, kind: SourceKind, title: str, updated: datetime, **extra: Any
) -> Document:
    return Document(
        id=document_id(source, native),
        source=source,
        native_id=native,
        kind=kind,
        title=title,
        url=f"https://{source}.example.com/{native}",
        updated=updated,
        **extra,
    )


EXPENSES_2025 = _doc(
    "wiki", "expense-policy-2025", SourceKind.WIKI, "Expense policy 2025",
    datetime(2025, 3, 1, tzinfo=UTC), tags=["Finance"],
    authors=[Contributor(name="A. Martin")], owners=[Contributor(email="carol@example.com")],
)  # fmt: skip
EXPENSES_2023 = _doc(
    "wiki", "expense-policy-2023", SourceKind.WIKI, "Expense policy 2023",
    datetime(2023, 2, 1, tzinfo=UTC), tags=["Finance"],
    authors=[Contributor(name="Bob Chen")], superseded_by=EXPENSES_2025.id,
)  # fmt: skip
TRAVEL_FAQ = _doc(
    "blog", "travel-faq", SourceKind.BLOG, "Travel FAQ", datetime(2024, 11, 10, tzinfo=UTC),
    tags=["travel"], authors=[Contributor(name="amartin")],
)  # fmt: skip
RUNBOOK = _doc(
    "docs", "incident-runbook", SourceKind.DOC, "Incident response runbook",
    datetime(2025, 1, 15, tzinfo=UTC), groups=["security"],
    authors=[Contributor(email="dave@example.com")],
)  # fmt: skip
DEPLOY_VIDEO = _doc(
    "videos", "deploy-walkthrough", SourceKind.VIDEO, "Deploy pipeline walkthrough",
    datetime(2024, 6, 20, tzinfo=UTC), authors=[Contributor(name="Erin Walsh")],
)  # fmt: skip
VPN_ERRORS = _doc(
    "wiki", "vpn-errors", SourceKind.WIKI, "VPN troubleshooting", datetime(2024, 9, 2, tzinfo=UTC),
    tags=["it"], authors=[Contributor(name="Grace Hopper")],
)  # fmt: skip
REMOTE_WORK = _doc(
    "wiki", "remote-work", SourceKind.WIKI, "Remote work policy", datetime(2024, 4, 1, tzinfo=UTC),
    authors=[Contributor(name="Grace Hopper")], owners=[Contributor(name="Carol Diaz")],
)  # fmt: skip
OFFSITE = _doc(
    "blog", "porto-offsite", SourceKind.BLOG, "Notes from the Porto offsite",
    datetime(2025, 5, 5, tzinfo=UTC), authors=[Contributor(name="Frank Ude")],
)  # fmt: skip

CORPUS = [
    Doc(EXPENSES_2025, [
        (["Meals"], "Daily meal allowance on business trips: 55 EUR, tips included. Alcohol "
                    "is never covered."),
        (["Claims"], "Submit every expense claim in the Finance portal within 30 days, with "
                     "an itemised receipt attached."),
        (["Hotels"], "Hotel nights are capped at 150 EUR, or 220 EUR in London and Paris."),
    ]),
    Doc(EXPENSES_2023, [
        (["Meals"], "Meals when travelling for work are reimbursed up to 40 EUR per day."),
        (["Claims"], "Expense claims must be submitted within 60 days on the paper form."),
    ]),
    Doc(TRAVEL_FAQ, [
        (["Trains"], "Book train tickets through the travel portal at least a week ahead."),
        (["Flights"], "Business class is allowed only on flights longer than six hours."),
    ]),
    Doc(RUNBOOK, [
        (["Escalation"], f"During a security incident, page the on-call engineer and say the "
                         f"escalation codeword {SECURITY_CODEWORD}; escalate after 7 minutes."),
        (["Containment"], "Isolate affected laptops from the network before collecting logs."),
    ]),
    Doc(DEPLOY_VIDEO, [
        ([], "Welcome to the walkthrough of our deployment pipeline in Jenkins."),
        ([], "To roll back a bad release, run the rollback job in Jenkins and pick the last "
             "green build."),
    ], time_starts=(12.0, 754.6)),
    Doc(VPN_ERRORS, [
        (["Error codes"], "Error WX-4471 means the client certificate expired; renew it in the "
                          "self-service portal."),
    ]),
    Doc(REMOTE_WORK, [
        ([], "Staff may work from home up to two days each week with their manager's approval."),
    ]),
    Doc(OFFSITE, [
        ([], "The Porto offsite had workshops on planning and a boat trip on the Douro river."),
    ]),
]  # fmt: skip

META = IndexMeta("all-MiniLM-L6-v2", 384, "test")
KEYWORD_QUERY = "WX-4471"
PARAPHRASE_QUERY = "How often am I allowed to telecommute?"
OFF_TOPIC_QUERY = "What is the airspeed velocity of an unladen swallow?"


class MemoEmbedder:
    """The real embedder, remembering its vectors: the same texts recur across many tests."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._queries: dict[str, np.ndarray] = {}
        self._documents: dict[tuple[str, ...], np.ndarray] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_query(self, text: str) -> np.ndarray:
        """The model's vector for a query, computed once per text."""
        if text not in self._queries:
            self._queries[text] = self._embedder.embed_query(text)
        return self._queries[text].copy()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """The model's vectors for passages, computed once per list of texts."""
        key = tuple(texts)
        if key not in self._documents:
            self._documents[key] = self._embedder.embed_documents(texts)
        return self._documents[key].copy()


def resolve_people() -> list[Person]:
    """Resolve every contributor as ingestion does; the directory plus unknown people."""
    resolver = PeopleResolver(PEOPLE)
    for entry in CORPUS:
        for contributor in [*entry.doc.authors, *entry.doc.owners]:
            resolver.resolve(contributor)
    return [*PEOPLE, *resolver.unknown]


def chunks(entry: Doc) -> list[Chunk]:
    """The document's chunks, with spans into its text and video times."""
    out, offset = [], 0
    for position, (heading, text) in enumerate(entry.passages):
        start = offset
        offset += len(text) + 2
        time_start = entry.time_starts[position] if entry.time_starts else None
        out.append(
            Chunk(
                id=Chunk.make_id(entry.doc.id, position, text),
                document_id=entry.doc.id,
                position=position,
                text=text,
                heading_path=heading,
                start=start,
                end=start + len(text),
                time_start=time_start,
                time_end=time_start + 30 if time_start is not None else None,
            )
        )
    entry.doc.blocks = [Block(text=c.text, heading_path=c.heading_path) for c in out]
    return out


def build_points(embedder: Embedder) -> list[IndexPoint]:
    """Every chunk as ingestion writes it: embedding text, BM25 vector and payload."""
    resolve_people()
    pairs = [(entry.doc, chunk) for entry in CORPUS for chunk in chunks(entry)]
    texts = [embedding_text(doc, chunk) for doc, chunk in pairs]
    dense = embedder.embed_documents(texts)
    sparse = Bm25Encoder().encode_documents(texts)
    return [
        IndexPoint(chunk.id, dense[i].tolist(), sparse[i], chunk_payload(doc, chunk))
        for i, (doc, chunk) in enumerate(pairs)
    ]


def open_index(kind: str, tmp_path: Path, points: list[IndexPoint]) -> VectorIndex:
    """A fresh Edge shard in tmp_path, or a qdrant-client in-memory collection, loaded."""
    index: VectorIndex
    if kind == "edge":
        index = EdgeIndex(tmp_path / "index")
    else:
        index = ServerIndex(QdrantClient(":memory:"), "watercooler")
    index.ensure(META)
    index.upsert(points)
    return index


def open_people(tmp_path: Path) -> tuple[Database, PeopleStore]:
    """A SQLite database holding the directory and the unknown contributors."""
    db = Database(f"sqlite:///{tmp_path}/watercooler.db", connect_timeout_s=2)
    store = PeopleStore(db)
    store.upsert_many(resolve_people())
    return db, store
