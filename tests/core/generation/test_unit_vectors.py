"""Unit vectors from ingestion: the payload format, and answers that embed no unit."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.generation.extractive import ExtractiveGenerator
from core.generation.unit_vectors import PAYLOAD_KEY, attach, decode, encode, unit_key, unit_texts
from core.schema import Passage
from tests.core.generation.samples import CountingEmbedder, passage


def _stored(p: Passage, embedder: Any) -> Passage:
    """The passage as retrieval returns it from a point that ingestion wrote."""
    payload = attach([{"text": p.text, "kind": p.kind.value}], embedder)[0]
    return p.model_copy(update={"unit_vectors": payload[PAYLOAD_KEY]})


def test_encoded_vectors_decode_by_unit_key_within_quantisation_error() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = ["First unit here.", "Second unit here.", "Third unit here."]
    decoded = decode(encode(texts, vectors), 384)
    assert list(decoded) == [unit_key(t) for t in texts]
    for text, vector in zip(texts, vectors, strict=True):
        got = decoded[unit_key(text)]
        assert float(got @ vector) / float(np.linalg.norm(got)) > 0.999


def test_missing_or_malformed_vectors_decode_to_nothing() -> None:
    assert decode(None, 384) == {} and decode("", 384) == {}
    assert decode("not base64 !", 384) == {}
    assert decode(encode(["A unit of text."], np.ones((1, 8), np.float32)), 384) == {}


def test_attach_stores_a_vector_for_every_unit(embedder: Any) -> None:
    text = "Hotels cost at most 230 EUR a night in London. Book them through TravelDesk."
    payload = attach([{"text": text, "kind": "doc"}, {"text": "", "kind": "doc"}], embedder)
    stored = decode(payload[0][PAYLOAD_KEY], embedder.dimension)
    assert set(stored) == {unit_key(t) for t in unit_texts(text)} and len(stored) == 2
    assert payload[1][PAYLOAD_KEY] == ""
    fresh = embedder.embed_documents(unit_texts(text))
    for t, vector in zip(unit_texts(text), fresh, strict=True):
        assert float(stored[unit_key(t)] @ vector) > 0.99


def test_answers_from_stored_vectors_embed_no_unit_and_match(
    embedder: Any, passages: dict[str, Passage]
) -> None:
    order = [passages[k] for k in ("hotels", "meals", "mileage")]
    question = "What is the meal limit when travelling?"
    expected = ExtractiveGenerator(embedder, vector_cache=0).generate(question, order).text
    counted = CountingEmbedder(embedder)
    generator = ExtractiveGenerator(counted, vector_cache=0)  # type: ignore[arg-type]
    stored = [_stored(p, embedder) for p in order]
    assert generator.generate(question, stored).text == expected
    assert counted.documents == 0


def test_a_unit_without_a_stored_vector_is_embedded_at_answer_time(embedder: Any) -> None:
    old = passage("meals", "Meals", [], "Meals are capped at 55 EUR per day on business trips.")
    ingested = _stored(old, embedder)
    edited = ingested.model_copy(
        update={"text": ingested.text + " Alcohol is never reimbursed by the company."}
    )
    counted = CountingEmbedder(embedder)
    result = ExtractiveGenerator(counted, vector_cache=0).generate(  # type: ignore[arg-type]
        "What is the daily meal cap?", [edited]
    )
    assert "55 EUR" in result.text
    assert counted.documents == 1  # only the sentence ingestion did not see


def test_unit_vectors_never_leave_the_process(embedder: Any) -> None:
    p = _stored(passage("meals", "Meals", [], "Meals are capped at 55 EUR per day."), embedder)
    assert p.unit_vectors
    assert "unit_vectors" not in p.model_dump() and "unit_vectors" not in p.model_dump_json()
