"""The parse cache: keyed by file hash, path, source and parser version; crash-safe; bounded."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.schema import Block, Document, SourceKind
from core.sources import SourceConfig
from ingest import parse_cache
from ingest.parse_cache import ParseCache


def doc(native: str, text: str) -> Document:
    return Document(
        id=f"d:{native}",
        source="d",
        native_id=native,
        kind=SourceKind.DOC,
        title=native.title(),
        text=text,
        path=f"{native}.md",
        blocks=[Block(text=text, heading_path=["Top"], start=0, end=len(text))],
    )


@pytest.fixture()
def source(tmp_path: Path) -> SourceConfig:
    return SourceConfig(name="d", kind="doc", path=tmp_path)


def test_a_parse_comes_back_equal(tmp_path: Path, source: SourceConfig) -> None:
    cache = ParseCache(tmp_path / "cache", 1 << 20)
    docs = [doc("kettle", "Descale the kettle monthly."), doc("printer", "Third floor.")]
    key = cache.key(source, "a.md", "hash1")
    assert cache.get(key) is None
    cache.put(key, docs)
    assert cache.get(key) == docs
    assert (cache.hits, cache.misses) == (1, 1)
    assert not list((tmp_path / "cache").rglob("*.tmp"))  # written then renamed


def test_the_key_changes_with_file_path_source_and_parser(
    tmp_path: Path, source: SourceConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ParseCache(tmp_path / "cache", 1 << 20)
    key = cache.key(source, "a.md", "hash1")
    other_source = source.model_copy(update={"groups": ["hr"]})
    assert (
        len(
            {
                key,
                cache.key(source, "a.md", "hash2"),
                cache.key(source, "b.md", "hash1"),
                cache.key(other_source, "a.md", "hash1"),
            }
        )
        == 4
    )
    monkeypatch.setattr(parse_cache, "parser_version", lambda: "another parser")
    assert cache.key(source, "a.md", "hash1") != key


def test_the_parser_version_follows_the_connectors_code() -> None:
    version = parse_cache.parser_version()
    assert len(version) == 16 and version == parse_cache.parser_version()


def test_a_damaged_entry_is_a_miss_and_removed(tmp_path: Path, source: SourceConfig) -> None:
    cache = ParseCache(tmp_path / "cache", 1 << 20)
    key = cache.key(source, "a.md", "h")
    cache.put(key, [doc("a", "text")])
    entry = next(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    entry.write_bytes(entry.read_bytes()[:10])  # torn write (power loss before rename is safe)
    assert cache.get(key) is None
    assert not entry.exists()


def test_the_least_recently_used_entries_go_first(tmp_path: Path, source: SourceConfig) -> None:
    cache = ParseCache(tmp_path / "cache", 1 << 40)
    keys = [cache.key(source, f"{i}.md", "h") for i in range(6)]
    for i, key in enumerate(keys):
        cache.put(key, [doc(f"n{i}", os.urandom(2000).hex())])  # incompressible: ~4 KB each
    entries = {k: next((tmp_path / "cache").rglob(k)) for k in keys}
    for i, key in enumerate(keys):  # distinct ages, oldest first
        os.utime(entries[key], (time.time() - 100 + i, time.time() - 100 + i))
    assert cache.get(keys[0]) is not None  # used now: newest
    size = entries[keys[0]].stat().st_size
    stale_tmp = entries[keys[1]].with_name("x.1.2.tmp")
    stale_tmp.write_bytes(b"half")
    os.utime(stale_tmp, (0, 0))
    cache.max_bytes = 3 * size + size // 2
    assert cache.trim() == 3
    assert [cache.get(k) is not None for k in keys] == [True, False, False, False, True, True]
    assert not stale_tmp.exists()


def test_an_unwritable_cache_costs_nothing_but_a_warning(
    tmp_path: Path, source: SourceConfig
) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be")
    cache = ParseCache(blocker, 1 << 20)
    key = cache.key(source, "a.md", "h")
    cache.put(key, [doc("a", "text")])
    assert cache.get(key) is None


def test_a_parse_quicker_than_its_entry_is_not_kept(tmp_path: Path, source: SourceConfig) -> None:
    cache = ParseCache(tmp_path / "cache", 1 << 20, min_parse_s=0.02)
    quick, slow = cache.key(source, "q.txt", "h"), cache.key(source, "s.rst", "h")
    cache.put(quick, [doc("q", "one line")], parse_s=0.001)
    cache.put(slow, [doc("s", "a long manual")], parse_s=0.8)
    assert cache.get(quick) is None and cache.get(slow) is not None
