"""Structure-aware chunking in model tokens, with exact spans."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from core.config import ChunkingSettings
from core.schema import Document, SourceKind
from ingest.chunking import Chunker
from ingest.connectors.base import TextBuilder


def _doc(builder: TextBuilder, kind: SourceKind = SourceKind.DOC) -> Document:
    return Document(
        id="d1",
        source="s",
        native_id="n",
        kind=kind,
        title="T",
        text=builder.text,
        blocks=builder.blocks,
    )


@pytest.fixture(scope="module")
def chunker(embedder: Any) -> Chunker:
    return Chunker(
        ChunkingSettings(max_tokens=40, overlap_tokens=10),
        embedder.token_lengths,
        embedder.token_offsets,
    )


def test_never_mixes_sections_and_keeps_heading_path(chunker: Chunker) -> None:
    b = TextBuilder()
    b.add("Meals are reimbursed up to 55 EUR.", ["Policy", "Meals"])
    b.add("Hotels up to 150 EUR per night.", ["Policy", "Hotels"])
    chunks = chunker.chunk(_doc(b))
    assert [c.heading_path for c in chunks] == [["Policy", "Meals"], ["Policy", "Hotels"]]
    assert chunks[0].text == "Meals are reimbursed up to 55 EUR."


def test_spans_are_exact_and_sizes_bounded(chunker: Chunker, embedder: Any) -> None:
    b = TextBuilder()
    sentences = [f"Sentence number {i} explains step {i} of the upload process." for i in range(30)]
    b.add(" ".join(sentences[:15]), ["Guide"])
    b.add(" ".join(sentences[15:]), ["Guide"])
    doc = _doc(b)
    chunks = chunker.chunk(doc)
    assert len(chunks) > 3
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert embedder.token_lengths([c.text])[0] <= 40 + 2  # joins add at most a newline
    covered = "".join(doc.text[c.start : c.end] for c in chunks)
    for s in sentences:  # nothing is lost
        assert s in covered


def test_consecutive_chunks_overlap(chunker: Chunker) -> None:
    b = TextBuilder()
    b.add(" ".join(f"Fact {i} is about quizzes." for i in range(40)))
    chunks = chunker.chunk(_doc(b))
    assert len(chunks) >= 2
    for prev, nxt in pairwise(chunks):
        assert nxt.start < prev.end, "the next chunk repeats the end of the previous one"
        assert nxt.start > prev.start


def test_overlong_sentence_is_cut_at_token_boundaries(chunker: Chunker, embedder: Any) -> None:
    b = TextBuilder()
    b.add("word " * 300)
    doc = _doc(b)
    chunks = chunker.chunk(doc)
    assert len(chunks) >= 300 // 40
    assert all(embedder.token_lengths([c.text])[0] <= 40 for c in chunks)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)


def test_video_cues_keep_times(chunker: Chunker) -> None:
    b = TextBuilder()
    for i in range(20):
        b.add(
            f"In this part we talk about captions and accessibility {i}.",
            None,
            i * 5.0,
            i * 5.0 + 4.5,
        )
    chunks = chunker.chunk(_doc(b, SourceKind.VIDEO))
    assert len(chunks) > 1
    assert chunks[0].time_start == 0.0
    for c in chunks:
        assert c.time_start is not None and c.time_end is not None
        assert c.time_start < c.time_end
    assert chunks[-1].time_end == 19 * 5.0 + 4.5


def test_ids_are_deterministic_and_change_with_content(chunker: Chunker) -> None:
    b = TextBuilder()
    b.add("Alpha. Beta.")
    first = chunker.chunk(_doc(b))
    assert [c.id for c in first] == [c.id for c in chunker.chunk(_doc(b))]
    b2 = TextBuilder()
    b2.add("Alpha. Gamma.")
    assert first[0].id != chunker.chunk(_doc(b2))[0].id


def test_empty_document_has_no_chunks(chunker: Chunker) -> None:
    assert chunker.chunk(_doc(TextBuilder())) == []


def test_a_huge_line_is_cut_before_the_tokenizer_sees_it(embedder: Any) -> None:
    seen: list[int] = []

    def lengths(texts: Any) -> list[int]:
        seen.append(max(len(t) for t in texts))
        return list(embedder.token_lengths(texts))

    def offsets(text: str) -> list[tuple[int, int]]:
        seen.append(len(text))
        return list(embedder.token_offsets(text))

    settings = ChunkingSettings(max_tokens=100, overlap_tokens=10)
    b = TextBuilder()
    b.add("the printer on the third floor jams " * 30_000)  # ~1 MB, one line, no full stop
    doc = _doc(b)
    chunks = Chunker(settings, lengths, offsets).chunk(doc)
    assert max(seen) <= 100 * 40  # pieces of at most 40 characters per chunk token
    assert len(chunks) > 1000
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert max(embedder.token_lengths([c.text for c in chunks[:50]])) <= 100
    covered = sum(c.end - c.start for c in chunks)
    assert covered >= 0.99 * len(doc.text)  # nothing dropped but the spaces at the cuts
