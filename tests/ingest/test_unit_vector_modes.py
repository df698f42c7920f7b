"""The write stage's three ways with answer-unit vectors (`ingest.unit_vectors`), and the
setting's old true/false spellings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from core.config import IngestSettings, get_settings
from core.generation.unit_vectors import PAYLOAD_KEY, decode, unit_key, unit_texts
from ingest.payload import embed_with_unit_vectors

PASSAGES = [
    "Meals are reimbursed up to 55 EUR per day. Alcohol is never reimbursed.\n\n"
    "| Item | Limit |\n|---|---|\n| Hotel | 230 EUR a night |",
    "Mileage is paid at 0.30 EUR per kilometre for private cars used on business trips.",
]


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        (True, "pooled"),
        (False, "off"),
        ("true", "pooled"),
        ("False", "off"),
        ("1", "pooled"),
        ("0", "off"),
        ("pooled", "pooled"),
        ("separate", "separate"),
        ("off", "off"),
    ],
)
def test_the_setting_keeps_its_old_switch_values(value: Any, mode: str) -> None:
    assert IngestSettings(unit_vectors=value).unit_vectors == mode


def test_the_setting_reads_old_env_files(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_settings().ingest.unit_vectors == "pooled"
    monkeypatch.setenv("WATERCOOLER_INGEST__UNIT_VECTORS", "false")
    assert get_settings().ingest.unit_vectors == "off"
    monkeypatch.setenv("WATERCOOLER_INGEST__UNIT_VECTORS", "separate")
    assert get_settings().ingest.unit_vectors == "separate"
    with pytest.raises(ValidationError):
        IngestSettings(unit_vectors="sometimes")  # type: ignore[arg-type]


def _write(mode: Any, embedder: Any) -> tuple[np.ndarray, list[dict[str, Any]]]:
    texts = [f"Travel policy\n{p}" for p in PASSAGES]
    payloads: list[dict[str, Any]] = [{"text": p, "kind": "doc"} for p in PASSAGES]
    return embed_with_unit_vectors(texts, payloads, embedder, mode), payloads


def test_every_mode_writes_the_same_chunk_vectors(embedder: Any) -> None:
    expected = embedder.embed_documents([f"Travel policy\n{p}" for p in PASSAGES])
    for mode in ("pooled", "separate", "off"):
        dense, payloads = _write(mode, embedder)
        np.testing.assert_allclose(dense, expected, atol=1e-5)
        assert (PAYLOAD_KEY in payloads[0]) is (mode != "off")


def test_pooled_and_separate_store_a_vector_for_every_unit(embedder: Any) -> None:
    pooled = _write("pooled", embedder)[1]
    separate = _write("separate", embedder)[1]
    for text, one, other in zip(PASSAGES, pooled, separate, strict=True):
        keys = [unit_key(t) for t in unit_texts(text)]
        by_pooling = decode(one[PAYLOAD_KEY], embedder.dimension)
        alone = decode(other[PAYLOAD_KEY], embedder.dimension)
        assert list(by_pooling) == list(alone) == keys
        for key in keys:  # the same unit, read in its passage or on its own
            assert float(by_pooling[key] @ alone[key]) > 0.5
