"""Unit vectors from ingestion: the payload format, and answers that embed no unit."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.generation.extractive import ExtractiveGenerator
from core.generation.unit_vectors import (
    PAYLOAD_KEY,
    attach,
    attach_pooled,
    decode,
    encode,
    unit_key,
    unit_spans,
    unit_texts,
)
from core.schema import Passage
from tests.core.generation.samples import CountingEmbedder, passage

POLICY = """## Meals

Meals are reimbursed up to **55 EUR** per day. Alcohol is
never reimbursed by the company.

- Keep every receipt for `ten` years.
- Submit claims within 30 days.

| Item | Limit |
|---|---|
| Hotel | 230 EUR a night |
"""


def _stored(p: Passage, embedder: Any, pooled: bool = False) -> Passage:
    """The passage as retrieval returns it from a point that ingestion wrote."""
    payload = {"text": p.text, "kind": p.kind.value}
    if pooled:
        attach_pooled([payload], [f"{p.title}\n{p.text}"], embedder)
    else:
        attach([payload], embedder)
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


def test_unit_spans_find_each_unit_by_its_plain_words_in_reading_order() -> None:
    context = "Travel policy > Meals: Alcohol is never reimbursed by the company.\n"
    text = context + POLICY
    units = unit_texts(POLICY)
    assert units == [
        "Meals are reimbursed up to 55 EUR per day.",
        "Alcohol is never reimbursed by the company.",
        "Keep every receipt for ten years.",
        "Submit claims within 30 days.",
        "Hotel — Limit: 230 EUR a night",
    ]
    spans = unit_spans(text, units, len(context))
    found = [text[s[0] : s[1]] if s else None for s in spans]
    assert found == [
        "Meals are reimbursed up to **55 EUR** per day.",
        "Alcohol is\nnever reimbursed by the company.",  # in the passage, not in its context
        "Keep every receipt for `ten` years.",
        "Submit claims within 30 days.",
        None,  # a table row reads with its header: no such words in the text
    ]
    # Without `start`, the same words in the title context would be taken for the unit.
    assert unit_spans(text, units[1:2]) == [(context.index("Alcohol"), len(context) - 1)]


def test_pooled_units_come_from_the_passage_pass_and_the_rest_alone(embedder: Any) -> None:
    payloads: list[dict[str, Any]] = [{"text": POLICY, "kind": "doc"}, {"text": "", "kind": "doc"}]
    texts = [f"Travel policy > Meals\n{POLICY}", "Travel policy"]
    dense = attach_pooled(payloads, texts, embedder)
    np.testing.assert_allclose(dense, embedder.embed_documents(texts), atol=1e-5)
    units = unit_texts(POLICY)
    stored = decode(payloads[0][PAYLOAD_KEY], embedder.dimension)
    assert list(stored) == [unit_key(t) for t in units]
    assert payloads[1][PAYLOAD_KEY] == ""
    spans = unit_spans(texts[0], units, len(texts[0]) - len(POLICY))
    _, pooled = embedder.embed_documents_with_spans(texts[:1], [[s for s in spans if s]])
    alone = embedder.embed_documents(units)
    for i, unit in enumerate(units):
        cosine = float(stored[unit_key(unit)] @ alone[i])
        if i < 4:  # pooled in context: its pooled vector, not its standalone one
            assert float(stored[unit_key(unit)] @ pooled[0][i]) > 0.99 > cosine
        else:  # the table row was not found: embedded on its own
            assert cosine > 0.99


def test_units_cut_off_by_the_truncation_are_embedded_alone(embedder: Any) -> None:
    filler = "Receipts are scanned by the finance team every week. " * 40
    text = filler + "Taxis are reimbursed only after ten in the evening."
    assert len(embedder.token_offsets(text)) > embedder.max_tokens
    payload: dict[str, Any] = {"text": text, "kind": "doc"}
    attach_pooled([payload], [text], embedder)
    stored = decode(payload[PAYLOAD_KEY], embedder.dimension)
    last = "Taxis are reimbursed only after ten in the evening."
    assert float(stored[unit_key(last)] @ embedder.embed_documents([last])[0]) > 0.99
    first = unit_texts(text)[0]
    assert float(stored[unit_key(first)] @ embedder.embed_documents([first])[0]) < 0.99


def test_answers_from_pooled_vectors_embed_no_unit(
    embedder: Any, passages: dict[str, Passage]
) -> None:
    order = [passages[k] for k in ("hotels", "meals", "mileage")]
    counted = CountingEmbedder(embedder)
    generator = ExtractiveGenerator(counted, vector_cache=0)  # type: ignore[arg-type]
    result = generator.generate(
        "What is the meal limit when travelling?", [_stored(p, embedder, True) for p in order]
    )
    assert "55 EUR" in result.text
    assert counted.documents == 0
