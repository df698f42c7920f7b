"""BM25 sparse vectors from Qdrant Edge's encoder."""

from __future__ import annotations

import pytest

from core.errors import EmbeddingError
from core.sparse import Bm25Encoder


@pytest.fixture(scope="module")
def bm25() -> Bm25Encoder:
    return Bm25Encoder()


def test_query_mode_gives_unit_weights_to_distinct_terms(bm25: Bm25Encoder) -> None:
    vec = bm25.encode_query("Deploy deploys deployment the cluster")
    assert vec.values == [1.0] * len(vec.indices)
    assert len(set(vec.indices)) == len(vec.indices)
    assert vec == bm25.encode_query("deploy cluster deployment")  # stemmed, stopwords dropped


def test_document_mode_weighs_repeated_terms_higher(bm25: Bm25Encoder) -> None:
    (doc,) = bm25.encode_documents(["kubernetes kubernetes cluster"])
    weights = dict(zip(doc.indices, doc.values, strict=True))
    (kube,) = bm25.encode_query("kubernetes").indices
    (cluster,) = bm25.encode_query("cluster").indices
    assert weights[kube] > weights[cluster] > 0


def test_stemming_and_stopwords(bm25: Bm25Encoder) -> None:
    assert bm25.encode_query("running") == bm25.encode_query("runs")
    assert bm25.encode_query("the and of").indices == []


def test_batch_keeps_order_and_empty_texts(bm25: Bm25Encoder) -> None:
    texts = ["payroll schedule", "", "holiday calendar"]
    encoded = bm25.encode_documents(texts)
    assert len(encoded) == 3
    assert encoded[1].indices == []
    assert encoded[0] == bm25.encode_documents(["payroll schedule"])[0]
    assert set(bm25.encode_query("holiday").indices) <= set(encoded[2].indices)


def test_unknown_language_is_an_embedding_error() -> None:
    with pytest.raises(EmbeddingError, match="language"):
        Bm25Encoder(language="klingon")
