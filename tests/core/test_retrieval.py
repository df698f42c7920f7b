"""Retriever on both index adapters with the real embedder, BM25 and a people directory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from core.config import RetrievalSettings
from core.db import PeopleStore
from core.errors import ConfigError
from core.index.base import IndexPoint, SearchFilter, SearchMode, VectorIndex
from core.rerank import NoopReranker
from core.retrieval import QueryFilters, Retriever, cap_per_document, demote_superseded
from core.schema import Passage, Principal, SourceKind
from core.sparse import Bm25Encoder
from tests.core import corpus

MODES: tuple[SearchMode, ...] = ("dense", "sparse", "hybrid")
PUBLIC = Principal(user_id="pat")
SECURITY = Principal(user_id="sam", groups=["security"])
MEALS_QUERY = "How much are meals reimbursed per day when travelling for work?"


@pytest.fixture(scope="module")
def points(memo: corpus.MemoEmbedder) -> list[IndexPoint]:
    """The corpus embedded once for the module."""
    return corpus.build_points(memo)


@pytest.fixture(scope="module", params=["edge", "server"])
def index(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    points: list[IndexPoint],
) -> Iterator[VectorIndex]:
    """The corpus in a Qdrant Edge shard, and in qdrant-client's in-memory mode (read-only)."""
    idx = corpus.open_index(request.param, tmp_path_factory.mktemp("index"), points)
    yield idx
    idx.close()


def make_retriever(
    index: VectorIndex, embedder: Any, people: PeopleStore | None = None, **settings: Any
) -> Retriever:
    return Retriever(
        index, embedder, Bm25Encoder(), NoopReranker(), RetrievalSettings(**settings), people
    )


@pytest.fixture
def retriever(index: VectorIndex, memo: corpus.MemoEmbedder, people: PeopleStore) -> Retriever:
    return make_retriever(index, memo, people)


def titles(passages: list[Passage]) -> list[str]:
    return [p.title for p in passages]


# --- hybrid search ----------------------------------------------------------------------


def test_hybrid_finds_the_keyword_only_match(retriever: Retriever) -> None:
    sparse = retriever.search(corpus.KEYWORD_QUERY, PUBLIC, mode="sparse").passages
    assert titles(sparse) == ["VPN troubleshooting"]  # only this passage holds the term
    hybrid = retriever.search(corpus.KEYWORD_QUERY, PUBLIC).passages
    assert hybrid[0].title == "VPN troubleshooting"
    assert "WX-4471" in hybrid[0].text


def test_hybrid_finds_the_paraphrase_only_match(retriever: Retriever) -> None:
    sparse = retriever.search(corpus.PARAPHRASE_QUERY, PUBLIC, mode="sparse").passages
    assert "Remote work policy" not in titles(sparse)  # no word in common with the query
    hybrid = retriever.search(corpus.PARAPHRASE_QUERY, PUBLIC).passages
    assert "Remote work policy" in titles(hybrid)[:3]


def test_passages_carry_what_citing_needs(retriever: Retriever) -> None:
    result = retriever.search("How do I roll back a release?", PUBLIC)
    top = result.passages[0]
    assert top.title == "Deploy pipeline walkthrough"
    assert top.kind is SourceKind.VIDEO
    assert top.time_start == pytest.approx(754.6)
    assert top.url == "https://videos.example.com/deploy-walkthrough"
    assert top.author_ids == ["erin"]
    assert top.updated == datetime(2024, 6, 20, tzinfo=UTC)
    assert top.text.startswith("To roll back")
    assert set(result.timings_ms) >= {"embed", "search", "rerank", "total"}


def test_top_dense_score_separates_on_and_off_topic(retriever: Retriever) -> None:
    threshold = RetrievalSettings().abstain_threshold
    on_topic = retriever.search(MEALS_QUERY, PUBLIC)
    off_topic = retriever.search(corpus.OFF_TOPIC_QUERY, PUBLIC)
    assert on_topic.top_dense_score is not None and on_topic.top_dense_score > threshold
    assert off_topic.top_dense_score is not None and off_topic.top_dense_score < threshold
    assert off_topic.passages  # weak passages are still returned (people come from them)


def test_top_dense_score_is_the_dense_cosine_in_every_mode(retriever: Retriever) -> None:
    scores = {m: retriever.search(MEALS_QUERY, PUBLIC, mode=m).top_dense_score for m in MODES}
    assert scores["dense"] == pytest.approx(scores["hybrid"], abs=1e-4)
    assert scores["sparse"] == pytest.approx(scores["hybrid"], abs=1e-4)


def test_rrf_k_reaches_the_index(index: VectorIndex, memo: corpus.MemoEmbedder) -> None:
    sharp = make_retriever(index, memo, rrf_k=1).search(corpus.KEYWORD_QUERY, PUBLIC)
    # Ranked first by both retrievers: 1/(1+0) + 1/(1+0); with the default k=60 it is 2/60.
    assert sharp.passages[0].score == pytest.approx(2.0)


# --- access control ---------------------------------------------------------------------


ESCALATION = "What is the escalation codeword for a security incident?"


@pytest.mark.parametrize("mode", MODES)
def test_restricted_passages_never_reach_callers_without_the_group(
    retriever: Retriever, mode: SearchMode
) -> None:
    for query in (ESCALATION, corpus.SECURITY_CODEWORD, "security incident runbook"):
        result = retriever.search(query, PUBLIC, mode=mode, limit=30)
        assert "Incident response runbook" not in titles(result.passages)
        assert all(corpus.SECURITY_CODEWORD not in p.text for p in result.passages)


@pytest.mark.parametrize("mode", MODES)
def test_restricted_passages_reach_callers_with_the_group(
    retriever: Retriever, mode: SearchMode
) -> None:
    result = retriever.search(ESCALATION, SECURITY, mode=mode)
    assert result.passages[0].title == "Incident response runbook"
    assert corpus.SECURITY_CODEWORD in result.passages[0].text


def test_access_goes_into_the_index_query(retriever: Retriever) -> None:
    flt = retriever.search_filter(SECURITY, QueryFilters())
    assert flt == SearchFilter(principals=["user:sam", "security"])


def test_top_dense_score_ignores_what_the_caller_cannot_see(retriever: Retriever) -> None:
    public = retriever.search(ESCALATION, PUBLIC).top_dense_score
    insider = retriever.search(ESCALATION, SECURITY).top_dense_score
    assert public is not None and insider is not None
    assert insider > RetrievalSettings().abstain_threshold > public


# --- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (QueryFilters(kinds=[SourceKind.VIDEO]), {"Deploy pipeline walkthrough"}),
        (QueryFilters(sources=["blog"]), {"Travel FAQ", "Notes from the Porto offsite"}),
        (QueryFilters(tags=["FINANCE"]), {"Expense policy 2025", "Expense policy 2023"}),
        (QueryFilters(people=["alice"]), {"Expense policy 2025", "Travel FAQ"}),
        (
            QueryFilters(teams=["Finance"]),
            {"Expense policy 2025", "Expense policy 2023", "Travel FAQ"},
        ),
        (
            QueryFilters(teams=["People Ops"]),  # Carol owns these, authored neither
            {"Expense policy 2025", "Remote work policy"},
        ),
        (
            QueryFilters(updated_from=datetime(2025, 1, 1, tzinfo=UTC)),
            {"Expense policy 2025", "Notes from the Porto offsite"},
        ),
        (
            QueryFilters(updated_to=datetime(2023, 12, 31)),  # naive = UTC
            {"Expense policy 2023"},
        ),
    ],
)
def test_filters_restrict_the_search(
    retriever: Retriever, filters: QueryFilters, expected: set[str]
) -> None:
    result = retriever.search(MEALS_QUERY, PUBLIC, filters, limit=30)
    assert set(titles(result.passages)) == expected


def test_a_team_without_members_matches_nothing(retriever: Retriever) -> None:
    result = retriever.search(MEALS_QUERY, PUBLIC, QueryFilters(teams=["Nobody"]))
    assert result.passages == [] and result.top_dense_score is None


def test_team_filters_need_the_people_directory(
    index: VectorIndex, memo: corpus.MemoEmbedder
) -> None:
    with pytest.raises(ConfigError, match="people directory"):
        make_retriever(index, memo).search("x", PUBLIC, QueryFilters(teams=["Finance"]))


# --- one document, one slot; superseded content -------------------------------------------

BROAD = "expense policy meals hotel claims"


@pytest.mark.parametrize("mode", MODES)
def test_at_most_max_per_document_passages(
    index: VectorIndex, memo: corpus.MemoEmbedder, mode: SearchMode
) -> None:
    for cap in (1, 2):
        found = make_retriever(index, memo, max_per_document=cap).search(
            BROAD, PUBLIC, mode=mode, limit=20
        )
        assert max(Counter(p.document_id for p in found.passages).values()) == cap
    loose = make_retriever(index, memo, max_per_document=3).search(BROAD, PUBLIC, limit=20)
    assert titles(loose.passages).count("Expense policy 2025") == 3


@pytest.mark.parametrize("penalty", [0.0, 0.5])
def test_superseded_ranks_below_its_successor(
    index: VectorIndex, memo: corpus.MemoEmbedder, penalty: float
) -> None:
    # The 2023 policy's wording is closer to the question: the index alone ranks it first.
    dense = make_retriever(index, memo).index.search(
        dense=memo.embed_query(MEALS_QUERY).tolist(), mode="dense", limit=1
    )
    assert dense[0].payload["title"] == "Expense policy 2023"
    retriever = make_retriever(index, memo, superseded_penalty=penalty)
    for mode in MODES:
        ranked = titles(retriever.search(MEALS_QUERY, PUBLIC, mode=mode, limit=20).passages)
        assert ranked.index("Expense policy 2025") < ranked.index("Expense policy 2023")
    old = [p for p in retriever.search(MEALS_QUERY, PUBLIC).passages if p.superseded_by]
    assert old and all(p.superseded_by == corpus.EXPENSES_2025.id for p in old)


def passage(doc: str, score: float, superseded_by: str | None = None) -> Passage:
    return Passage(
        chunk_id=f"{doc}-{score}",
        document_id=doc,
        title=doc,
        kind=SourceKind.WIKI,
        source="wiki",
        text="text",
        start=0,
        end=4,
        superseded_by=superseded_by,
        score=score,
    )


def test_demotion_is_scale_free() -> None:
    # Cross-encoder logits can be negative; the old document still drops below the new one.
    ranked = demote_superseded(
        [passage("old", -1.0, "new"), passage("other", -2.0), passage("new", -3.0)], 0.0
    )
    assert [p.document_id for p in ranked] == ["other", "new", "old"]
    assert ranked[2].score < ranked[1].score


def test_demotion_without_successor_costs_a_share_of_the_range() -> None:
    candidates = [passage("old", 10.0, "gone"), passage("b", 9.5), passage("c", 0.0)]
    ranked = demote_superseded(candidates, 0.5)  # loses half of the 10-point range
    assert [(p.document_id, p.score) for p in ranked] == [("b", 9.5), ("old", 5.0), ("c", 0.0)]
    assert demote_superseded(candidates, 0.0)[0].document_id == "old"


def test_demotion_follows_chains() -> None:
    ranked = demote_superseded(
        [passage("v1", 0.9, "v2"), passage("v2", 0.8, "v3"), passage("v3", 0.1)], 0.0
    )
    assert [p.document_id for p in ranked] == ["v3", "v2", "v1"]


def test_cap_per_document_keeps_order() -> None:
    kept = cap_per_document([passage("a", 3), passage("a", 2), passage("b", 1.5)], 1)
    assert [(p.document_id, p.score) for p in kept] == [("a", 3), ("b", 1.5)]
