"""Rerankers: re-score retrieved passages against the query, best first.

Reranker              the protocol
NoopReranker          keeps the retriever's scores (the default, no model)
CrossEncoderReranker  a sentence-transformers CrossEncoder loaded from a local directory
make_reranker         the one `retrieval.reranker` names
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from core.clock import elapsed_ms
from core.config import Settings
from core.errors import ConfigError, EmbeddingError
from core.models import choose_device, choose_dtype
from core.schema import Passage

log = logging.getLogger(__name__)


@runtime_checkable
class Reranker(Protocol):
    """Re-scores passages for a query."""

    name: str

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """The passages with updated scores, best first (ties keep their input order)."""
        ...


def by_score(passages: list[Passage]) -> list[Passage]:
    """Passages sorted by score, best first; stable, so equal scores keep their order."""
    return sorted(passages, key=lambda p: -p.score)


class NoopReranker:
    """Keeps the retriever's scores and order."""

    name = "none"

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """The passages as given, sorted by their scores."""
        return by_score(passages)


def pair_text(passage: Passage) -> str:
    """What the cross-encoder reads for a passage: title, heading path, then the text."""
    context = " > ".join([passage.title, *passage.heading_path])
    return f"{context}\n{passage.text}"


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a local sentence-transformers CrossEncoder."""

    name = "cross-encoder"

    def __init__(
        self,
        model_path: str | Path,
        device: str = "auto",
        batch_size: int = 32,
        dtype: str = "auto",
    ) -> None:
        path = Path(model_path).expanduser()
        if not (path / "config.json").is_file():
            raise ConfigError(
                f"reranker {str(model_path)!r} is not a CrossEncoder model directory (no "
                "config.json there); models are loaded from disk, never downloaded — set "
                "retrieval.reranker to 'none' or to such a directory"
            )
        import torch
        from sentence_transformers import CrossEncoder

        self.batch_size = batch_size
        self.device = choose_device(device)
        try:
            self._model: Any = CrossEncoder(
                str(path),
                device=self.device,
                local_files_only=True,
                # bf16 halves the cost on CPUs with bf16 instructions (measured in the bench).
                model_kwargs={"dtype": getattr(torch, choose_dtype(dtype, self.device))},
            )
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise ConfigError(f"cannot load the reranker from {path}: {exc}") from exc
        self.name = f"cross-encoder:{path.name}"
        log.info("reranker loaded", extra={"model": str(path), "device": self.device})

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """The passages scored by the cross-encoder, best first."""
        if not passages:
            return []
        started = time.perf_counter()
        pairs = [(query, pair_text(p)) for p in passages]
        try:
            scores = self._model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        except Exception as exc:
            raise EmbeddingError(f"reranking failed: {exc}") from exc
        rescored = [
            p.model_copy(update={"score": float(s)}) for p, s in zip(passages, scores, strict=True)
        ]
        log.debug(
            "reranked",
            extra={
                "passages": len(passages),
                "ms": elapsed_ms(started, 1),
            },
        )
        return by_score(rescored)


def make_reranker(settings: Settings) -> Reranker:
    """The reranker `retrieval.reranker` names: 'none', or a CrossEncoder directory."""
    choice = settings.retrieval.reranker.strip()
    if choice.lower() in ("", "none"):
        return NoopReranker()
    return CrossEncoderReranker(
        choice, device=settings.embedding.device, dtype=settings.embedding.dtype
    )
