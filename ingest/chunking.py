"""Structure-aware chunking in tokens of the embedding model.

A chunk never spans two sections (heading paths). Inside a section, sentences (or video cues)
are packed up to `max_tokens`, and each new chunk repeats the last sentences of the previous
one up to `overlap_tokens`. A sentence longer than a chunk is cut at token boundaries (after
a first cut into pieces of at most 40 characters per chunk token, so that time and memory
stay linear in the text's length). Every
chunk's text is exactly `document.text[start:end]`, so the service can highlight it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from core.config import ChunkingSettings
from core.schema import Block, Chunk, Document

# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by space,
# or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
# A "sentence" longer than this many characters per chunk token (a 50 MB line, say) is cut
# into pieces before it is tokenized, and sentences are tokenized a batch at a time: the
# tokenizer's memory then stays bounded whatever the file holds.
_PIECE_CHARS_PER_TOKEN = 40
_TOKENIZE_BATCH = 1024


@dataclass(frozen=True)
class _Unit:
    """A sentence or cue: the smallest piece packed into chunks."""

    start: int
    end: int
    tokens: int
    time_start: float | None
    time_end: float | None


class Chunker:
    """Splits documents into chunks sized in model tokens."""

    def __init__(
        self,
        settings: ChunkingSettings,
        token_lengths: Callable[[Sequence[str]], list[int]],
        token_offsets: Callable[[str], list[tuple[int, int]]],
    ) -> None:
        self.max_tokens = settings.max_tokens
        self.overlap_tokens = settings.overlap_tokens
        self._lengths = token_lengths
        self._offsets = token_offsets
        self._piece = self.max_tokens * _PIECE_CHARS_PER_TOKEN

    def chunk(self, doc: Document) -> list[Chunk]:
        """Chunks of a document, in reading order."""
        chunks: list[Chunk] = []
        for heading, blocks in groupby(doc.blocks, key=lambda b: tuple(b.heading_path)):
            units = self._units(doc.text, list(blocks))
            for group in self._pack(units):
                start, end = group[0].start, group[-1].end
                text = doc.text[start:end]
                times = [u.time_start for u in group if u.time_start is not None]
                ends = [u.time_end for u in group if u.time_end is not None]
                chunks.append(
                    Chunk(
                        id=Chunk.make_id(doc.id, len(chunks), text),
                        document_id=doc.id,
                        position=len(chunks),
                        text=text,
                        heading_path=list(heading),
                        start=start,
                        end=end,
                        time_start=min(times) if times else None,
                        time_end=max(ends) if ends else None,
                    )
                )
        return chunks

    def _units(self, text: str, blocks: list[Block]) -> list[_Unit]:
        spans: list[tuple[int, int, Block]] = []
        for block in blocks:
            if block.time_start is not None:  # a cue is one unit: keep its timing whole
                sentences = [(block.start, block.end)]
            else:
                sentences = _sentence_spans(text, block.start, block.end)
            for start, end in sentences:
                spans.extend((s, e, block) for s, e in _pieces(text, start, end, self._piece))
        units: list[_Unit] = []
        for first in range(0, len(spans), _TOKENIZE_BATCH):
            batch = spans[first : first + _TOKENIZE_BATCH]
            lengths = self._lengths([text[s:e] for s, e, _ in batch])
            for (start, end, block), tokens in zip(batch, lengths, strict=True):
                if tokens <= self.max_tokens:
                    units.append(_Unit(start, end, tokens, block.time_start, block.time_end))
                else:
                    units.extend(self._cut(text, start, end, block))
        return units

    def _cut(self, text: str, start: int, end: int, block: Block) -> list[_Unit]:
        """Cut an over-long sentence into pieces of at most max_tokens tokens."""
        offsets = self._offsets(text[start:end])
        step = self.max_tokens
        pieces = []
        for i in range(0, len(offsets), step):
            window = offsets[i : i + step]
            piece_start = start + window[0][0]
            piece_end = start + window[-1][1] if i + step < len(offsets) else end
            pieces.append(
                _Unit(piece_start, piece_end, len(window), block.time_start, block.time_end)
            )
        return pieces

    def _pack(self, units: list[_Unit]) -> list[list[_Unit]]:
        groups: list[list[_Unit]] = []
        current: list[_Unit] = []
        size = 0
        for unit in units:
            if current and size + unit.tokens > self.max_tokens:
                groups.append(current)
                current = self._overlap(current, unit.tokens)
                size = sum(u.tokens for u in current)
            current.append(unit)
            size += unit.tokens
        if current:
            groups.append(current)
        return groups

    def _overlap(self, previous: list[_Unit], incoming: int) -> list[_Unit]:
        """Trailing units of the previous chunk to repeat, within the overlap budget."""
        carried: list[_Unit] = []
        budget = min(self.overlap_tokens, self.max_tokens - incoming)
        for unit in reversed(previous[1:]):  # never repeat the whole previous chunk
            if unit.tokens > budget:
                break
            carried.insert(0, unit)
            budget -= unit.tokens
        return carried


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """text[start:end] cut into spans of at most `limit` characters, at a space when possible."""
    if end - start <= limit:
        return [(start, end)]
    pieces = []
    pos = start
    while end - pos > limit:
        cut = pos + limit
        space = max(text.rfind(" ", pos + limit // 2, cut), text.rfind("\n", pos + limit // 2, cut))
        if space > pos:
            cut = space
        pieces.append((pos, cut))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], whitespace trimmed."""
    spans = []
    pos = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = match.end()
    if pos < end:
        spans.append((pos, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]
