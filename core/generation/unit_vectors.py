"""Answer-unit vectors computed once at ingestion and carried in each chunk's payload.

The extractive generator scores every unit (sentence, list item, table row) of the top
passages by its cosine to the question. Embedding those units at answer time cost 0.1-2 s
per answer on two CPU cores, so ingestion embeds them once (`attach`, called by the write
stage through `ingest.payload`) and stores them under the payload key PAYLOAD_KEY:

    base64( record* ),  record = key (8 bytes) | scale (float32) | int8[dimension]
    key   = blake2b-64 of the unit's plain text (what the generator embeds)
    value = round(vector / scale), scale = max |component| / 127 (cosine error < 0.01)

Keys, not positions, tie a vector to its unit, so a unit the splitter cuts differently later
simply misses and is embedded at answer time; so are chunks ingested before this existed.

Two ways to compute them (setting `ingest.unit_vectors`):
  separate  each unit embedded on its own (`attach`): a second encoder pass over the text
  pooled    each unit's span of the passage's embedded text pooled from the forward pass that
            embeds the passage (`attach_pooled`, core/span_pooling.py): no second pass. A unit
            is found by its plain words in reading order (`unit_spans`); one not found (a table
            row, rewritten with its header) or cut off by the model's truncation is embedded on
            its own, in one call for the write batch.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embedding import Embedder
from core.generation.units import split_units
from core.generation.words import plain
from core.span_pooling import Span

log = logging.getLogger(__name__)

PAYLOAD_KEY = "unit_vectors"
_KEY_BYTES = 8
_SCALE = np.dtype("<f4")
_WORD = re.compile(r"\S+")


def unit_key(text: str) -> bytes:
    """The key of a unit's plain text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=_KEY_BYTES).digest()


def unit_texts(text: str, transcript: bool = False) -> list[str]:
    """The distinct plain texts of a passage's units, as the generator embeds them."""
    return list(dict.fromkeys(plain(u.text) for u in split_units(text, transcript=transcript)))


def encode(texts: Sequence[str], vectors: np.ndarray) -> str:
    """Units' vectors as one base64 string (module docstring)."""
    if not len(texts):
        return ""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantized = np.rint(vectors / scale[:, None]).astype(np.int8)
    records = b"".join(
        unit_key(t) + scale[i].astype(_SCALE).tobytes() + quantized[i].tobytes()
        for i, t in enumerate(texts)
    )
    return base64.b64encode(records).decode("ascii")


def decode(blob: str | None, dimension: int) -> dict[bytes, np.ndarray]:
    """Key → float32 vector; empty for a missing or malformed blob."""
    if not blob:
        return {}
    try:
        raw = base64.b64decode(blob, validate=True)
    except ValueError:
        log.warning("unreadable unit vectors in a payload")
        return {}
    size = _KEY_BYTES + _SCALE.itemsize + dimension
    if len(raw) % size:
        log.warning("unit vectors of another dimension in a payload", extra={"bytes": len(raw)})
        return {}
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, size)
    scales = rows[:, _KEY_BYTES : _KEY_BYTES + _SCALE.itemsize].copy().view(_SCALE)[:, 0]
    values = rows[:, _KEY_BYTES + _SCALE.itemsize :].view(np.int8).astype(np.float32)
    values *= scales[:, None]
    return {bytes(rows[i, :_KEY_BYTES]): values[i] for i in range(len(rows))}


def unit_spans(text: str, units: Sequence[str], start: int = 0) -> list[Span | None]:
    """Character span in `text` (from `start` on) of each unit, in reading order: where its plain
    words follow one another; None where they do not (a rewritten table row)."""
    words = [(m.start(), m.end(), plain(m.group())) for m in _WORD.finditer(text, start)]
    words = [w for w in words if w[2]]  # a lone "**" is no word of any unit
    plain_words = [w[2] for w in words]
    spans: list[Span | None] = []
    cursor = 0
    for unit in units:
        target = unit.split()
        at = _find(plain_words, target, cursor)
        if at is None:
            spans.append(None)
            continue
        spans.append((words[at][0], words[at + len(target) - 1][1]))
        cursor = at + len(target)
    return spans


def _find(words: list[str], target: list[str], cursor: int) -> int | None:
    """First position at or after `cursor` where `target` occurs in `words`."""
    if not target:
        return None
    for at in range(cursor, len(words) - len(target) + 1):
        if words[at] == target[0] and words[at : at + len(target)] == target:
            return at
    return None


def _payload_units(payloads: list[dict[str, Any]]) -> list[list[str]]:
    return [
        unit_texts(str(payload.get("text") or ""), payload.get("kind") == "video")
        for payload in payloads
    ]


def _store(payloads: list[dict[str, Any]], units: list[list[str]], vectors: np.ndarray) -> None:
    """Each payload's units' rows of `vectors` (all units in order), encoded into the payload."""
    at = 0
    for payload, texts in zip(payloads, units, strict=True):
        payload[PAYLOAD_KEY] = encode(texts, vectors[at : at + len(texts)]) if texts else ""
        at += len(texts)


def attach(payloads: list[dict[str, Any]], embedder: Embedder) -> list[dict[str, Any]]:
    """The payloads, each with its units' vectors.

    One embedding call for the whole write batch: short units embedded a few at a time left
    the encoder mostly idle between calls. Write batches are cut by chunk count in file order,
    so a re-run or a parallel run embeds the same batches.
    """
    per_payload = _payload_units(payloads)
    every = [t for texts in per_payload for t in texts]
    vectors = embedder.embed_documents(every) if every else np.zeros((0, embedder.dimension))
    _store(payloads, per_payload, vectors)
    log.debug("unit vectors attached", extra={"chunks": len(payloads), "units": len(every)})
    return payloads


def attach_pooled(
    payloads: list[dict[str, Any]], texts: Sequence[str], embedder: Embedder
) -> np.ndarray:
    """The vectors of the embedded `texts` (one per payload); each payload gets its units'
    vectors pooled from the same forward pass, or embedded on their own where not found."""
    per_payload = _payload_units(payloads)
    found: list[list[Span | None]] = []
    for payload, text, units in zip(payloads, texts, per_payload, strict=True):
        passage = str(payload.get("text") or "")
        # The embedded text may start with a title and headings: units lie in the passage.
        start = len(text) - len(passage) if passage and text.endswith(passage) else 0
        found.append(unit_spans(text, units, start))
    spans = [[s for s in row if s is not None] for row in found]
    dense, pooled = embedder.embed_documents_with_spans(texts, spans)
    vectors = np.zeros((sum(len(u) for u in per_payload), embedder.dimension), dtype=np.float32)
    alone: list[int] = []  # rows of units that get a standalone vector
    row = 0
    for spans_of_text, got in zip(found, pooled, strict=True):
        pooled_rows = iter(got)
        for span in spans_of_text:
            vector = next(pooled_rows) if span is not None else None
            if vector is not None and vector.any():
                vectors[row] = vector
            else:
                alone.append(row)
            row += 1
    if alone:
        every = [t for units in per_payload for t in units]
        vectors[alone] = embedder.embed_documents([every[r] for r in alone])
    _store(payloads, per_payload, vectors)
    log.debug(
        "unit vectors pooled",
        extra={"chunks": len(payloads), "units": len(vectors), "alone": len(alone)},
    )
    return dense
