"""The eval corpora's cache key: what the cached index depends on changes it."""

from __future__ import annotations

from core.config import get_settings
from eval.corpora import cache_key


def test_the_unit_vector_mode_is_part_of_the_key() -> None:
    base = get_settings()
    keys = {
        mode: cache_key(base.model_copy(update={"ingest": base.ingest.model_copy(
            update={"unit_vectors": mode})}), "corpus")
        for mode in ("pooled", "separate", "off")
    }  # fmt: skip
    assert len(set(keys.values())) == 3


def test_the_key_is_stable_and_follows_the_corpus() -> None:
    settings = get_settings()
    assert cache_key(settings, "a") == cache_key(settings, "a")
    assert cache_key(settings, "a") != cache_key(settings, "b")
