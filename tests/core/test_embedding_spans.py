"""Span vectors from the passage's own forward pass (late chunking), on the real MiniLM model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.embedding import SentenceTransformerEmbedder, SerializedEmbedder
from core.span_pooling import token_ranges

TEXT = (
    "Travel policy > Meals\n"
    "Meals are reimbursed up to 55 EUR per day. Hotels in London cost at most 230 EUR a night."
)
MEALS = (TEXT.index("Meals are"), TEXT.index("day.") + 4)
HOTELS = (TEXT.index("Hotels"), len(TEXT))


def _span_of(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_token_ranges_map_characters_to_tokens_and_skip_special_ones() -> None:
    # [CLS] "meal" "##s" "are" "capped" [SEP] over "meals are capped"
    offsets = [(0, 0), (0, 4), (4, 5), (6, 9), (10, 16), (0, 0)]
    assert token_ranges(offsets, [(0, 5), (6, 16), (4, 9), (0, 16)]) == [
        (1, 3),
        (3, 5),
        (2, 4),  # a span starting inside a word takes the word piece it starts in
        (1, 5),
    ]
    assert token_ranges(offsets, [(5, 6), (3, 3)]) == [None, None]  # only a space; empty
    assert token_ranges(offsets, [(10, 20)]) == [None]  # reaches past the last token kept
    assert token_ranges([(0, 0), (0, 0)], [(0, 3)]) == [None]


def test_a_span_vector_is_the_mean_of_its_contextual_token_vectors(
    embedder: SentenceTransformerEmbedder,
) -> None:
    _, pooled = embedder.embed_documents_with_spans([TEXT], [[MEALS, HOTELS]])
    model = embedder._model
    encoded = model.tokenizer(TEXT, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoded.pop("offset_mapping")[0].tolist()
    with torch.inference_mode():
        tokens = model(dict(encoded))["token_embeddings"][0].float()
    for (start, end), got in zip([MEALS, HOTELS], pooled[0], strict=True):
        inside = [j for j, (a, b) in enumerate(offsets) if b > a and b > start and a < end]
        assert len(inside) >= 8
        expected = tokens[inside].mean(dim=0)
        expected = (expected / expected.norm()).numpy()
        np.testing.assert_allclose(got, expected, atol=1e-5)
    # Read in context, not alone: close to the sentence on its own, yet not the same vector.
    alone = embedder.embed_documents([TEXT[MEALS[0] : MEALS[1]]])[0]
    assert 0.6 < float(alone @ pooled[0][0]) < 0.999


def test_passage_vectors_are_those_of_embed_documents(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches: several windows, tokenized ahead on the tokenizer thread, sorted by length.
    monkeypatch.setattr(embedder, "batch_size", 2)
    texts = [f"{TEXT} {'Extra words about receipts.' * (i % 5)}" for i in range(40)]
    spans = [[MEALS, _span_of(t, "Hotels in London")] if i % 3 else [] for i, t in enumerate(texts)]
    dense, pooled = embedder.embed_documents_with_spans(texts, spans)
    np.testing.assert_allclose(dense, embedder.embed_documents(texts), atol=1e-5)
    assert [len(p) for p in pooled] == [len(s) for s in spans]
    alone = embedder.embed_documents(["Meals are reimbursed up to 55 EUR per day."])[0]
    for i, vectors in enumerate(pooled):
        if spans[i]:  # each text's own spans, whatever its place in the batches
            assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
            assert float(vectors[0] @ alone) > float(vectors[1] @ alone)


def test_a_span_past_the_truncation_gets_a_zero_row(embedder: SentenceTransformerEmbedder) -> None:
    long = TEXT + " Receipts are kept for ten years by the finance team." * 40
    assert len(embedder.token_offsets(long)) > embedder.max_tokens
    last = _span_of(long, "Receipts are kept for ten years by the finance team.")
    end = (len(long) - 52, len(long))
    _, pooled = embedder.embed_documents_with_spans([long], [[MEALS, last, end]])
    assert np.isclose(np.linalg.norm(pooled[0][0]), 1.0, atol=1e-4)
    assert np.isclose(np.linalg.norm(pooled[0][1]), 1.0, atol=1e-4)  # the first copy fits
    assert not pooled[0][2].any()


def test_empty_input_and_mismatched_spans(embedder: SentenceTransformerEmbedder) -> None:
    dense, pooled = embedder.embed_documents_with_spans([], [])
    assert dense.shape == (0, 384) and pooled == []
    with pytest.raises(ValueError, match="span lists"):
        embedder.embed_documents_with_spans([TEXT], [])


def test_the_serialized_wrapper_pools_the_same_spans(embedder: SentenceTransformerEmbedder) -> None:
    direct = embedder.embed_documents_with_spans([TEXT], [[MEALS]])
    wrapped = SerializedEmbedder(embedder).embed_documents_with_spans([TEXT], [[MEALS]])
    np.testing.assert_array_equal(direct[0], wrapped[0])
    np.testing.assert_array_equal(direct[1][0], wrapped[1][0])
