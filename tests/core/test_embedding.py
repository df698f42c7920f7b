"""The sentence-transformers embedder, on the real packaged MiniLM model."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from core.config import EmbeddingSettings
from core.embedding import Embedder, SentenceTransformerEmbedder, SerializedEmbedder
from core.errors import EmbeddingError
from core.models import choose_dtype, resolve_model_path


def test_default_model_is_packaged_minilm(embedder: SentenceTransformerEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384
    assert embedder.model_name == "all-MiniLM-L6-v2"
    assert (resolve_model_path("all-MiniLM-L6-v2") / "model.safetensors").is_file()


def test_vectors_are_normalised_and_in_input_order(embedder: SentenceTransformerEmbedder) -> None:
    texts = ["short", "a much longer text about expense policies and meal limits " * 5, "tiny"]
    batch = embedder.embed_documents(texts)
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-4)
    singles = np.stack([embedder.embed_query(t) for t in texts])
    # Sorting by length inside must not reorder outputs (bf16 padding moves values slightly).
    similarity = batch @ singles.T
    assert (similarity.argmax(axis=1) == np.arange(3)).all()
    assert similarity.diagonal().min() > 0.99


def test_matches_sentence_transformers_encode(embedder: SentenceTransformerEmbedder) -> None:
    texts = ["How do I upload a SCORM package?", "Meal allowance when travelling"]
    ours = embedder.embed_documents(texts)
    reference = embedder._model.encode(texts, normalize_embeddings=True)
    assert np.allclose(ours, reference, atol=2e-2)


def test_semantics_rank_related_text_higher(embedder: SentenceTransformerEmbedder) -> None:
    q = embedder.embed_query("what is the meal limit on business trips")
    docs = embedder.embed_documents(
        ["Travel policy: meals are reimbursed up to 55 EUR per day.", "Our LMS supports SCORM."]
    )
    assert float(docs[0] @ q) > float(docs[1] @ q)


def test_empty_batch(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.embed_documents([]).shape == (0, 384)


def test_bfloat16_agrees_with_float32(embedder: SentenceTransformerEmbedder) -> None:
    bf16 = SentenceTransformerEmbedder(EmbeddingSettings(dtype="bfloat16", device="cpu"))
    fp32 = SentenceTransformerEmbedder(EmbeddingSettings(dtype="float32", device="cpu"))
    texts = ["Quiz pass mark is 80 percent since 2025.", "Facilitators run virtual workshops."]
    cos = (bf16.embed_documents(texts) * fp32.embed_documents(texts)).sum(axis=1)
    assert bf16.dtype == "bfloat16" and fp32.dtype == "float32"
    assert cos.min() > 0.99


def test_auto_dtype() -> None:
    assert choose_dtype("auto", "cuda") == "float16"
    assert choose_dtype("auto", "cpu") in {"bfloat16", "float32"}
    assert choose_dtype("float32", "cuda") == "float32"


def test_token_helpers(embedder: SentenceTransformerEmbedder) -> None:
    assert embedder.token_lengths(["hello world", ""]) == [2, 0]
    assert embedder.token_offsets("hello world") == [(0, 5), (6, 11)]


def test_missing_model_directory_is_a_clear_error(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(EmbeddingError, match="not a sentence-transformers model directory"):
        SentenceTransformerEmbedder(EmbeddingSettings(model=str(tmp_path)))


def _count_forward_calls(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """The batch sizes embed_documents is called with from now on (appended as it runs)."""
    calls: list[int] = []
    real = embedder.embed_documents

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "embed_documents", counting)
    return calls


def test_query_vectors_are_cached_and_callers_cannot_corrupt_the_cache(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "How do I book a training room for a workshop?"
    first = embedder.embed_query(question)
    assert np.allclose(first, embedder.embed_documents([question])[0], atol=1e-6)
    calls = _count_forward_calls(embedder, monkeypatch)
    first[:] = 0.0  # a caller scribbling on its copy
    again = embedder.embed_query(question)
    assert calls == [] and np.isclose(np.linalg.norm(again), 1.0, atol=1e-3)
    embedder.embed_query("Something never asked before about parking permits")
    assert calls == [1]


def test_query_cache_size_zero_embeds_every_query(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = SentenceTransformerEmbedder(EmbeddingSettings(query_cache_size=0))
    calls = _count_forward_calls(embedder, monkeypatch)
    embedder.embed_query("Who runs the winter shutdown?")
    embedder.embed_query("Who runs the winter shutdown?")
    assert calls == [1, 1]


def test_the_serialized_wrapper_gives_the_same_vectors_from_many_threads(
    embedder: SentenceTransformerEmbedder,
) -> None:
    shared = SerializedEmbedder(embedder)
    assert (shared.model_name, shared.dimension) == (embedder.model_name, embedder.dimension)
    texts = [f"How many days of leave do I get in year {n}?" for n in range(8)]
    with ThreadPoolExecutor(4) as pool:
        vectors = list(pool.map(shared.embed_query, texts))
        lengths = list(pool.map(lambda t: shared.token_lengths([t])[0], texts))
    # One text at a time vs. one batch: equal in float32; bfloat16 kernels may round a batch
    # differently (seen: 1.1e-3 on an AVX512-BF16 CPU), far below what moves a ranking.
    atol = 1e-5 if embedder.dtype == "float32" else 5e-3
    assert np.allclose(np.stack(vectors), embedder.embed_documents(texts), atol=atol)
    assert lengths == embedder.token_lengths(texts)
