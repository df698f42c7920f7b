"""An Embedder wrapper that remembers query vectors: every retriever of a run asks the same."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.embedding import Embedder


class CachedEmbedder:
    """Delegates to `inner`, embedding each distinct query text once."""

    def __init__(self, inner: Embedder, max_queries: int = 50_000) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.max_queries = max_queries
        self._queries: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages (not cached)."""
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for one query, from the cache when it was asked before."""
        vector = self._queries.get(text)
        if vector is None:
            vector = self.inner.embed_query(text)
            if len(self._queries) < self.max_queries:
                self._queries[text] = vector
        return vector

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Number of model tokens of each text."""
        return self.inner.token_lengths(texts)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each model token."""
        return self.inner.token_offsets(text)
