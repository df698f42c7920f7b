"""BM25 sparse vectors from Qdrant Edge's built-in encoder (no model download).

Documents get saturated term-frequency weights, queries unit weights per unique term; the
index applies IDF (`Modifier.IDF` on the `SPARSE` vector), so scores are BM25. Token ids are
the same murmur3 hashes Qdrant server uses, so one encoder serves both adapters.
"""

from __future__ import annotations

from collections.abc import Sequence

from qdrant_edge import Bm25, Bm25Config

from core.errors import EmbeddingError
from core.index.base import SparseVector


class Bm25Encoder:
    """Turns passages and queries into BM25 sparse vectors (English stemming and stopwords)."""

    def __init__(self, language: str = "english", avg_len: float | None = None) -> None:
        # avg_len (tokens after stopword removal; Qdrant default 256) shapes document
        # weights: changing it means re-indexing, like a chunker change.
        try:
            self._model = Bm25(Bm25Config(language=language, avg_len=avg_len))
        except ValueError as exc:
            raise EmbeddingError(f"invalid BM25 configuration: {exc}") from exc

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVector]:
        """Document-mode vectors (BM25 term-frequency weights), one per text."""
        try:
            encoded = [self._model.embed_document(text) for text in texts]
        except Exception as exc:  # the binding raises bare Exception
            raise EmbeddingError(f"BM25 encoding failed: {exc}") from exc
        return [SparseVector(list(v.indices), list(v.values)) for v in encoded]

    def encode_query(self, text: str) -> SparseVector:
        """Query-mode vector: weight 1 for each distinct term."""
        try:
            vector = self._model.embed_query(text)
        except Exception as exc:  # the binding raises bare Exception
            raise EmbeddingError(f"BM25 encoding failed: {exc}") from exc
        return SparseVector(list(vector.indices), list(vector.values))
