"""The Embedder seam, its sentence-transformers adapter and the one wrapper.

Texts are tokenized in windows of several batches on helper threads (one on a CPU, several
beside a GPU, each with its own tokenizer), so the encoder never waits for the tokenizer; in
each window they are bucketed by token length (core/batching.py: sort, batch, pad to the
batch's longest, restore the input order) and encoded, in float16 on a GPU. Vectors come back
L2-normalised. The adapter keeps the one query cache (an LRU of `embedding.query_cache_size`
query vectors); `SerializedEmbedder` runs an embedder's calls one at a time for threads that
share it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.batching import length_batches, pad_rows
from core.config import EmbeddingSettings
from core.errors import EmbeddingError
from core.models import choose_device, choose_dtype, resolve_model_path
from core.span_pooling import Span, TokenRange, pool_ranges, token_ranges

log = logging.getLogger(__name__)

RUN_QUERIES = 50_000  # an eval run asks each query once per retriever: remember them all
WINDOW_BATCHES = 8  # batches tokenized and bucketed together (a window of texts)
GPU_TOKENIZERS = 4  # tokenizer threads feeding a GPU (a CPU encoder gets one)

Offsets = list[list[tuple[int, int]]]  # each text's token character spans, when asked for
Batch = tuple[list[int], dict[str, Any], Offsets | None]  # input positions, features, offsets


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into normalised dense vectors."""

    model_name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages, shape (len(texts), dimension), float32, unit length."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for one query, shape (dimension,)."""
        ...

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors as `embed_documents`, and a unit vector for each character span of
        each text, shape (len(spans[i]), dimension); a zero row where a span got none (past
        the truncation, no token), which the caller then embeds on its own."""
        ...

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Number of model tokens of each text (without special tokens)."""
        ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each model token of `text`."""
        ...


class SentenceTransformerEmbedder:
    """Embedder backed by a local sentence-transformers model."""

    def __init__(self, settings: EmbeddingSettings) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(settings.model)
        self.device = choose_device(settings.device)
        self.dtype = choose_dtype(settings.dtype, self.device)
        self.batch_size = settings.batch_size
        try:
            self._model = SentenceTransformer(
                str(path),
                device=self.device,
                model_kwargs={"dtype": getattr(torch, self.dtype)},
            )
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise EmbeddingError(f"cannot load embedding model from {path}: {exc}") from exc
        self._model.eval()
        self.model_name = settings.model
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise EmbeddingError(f"model at {path} does not report an embedding dimension")
        self.dimension = int(dim)
        # A separate tokenizer for chunking: a fast tokenizer must not be shared between
        # the encoder's tokenizing thread and an ingestion thread ("Already borrowed").
        from transformers import AutoTokenizer

        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
        # The encoder's tokenizers: the model's own, plus copies for extra threads on a GPU.
        # Plain text models are tokenized here without padding, to bucket by token length;
        # others go through the model's own preprocess, bucketed by characters.
        first = self._model[0] if len(self._model) else None
        self._direct = bool(
            type(first).__name__ == "Transformer"
            and getattr(self._model.tokenizer, "is_fast", False)
            and not any((getattr(self._model, "prompts", None) or {}).values())
        )
        threads = 1
        if self.device.startswith("cuda"):
            threads = max(1, min(GPU_TOKENIZERS, (os.cpu_count() or 2) // 2))
        self._tokenize_pool: ThreadPoolExecutor | None = None  # started on the first long input
        self._encoder_tokenizers: list[Any] = [self._model.tokenizer] + [
            AutoTokenizer.from_pretrained(str(path)) for _ in range(threads - 1)
        ]
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = settings.query_cache_size  # 1.5 KB per query at 384-d
        self._query_lock = threading.Lock()
        log.info(
            "embedder loaded",
            extra={"model": self.model_name, "device": self.device, "dtype": self.dtype},
        )

    @property
    def max_tokens(self) -> int:
        """Longest input the model reads (longer texts are truncated)."""
        return int(self._model.max_seq_length or 512)

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Number of model tokens of each text (without special tokens)."""
        if not texts:
            return []
        ids = self._tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(x) for x in ids]

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each model token of `text`."""
        enc = self._tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [tuple(o) for o in enc["offset_mapping"]]

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for one query; recent queries are answered from a small cache."""
        # One /ask embeds its question twice (retrieval, then the extractive generator's
        # sentence scoring), and popular questions recur: each hit saves a forward pass.
        with self._query_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached.copy()
        vector = self.embed_documents([text])[0]
        with self._query_lock:
            self._queries[text] = vector.copy()
            if len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
        return vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages, unit length, in input order."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts)[0]

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and, from the same forward pass, each span's pooled token vectors
        (core/span_pooling.py); a zero row for a span past the truncation."""
        if len(spans) != len(texts):
            raise ValueError(f"{len(spans)} span lists for {len(texts)} texts")
        if not texts or not self._direct:  # a model's own preprocess gives no token offsets
            pooled = [np.zeros((len(s), self.dimension), dtype=np.float32) for s in spans]
            return self.embed_documents(texts), pooled
        return self._encode(texts, spans)

    def _encode(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]] | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and, when `spans` are given, each span's pooled vector (a zero row
        where a span has no token); host copies once the last batch is encoded."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        pooled = [np.zeros((len(s), self.dimension), dtype=np.float32) for s in spans or []]
        try:
            done: list[tuple[list[int], Any, list[tuple[int, int]], Any]] = []
            for rows, features, offsets in self._batches(texts, offsets=spans is not None):
                if spans is None:
                    done.append((rows, self._forward(features), [], None))
                    continue
                where: list[tuple[int, int]] = []  # (text, span) of each pooled range
                ranges: list[TokenRange] = []
                for i, (r, text_offsets) in enumerate(zip(rows, offsets or [], strict=True)):
                    for j, found in enumerate(token_ranges(text_offsets, spans[r])):
                        if found:
                            where.append((r, j))
                            ranges.append((i, *found))
                vectors, tokens = self._forward(features, tokens=True)
                done.append((rows, vectors, where, pool_ranges(tokens, ranges)))
            for rows, vectors, where, span_vectors in done:  # one device-to-host copy each
                out[rows] = vectors.float().cpu().numpy()
                if span_vectors is not None:
                    for (r, j), vector in zip(where, span_vectors.cpu().numpy(), strict=True):
                        pooled[r][j] = vector
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {exc}") from exc
        return out, pooled

    def _forward(self, features: dict[str, Any], tokens: bool = False) -> Any:
        """Unit vectors of one batch, left on the device (no synchronisation here); with
        `tokens`, also the contextual token vectors (batch, sequence, dimension)."""
        import torch

        with torch.inference_mode():
            features = {
                k: v.to(self.device, non_blocking=True) if isinstance(v, torch.Tensor) else v
                for k, v in features.items()
            }
            output = self._model(features)
            emb = torch.nn.functional.normalize(output["sentence_embedding"].float(), p=2, dim=1)
            return (emb, output["token_embeddings"]) if tokens else emb

    def _batches(self, texts: Sequence[str], offsets: bool = False) -> Iterator[Batch]:
        """Bucketed batches of every window, windows tokenized ahead on the tokenizer threads
        (with each text's token offsets when asked, for the direct path)."""
        size = self.batch_size * WINDOW_BATCHES
        tokenizers = self._encoder_tokenizers
        if len(texts) <= size:  # one window: nothing to overlap, no thread hand-off
            yield from self._window(list(texts), 0, tokenizers[0], offsets)
            return
        if self._tokenize_pool is None:
            self._tokenize_pool = ThreadPoolExecutor(len(tokenizers), "tokenizer")
        ahead: deque[Future[list[Batch]]] = deque()
        try:
            for n, start in enumerate(range(0, len(texts), size)):
                done = self._result(ahead.popleft()) if len(ahead) == len(tokenizers) else []
                # Window n uses tokenizer n mod k, free now: its window n - k is done.
                window = list(texts[start : start + size])
                tokenizer = tokenizers[n % len(tokenizers)]
                ahead.append(
                    self._tokenize_pool.submit(self._window, window, start, tokenizer, offsets)
                )
                yield from done  # encoded while the windows ahead are tokenized
            while ahead:
                yield from self._result(ahead.popleft())
        finally:  # a failed call leaves no tokenizer busy for the next one
            for future in ahead:
                future.cancel()
            wait(ahead)

    @staticmethod
    def _result(future: Future[list[Batch]]) -> list[Batch]:
        try:
            return future.result()
        except Exception as exc:
            raise EmbeddingError(f"tokenization failed: {exc}") from exc

    def _window(
        self, texts: list[str], offset: int, tokenizer: Any, offsets: bool = False
    ) -> list[Batch]:
        """A window's batches: tokenized once, bucketed by length, padded, pinned for a GPU."""
        import torch

        spans: Offsets | None = None
        if self._direct:
            encoded = tokenizer(
                texts,
                truncation=True,
                max_length=self.max_tokens,
                return_offsets_mapping=offsets,
            )
            if offsets:  # not a model input: kept beside the features, never padded
                spans = encoded.pop("offset_mapping")
            lengths = [len(ids) for ids in encoded["input_ids"]]
        else:
            lengths = [len(t) for t in texts]
        batches = []
        for rows in length_batches(lengths, self.batch_size):
            if self._direct:
                arrays = pad_rows(encoded, rows, tokenizer.pad_token_id or 0)
                features: dict[str, Any] = {k: torch.from_numpy(v) for k, v in arrays.items()}
            else:
                features = self._model.preprocess([texts[r] for r in rows])
            if self.device.startswith("cuda"):
                features = {
                    k: v.pin_memory() if isinstance(v, torch.Tensor) else v
                    for k, v in features.items()
                }
            batch_offsets = [spans[r] for r in rows] if spans is not None else None
            batches.append(([offset + r for r in rows], features, batch_offsets))
        return batches


class SerializedEmbedder:
    """An Embedder whose calls run one at a time (request threads and the ingest job share
    one model, and a fast tokenizer must not be used by two threads at once)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages."""
        with self._lock:
            return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for one query."""
        with self._lock:
            return self.inner.embed_query(text)

    def embed_documents_with_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors and their spans' pooled vectors."""
        with self._lock:
            return self.inner.embed_documents_with_spans(texts, spans)

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Number of model tokens of each text."""
        with self._lock:
            return self.inner.token_lengths(texts)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each model token."""
        with self._lock:
            return self.inner.token_offsets(text)


def run_embedder(settings: EmbeddingSettings) -> SentenceTransformerEmbedder:
    """An embedder for batch runs (evals), whose cache holds every query of a run."""
    return SentenceTransformerEmbedder(
        settings.model_copy(update={"query_cache_size": RUN_QUERIES})
    )
