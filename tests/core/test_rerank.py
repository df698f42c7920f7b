"""Rerankers: the no-op default, and the CrossEncoder plumbing on a tiny local model.

The CrossEncoder here is a randomly initialised one-layer BERT saved to tmp_path with the
packaged MiniLM tokenizer (nothing is downloaded): its scores are meaningless, so these tests
check the plumbing — loading by path, scoring every (query, passage) pair, re-sorting, error
wrapping, wiring into the Retriever — not ranking quality.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import RetrievalSettings, get_settings
from core.errors import ConfigError
from core.index.base import VectorIndex
from core.rerank import CrossEncoderReranker, NoopReranker, Reranker, make_reranker, pair_text
from core.retrieval import QueryFilters, Retriever
from core.schema import Passage, Principal, SourceKind
from core.sparse import Bm25Encoder
from tests.core import corpus


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT sequence classifier (1 label) saved as a CrossEncoder directory."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from core.models import resolve_model_path

    tokenizer = AutoTokenizer.from_pretrained(str(resolve_model_path("all-MiniLM-L6-v2")))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    )
    config.num_labels = 1  # one relevance score per pair
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("tiny-cross-encoder")
    BertForSequenceClassification(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def reranker(tiny_cross_encoder: Path) -> CrossEncoderReranker:
    return CrossEncoderReranker(tiny_cross_encoder, device="cpu")


def passage(key: str, text: str, score: float) -> Passage:
    return Passage(
        chunk_id=f"chunk-{key}",
        document_id=f"doc-{key}",
        title=f"Title {key}",
        kind=SourceKind.WIKI,
        source="wiki",
        heading_path=["Section"],
        text=text,
        start=0,
        end=len(text),
        score=score,
    )


PASSAGES = [
    passage("a", "Meals on business trips are covered up to 55 EUR a day.", 0.2),
    passage("b", "Hotel nights are capped at 150 EUR.", 0.9),
    passage("c", "Book trains through the travel portal.", 0.5),
    passage("d", "The Porto offsite had a boat trip.", 0.5),
]


def test_noop_sorts_by_score_and_keeps_ties_in_order() -> None:
    ranked = NoopReranker().rerank("q", PASSAGES)
    assert [p.chunk_id for p in ranked] == ["chunk-b", "chunk-c", "chunk-d", "chunk-a"]
    assert isinstance(NoopReranker(), Reranker)


def test_cross_encoder_scores_every_pair_and_sorts(
    reranker: CrossEncoderReranker, tiny_cross_encoder: Path
) -> None:
    from sentence_transformers import CrossEncoder

    query = "How much can I spend on meals?"
    ranked = reranker.rerank(query, PASSAGES)
    expected = CrossEncoder(str(tiny_cross_encoder), device="cpu").predict(
        [(query, pair_text(p)) for p in PASSAGES]
    )
    by_id = {p.chunk_id: float(s) for p, s in zip(PASSAGES, expected, strict=True)}
    assert sorted(p.chunk_id for p in ranked) == sorted(by_id)
    for p in ranked:
        assert p.score == pytest.approx(by_id[p.chunk_id], abs=1e-5)
    assert [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)
    original = {p.chunk_id: p for p in PASSAGES}
    for p in ranked:  # everything but the score is kept
        assert p.model_dump(exclude={"score"}) == original[p.chunk_id].model_dump(exclude={"score"})
    assert reranker.rerank(query, []) == []
    assert isinstance(reranker, Reranker)


def test_pair_text_gives_the_model_title_and_headings() -> None:
    assert pair_text(PASSAGES[0]) == (
        "Title a > Section\nMeals on business trips are covered up to 55 EUR a day."
    )


def test_missing_model_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a CrossEncoder model directory"):
        CrossEncoderReranker(tmp_path / "nowhere")


def test_unloadable_model_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load the reranker"):
        CrossEncoderReranker(tmp_path)


def test_make_reranker_follows_settings(tiny_cross_encoder: Path) -> None:
    assert isinstance(make_reranker(get_settings()), NoopReranker)
    settings = get_settings(
        retrieval=RetrievalSettings(reranker=str(tiny_cross_encoder)),
        embedding={"device": "cpu"},
    )
    assert isinstance(make_reranker(settings), CrossEncoderReranker)


@pytest.fixture
def index(tmp_path: Path, embedder: Any) -> Iterator[VectorIndex]:
    idx = corpus.open_index("edge", tmp_path, corpus.build_points(corpus.MemoEmbedder(embedder)))
    yield idx
    idx.close()


def test_retriever_ranks_by_the_rerankers_scores(
    index: VectorIndex, embedder: Any, reranker: CrossEncoderReranker
) -> None:
    query = "How do I book travel?"
    settings = RetrievalSettings(max_per_document=5)
    retriever = Retriever(index, embedder, Bm25Encoder(), reranker, settings)
    blogs_and_videos = QueryFilters(kinds=[SourceKind.BLOG, SourceKind.VIDEO])  # none superseded
    found = retriever.search(query, Principal(), blogs_and_videos, limit=10).passages
    assert len(found) == 5  # every candidate, in the cross-encoder's order
    rescored = reranker.rerank(query, [p.model_copy(update={"score": 0.0}) for p in found])
    assert [(p.chunk_id, p.score) for p in found] == [(p.chunk_id, p.score) for p in rescored]
