"""One contract for every VectorIndex adapter: Qdrant Edge and qdrant-client (local mode)."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from qdrant_client import QdrantClient

from core.errors import IndexMismatchError, VectorIndexError
from core.index.base import IndexMeta, IndexPoint, SearchFilter, SearchMode, VectorIndex
from core.index.edge import EdgeIndex
from core.index.server import ServerIndex
from core.sparse import Bm25Encoder

DIM = 8
META = IndexMeta("test-model", DIM, "1")
MODES: tuple[SearchMode, ...] = ("dense", "sparse", "hybrid")
BM25 = Bm25Encoder()

# name -> (text, payload). Every text holds one word of ALL_TERMS, so a sparse query for
# ALL_TERMS reaches every point and filter tests can compare all three modes.
CORPUS: dict[str, tuple[str, dict[str, Any]]] = {
    "p1": ("How to request vacation days", {
        "document_id": "d1", "source": "wiki", "kind": "wiki", "public": True, "groups": [],
        "tags": ["onboarding"], "author_ids": ["alice"], "owner_ids": [],
        "updated": "2024-01-10T09:00:00+00:00"}),
    "p2": ("The holiday calendar of the office", {
        "document_id": "d1", "source": "wiki", "kind": "wiki", "public": True, "groups": [],
        "tags": ["onboarding"], "author_ids": ["alice"], "owner_ids": [],
        "updated": "2024-01-10T09:00:00+00:00"}),
    "p3": ("Deploying the kubernetes cluster", {
        "document_id": "d2", "source": "blog", "kind": "blog", "public": False,
        "groups": ["eng"], "tags": ["infra"], "author_ids": ["bob"], "owner_ids": ["carol"],
        "updated": "2024-03-05T12:00:00+02:00"}),
    "p4": ("Payroll schedule and salary bands", {
        "document_id": "d3", "source": "drive", "kind": "doc", "public": False,
        "groups": ["hr"], "tags": ["payroll", "onboarding"], "author_ids": ["dave"],
        "owner_ids": ["alice"], "updated": "2024-06-01T00:00:00+00:00"}),
    "p5": ("Recording of the all hands meeting", {
        "document_id": "d4", "source": "videos", "kind": "video", "public": True, "groups": [],
        "tags": [], "author_ids": ["erin"], "owner_ids": [],
        "updated": "2023-12-31T23:00:00-05:00"}),
}  # fmt: skip
ALL_TERMS = "vacation holiday kubernetes payroll recording"


def pid(name: str) -> str:
    """Deterministic UUID point id for a test name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def vector(seed: str) -> list[float]:
    """A deterministic unit vector of DIM dimensions."""
    rng = random.Random(seed)
    raw = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def point(name: str, text: str, payload: dict[str, Any]) -> IndexPoint:
    return IndexPoint(pid(name), vector(name), BM25.encode_documents([text])[0], payload)


def names(hits: list[Any]) -> set[str]:
    by_id = {pid(n): n for n in CORPUS}
    return {by_id.get(h.id, h.id) for h in hits}


@pytest.fixture(params=["edge", "server"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def reopen(kind: str, tmp_path: Path) -> Iterator[Callable[[], VectorIndex]]:
    """Opens the same persistent index again (Edge directory / local-mode storage path)."""
    opened: list[VectorIndex] = []

    def _open() -> VectorIndex:
        for previous in opened:
            previous.close()
        if kind == "edge":
            idx: VectorIndex = EdgeIndex(tmp_path / "index")
        else:
            idx = ServerIndex(QdrantClient(path=str(tmp_path / "qdrant")), "wc")
        opened.append(idx)
        return idx

    yield _open
    for idx in opened:
        idx.close()


@pytest.fixture
def empty(kind: str, tmp_path: Path) -> Iterator[VectorIndex]:
    """A fresh adapter whose collection does not exist yet."""
    if kind == "edge":
        idx: VectorIndex = EdgeIndex(tmp_path / "index")
    else:
        idx = ServerIndex(QdrantClient(":memory:"), "wc")
    yield idx
    idx.close()


@pytest.fixture
def index(empty: VectorIndex) -> VectorIndex:
    empty.ensure(META)
    empty.upsert([point(n, text, payload) for n, (text, payload) in CORPUS.items()])
    return empty


def search_all(idx: VectorIndex, mode: SearchMode, flt: SearchFilter | None) -> list[Any]:
    """Every point the filter lets through (the sparse query reaches all of CORPUS)."""
    return idx.search(
        dense=vector("query"),
        sparse=BM25.encode_query(ALL_TERMS),
        mode=mode,
        flt=flt,
        limit=20,
        prefetch_limit=20,
    )


# --- lifecycle and metadata -------------------------------------------------------------


def test_adapter_satisfies_protocol(empty: VectorIndex) -> None:
    assert isinstance(empty, VectorIndex)


def test_ensure_creates_the_collection(empty: VectorIndex) -> None:
    assert empty.meta() is None
    empty.ensure(META)
    assert empty.meta() == META
    assert empty.count() == 0
    empty.ensure(META)  # idempotent


def test_use_before_ensure_is_a_vector_index_error(empty: VectorIndex) -> None:
    with pytest.raises(VectorIndexError):
        empty.count()


def test_reopen_with_same_meta_passes(reopen: Callable[[], VectorIndex]) -> None:
    reopen().ensure(META)
    again = reopen()
    assert again.meta() == META
    again.ensure(META)


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (IndexMeta("other-model", DIM, "1"), r"model test-model \(8-d, chunker v1\).*other-model"),
        (IndexMeta("test-model", 16, "1"), r"\(8-d.*\(16-d\).*re-index"),
        (IndexMeta("test-model", DIM, "2"), r"chunker v1.*v2.*--rebuild"),
    ],
)
def test_other_meta_is_refused(
    reopen: Callable[[], VectorIndex], other: IndexMeta, expected: str
) -> None:
    reopen().ensure(META)
    again = reopen()
    with pytest.raises(IndexMismatchError, match=expected):
        again.ensure(other)
    assert again.meta() == META


def test_reset_deletes_points_and_meta(index: VectorIndex) -> None:
    index.reset()
    assert index.meta() is None
    other = IndexMeta("other-model", 16, "2")
    index.ensure(other)
    assert index.meta() == other
    assert index.count() == 0


def test_persistence_keeps_points_and_meta(reopen: Callable[[], VectorIndex]) -> None:
    first = reopen()
    first.ensure(META)
    first.upsert([point(n, text, payload) for n, (text, payload) in CORPUS.items()])
    first.flush()
    again = reopen()
    assert again.meta() == META
    assert again.count() == len(CORPUS)
    assert again.retrieve([pid("p3")])[0].payload == CORPUS["p3"][1]
    hits = again.search(sparse=BM25.encode_query("kubernetes"), mode="sparse")
    assert names(hits) == {"p3"}


# --- writes and reads -------------------------------------------------------------------


def test_upsert_count_retrieve_round_trip(empty: VectorIndex) -> None:
    empty.ensure(META)
    payload = {
        "document_id": "d9",
        "groups": ["a", "b"],
        "public": False,
        "updated": "2024-05-01T10:00:00+02:00",
        "position": 3,
        "score": 0.25,
        "url": None,
        "heading_path": ["Guide", "Setup"],
    }
    empty.upsert([point("x", "some text", payload)])
    assert empty.count() == 1
    (hit,) = empty.retrieve([pid("x"), pid("missing")])
    assert hit.id == pid("x")
    assert hit.payload == payload


def test_upsert_same_id_replaces(index: VectorIndex) -> None:
    text, payload = CORPUS["p1"]
    index.upsert([point("p1", text, {**payload, "tags": ["changed"]})])
    assert index.count() == len(CORPUS)
    assert index.retrieve([pid("p1")])[0].payload["tags"] == ["changed"]


def test_delete_and_delete_documents(index: VectorIndex) -> None:
    index.delete([pid("p5"), pid("never-stored")])
    assert index.count() == 4
    index.delete_documents(["d1", "d-unknown"])
    assert names(index.retrieve([pid(n) for n in CORPUS])) == {"p3", "p4"}
    assert index.document_ids() == {"d2", "d3"}
    index.delete([])
    index.delete_documents([])
    assert index.count() == 2


def test_document_ids(index: VectorIndex) -> None:
    assert index.document_ids() == {"d1", "d2", "d3", "d4"}


def test_document_ids_of_an_empty_index(empty: VectorIndex) -> None:
    empty.ensure(META)
    assert empty.document_ids() == set()


# --- search -----------------------------------------------------------------------------


def test_dense_search_ranks_nearest_first(index: VectorIndex) -> None:
    query = [x + 0.01 for x in vector("p3")]
    hits = index.search(dense=query, mode="dense", limit=3)
    assert hits[0].id == pid("p3")
    assert hits[0].score == pytest.approx(1.0, abs=0.01)
    assert hits[0].payload["document_id"] == "d2"
    assert len(hits) == 3


def test_sparse_search_ranks_keyword_match_first(index: VectorIndex) -> None:
    hits = index.search(sparse=BM25.encode_query("the payroll"), mode="sparse")
    assert [h.id for h in hits] == [pid("p4")]
    assert hits[0].score > 0


def test_hybrid_fuses_dense_only_and_sparse_only_hits(index: VectorIndex) -> None:
    hits = index.search(
        dense=vector("p1"),
        sparse=BM25.encode_query("kubernetes"),
        mode="hybrid",
        limit=5,
        prefetch_limit=1,
    )
    assert names(hits) == {"p1", "p3"}
    # Each is first in its own list: equal reciprocal-rank scores.
    assert hits[0].score == pytest.approx(hits[1].score)


@pytest.mark.parametrize(("dense_weight", "first"), [(3.0, "p1"), (1 / 3, "p3")])
def test_hybrid_weights_the_dense_ranking(
    index: VectorIndex, dense_weight: float, first: str
) -> None:
    """The dense-only hit leads when dense weighs more, the sparse-only hit when it weighs less."""
    hits = index.search(
        dense=vector("p1"),
        sparse=BM25.encode_query("kubernetes"),
        mode="hybrid",
        limit=5,
        prefetch_limit=1,
        dense_weight=dense_weight,
    )
    assert names(hits) == {"p1", "p3"}
    assert hits[0].id == pid(first) and hits[0].score > hits[1].score


def test_hybrid_ranks_a_point_found_by_both_first(index: VectorIndex) -> None:
    hits = index.search(
        dense=vector("p4"), sparse=BM25.encode_query("payroll"), mode="hybrid", limit=3
    )
    assert hits[0].id == pid("p4")


@pytest.mark.parametrize("mode", MODES)
def test_search_needs_the_vectors_of_its_mode(index: VectorIndex, mode: SearchMode) -> None:
    with pytest.raises(VectorIndexError, match="needs a"):
        index.search(mode=mode)


def test_wrong_dimension_is_a_vector_index_error(index: VectorIndex) -> None:
    with pytest.raises(VectorIndexError):
        index.search(dense=[1.0, 0.0], mode="dense")
    with pytest.raises(VectorIndexError):
        index.upsert([IndexPoint(pid("bad"), [1.0], BM25.encode_query("x"), {})])


def test_optimize_then_search(index: VectorIndex) -> None:
    extra = [
        IndexPoint(pid(f"r{i}"), vector(f"r{i}"), BM25.encode_documents(["filler text"])[0], {})
        for i in range(300)
    ]
    index.upsert(extra)
    index.optimize()
    assert index.count() == len(CORPUS) + 300
    assert index.search(dense=vector("p2"), mode="dense", limit=1)[0].id == pid("p2")
    assert names(index.search(sparse=BM25.encode_query("kubernetes"), mode="sparse")) == {"p3"}
    hybrid = index.search(dense=vector("p4"), sparse=BM25.encode_query("payroll"), limit=3)
    assert hybrid[0].id == pid("p4")


# --- filters ----------------------------------------------------------------------------

UTC_JAN = datetime(2024, 1, 1, tzinfo=UTC)
FILTER_CASES: list[tuple[SearchFilter, set[str]]] = [
    (SearchFilter(), set(CORPUS)),
    (SearchFilter(principals=[]), {"p1", "p2", "p5"}),
    (SearchFilter(principals=["sales"]), {"p1", "p2", "p5"}),
    (SearchFilter(principals=["eng"]), {"p1", "p2", "p3", "p5"}),
    (SearchFilter(principals=["eng", "hr"]), set(CORPUS)),
    (SearchFilter(kinds=["blog", "doc"]), {"p3", "p4"}),
    (SearchFilter(sources=["wiki"]), {"p1", "p2"}),
    (SearchFilter(tags=["onboarding"]), {"p1", "p2", "p4"}),
    (SearchFilter(document_ids=["d1", "d4"]), {"p1", "p2", "p5"}),
    (SearchFilter(people=["alice"]), {"p1", "p2", "p4"}),  # author of d1, owner of d3
    (SearchFilter(people=["carol"]), {"p3"}),  # owner only
    (SearchFilter(updated_from=UTC_JAN, updated_to=datetime(2024, 3, 31, tzinfo=UTC)),
     {"p1", "p2", "p3", "p5"}),
    (SearchFilter(updated_from=datetime(2024, 3, 5, 10, 0)), {"p3", "p4"}),  # naive = UTC
    (SearchFilter(updated_to=datetime(2024, 1, 1, 3, 59, tzinfo=UTC)), set()),
    (SearchFilter(principals=["hr"], tags=["onboarding"]), {"p1", "p2", "p4"}),
    (SearchFilter(principals=[], tags=["onboarding"], people=["alice"]), {"p1", "p2"}),
    (SearchFilter(kinds=[], tags=[]), set(CORPUS)),  # empty list = no restriction
]  # fmt: skip


@pytest.mark.parametrize(("flt", "expected"), FILTER_CASES)
def test_filters_apply_to_count_facet_and_every_mode(
    index: VectorIndex, flt: SearchFilter, expected: set[str]
) -> None:
    assert index.count(flt) == len(expected)
    per_doc = index.facet("document_id", flt)
    assert sum(per_doc.values()) == len(expected)
    assert set(per_doc) == {CORPUS[n][1]["document_id"] for n in expected}
    for mode in MODES:
        assert names(search_all(index, mode, flt)) == expected, mode


@pytest.mark.parametrize("principals", [[], ["sales"], ["eng"]])
def test_restricted_point_never_reaches_a_caller_outside_its_group(
    index: VectorIndex, principals: list[str]
) -> None:
    flt = SearchFilter(principals=principals)
    for mode in MODES:
        hits = index.search(
            dense=vector("p4"),
            sparse=BM25.encode_query("payroll salary bands"),
            mode=mode,
            flt=flt,
            limit=20,
        )
        assert pid("p4") not in {h.id for h in hits}, mode
    assert "d3" not in index.facet("document_id", flt)
    assert "hr" not in index.facet("groups", flt)
    assert index.count(SearchFilter(principals=principals, document_ids=["d3"])) == 0
    assert index.count(SearchFilter(principals=[*principals, "hr"], document_ids=["d3"])) == 1


def test_hybrid_filters_inside_each_prefetch(index: VectorIndex) -> None:
    # Filtering only after fusion would leave nothing: both prefetches would pick p4.
    hits = index.search(
        dense=vector("p4"),
        sparse=BM25.encode_query("payroll"),
        flt=SearchFilter(principals=[]),
        prefetch_limit=1,
    )
    assert len(hits) == 1
    assert names(hits) <= {"p1", "p2", "p5"}


def test_facet_counts(index: VectorIndex) -> None:
    assert index.facet("kind") == {"wiki": 2, "blog": 1, "doc": 1, "video": 1}
    assert index.facet("tags") == {"onboarding": 3, "infra": 1, "payroll": 1}
    assert index.facet("kind", limit=1) == {"wiki": 2}
    assert index.facet("author_ids", SearchFilter(kinds=["wiki"])) == {"alice": 2}
