"""Length bucketing for the encoder (the GPU path's order logic, proven on the CPU)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from transformers import AutoTokenizer

from core.batching import length_batches, pad_rows, padded_share, restore_order
from core.config import EmbeddingSettings
from core.embedding import SentenceTransformerEmbedder
from core.models import resolve_model_path


def test_batches_cover_every_index_once_longest_first() -> None:
    rng = random.Random(7)
    lengths = [rng.randint(1, 256) for _ in range(1000)]
    batches = length_batches(lengths, 64)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert all(len(b) <= 64 for b in batches) and len(batches) == 16
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)
    unsorted = [list(range(i, min(i + 64, 1000))) for i in range(0, 1000, 64)]
    assert padded_share(lengths, batches) < 0.1 < 0.4 < padded_share(lengths, unsorted)
    assert length_batches([3, 5, 3], 2) == [[1, 0], [2]]  # ties keep input order
    with pytest.raises(ValueError):
        length_batches([1], 0)


def test_padding_fills_to_the_longest_row_of_the_batch() -> None:
    encoded = {"input_ids": [[5, 6, 7], [8], [9, 10]], "attention_mask": [[1, 1, 1], [1], [1, 1]]}
    arrays = pad_rows(encoded, [2, 1], pad_id=99)
    assert arrays["input_ids"].tolist() == [[9, 10], [8, 99]]
    assert arrays["attention_mask"].tolist() == [[1, 1], [1, 0]]
    assert arrays["input_ids"].dtype == np.int64


def test_results_go_back_to_their_input_positions() -> None:
    values = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 3), dtype=np.float32)
    batches = length_batches([1, 9, 3, 7, 5, 2, 8, 4, 6, 0], 3)
    restored = restore_order(((b, values[b]) for b in batches), 10)
    assert np.array_equal(restored, values)
    with pytest.raises(ValueError, match="cover 3 of 10"):
        restore_order([(batches[0], values[batches[0]])], 10)


@pytest.fixture(scope="module")
def fp32() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        EmbeddingSettings(dtype="float32", device="cpu", batch_size=4)
    )


def corpus(count: int) -> list[str]:
    rng = random.Random(3)
    words = [
        "kettle",
        "printer",
        "expense",
        "policy",
        "workshop",
        "facilitator",
        "laptop",
        "badge",
        "invoice",
    ]
    return [" ".join(rng.choices(words, k=rng.randint(1, 120))) for _ in range(count)]


def test_bucketed_windows_match_plain_encode_in_order(fp32: SentenceTransformerEmbedder) -> None:
    assert fp32._direct  # MiniLM is tokenized here, bucketed by token length
    texts = corpus(75)  # batch 4, window 32: three windows, the last one partial
    reference = fp32._model.encode(texts, normalize_embeddings=True, batch_size=4)
    assert np.allclose(fp32.embed_documents(texts), reference, atol=1e-5)


def test_several_tokenizer_threads_as_beside_a_gpu(
    fp32: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = corpus(150)
    single = fp32.embed_documents(texts)
    tokenizers = [fp32._model.tokenizer] + [
        AutoTokenizer.from_pretrained(str(resolve_model_path(fp32.model_name))) for _ in range(2)
    ]
    monkeypatch.setattr(fp32, "_encoder_tokenizers", tokenizers)
    assert np.allclose(fp32.embed_documents(texts), single, atol=1e-5)
    monkeypatch.setattr(fp32, "_direct", False)  # a model tokenized by its own preprocess
    assert np.allclose(fp32.embed_documents(texts), single, atol=1e-5)
