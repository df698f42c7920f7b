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
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.embedding import Embedder
from core.generation.units import split_units
from core.generation.words import plain

log = logging.getLogger(__name__)

PAYLOAD_KEY = "unit_vectors"
_KEY_BYTES = 8
_SCALE = np.dtype("<f4")


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


def attach(payloads: list[dict[str, Any]], embedder: Embedder) -> list[dict[str, Any]]:
    """The payloads, each with its units' vectors.

    One embedding call for the whole write batch: short units embedded a few at a time left
    the encoder mostly idle between calls. Write batches are cut by chunk count in file order,
    so a re-run or a parallel run embeds the same batches.
    """
    per_payload = [
        unit_texts(str(payload.get("text") or ""), payload.get("kind") == "video")
        for payload in payloads
    ]
    every = [t for texts in per_payload for t in texts]
    vectors = embedder.embed_documents(every) if every else np.zeros((0, embedder.dimension))
    at = 0
    for payload, texts in zip(payloads, per_payload, strict=True):
        payload[PAYLOAD_KEY] = encode(texts, vectors[at : at + len(texts)]) if texts else ""
        at += len(texts)
    log.debug("unit vectors attached", extra={"chunks": len(payloads), "units": len(every)})
    return payloads
