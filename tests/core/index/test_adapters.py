"""What each adapter does beyond the shared contract: locking, foreign data, connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from qdrant_client import QdrantClient, models

from core.config import get_settings
from core.errors import IndexMismatchError, VectorIndexError
from core.index.base import IndexMeta
from core.index.edge import META_FILE, EdgeIndex
from core.index.factory import open_index
from core.index.server import ServerIndex

META = IndexMeta("test-model", 4, "1")


def test_edge_second_opener_is_refused(tmp_path: Path) -> None:
    first = EdgeIndex(tmp_path / "index")
    first.ensure(META)
    try:
        with pytest.raises(VectorIndexError, match="another process"):
            EdgeIndex(tmp_path / "index")
    finally:
        first.close()
    EdgeIndex(tmp_path / "index").close()  # free again once closed


def test_edge_shard_without_meta_is_refused(tmp_path: Path) -> None:
    index = EdgeIndex(tmp_path / "index")
    index.ensure(META)
    index.close()
    (tmp_path / "index" / META_FILE).unlink()
    index = EdgeIndex(tmp_path / "index")
    try:
        with pytest.raises(IndexMismatchError, match="embedding model is unknown"):
            index.ensure(META)
        index.reset()
        index.ensure(META)
        assert index.meta() == META
    finally:
        index.close()


def test_edge_reset_refuses_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index")
    with pytest.raises(VectorIndexError, match="not a Watercooler index"):
        EdgeIndex(tmp_path).reset()
    assert (tmp_path / "notes.txt").exists()


def test_edge_malformed_meta_is_a_vector_index_error(tmp_path: Path) -> None:
    (tmp_path / META_FILE).write_text('{"model": "m"}')
    with pytest.raises(VectorIndexError, match="malformed"):
        EdgeIndex(tmp_path).meta()


def test_server_foreign_collection_is_refused() -> None:
    client = QdrantClient(":memory:")
    client.create_collection(
        "wc", vectors_config={"dense": models.VectorParams(size=4, distance=models.Distance.DOT)}
    )
    index = ServerIndex(client, "wc")
    assert index.meta() is None
    with pytest.raises(IndexMismatchError, match="not created by Watercooler"):
        index.ensure(META)
    index.close()


def test_server_unreachable_is_a_vector_index_error() -> None:
    client = QdrantClient(url="http://127.0.0.1:9", timeout=1, check_compatibility=False)
    index = ServerIndex(client, "wc")
    with pytest.raises(VectorIndexError, match="the collection 'wc'"):
        index.count()
    index.close()


def test_factory_opens_edge_under_the_data_dir(tmp_path: Path) -> None:
    index = open_index(get_settings(data_dir=tmp_path))
    assert isinstance(index, EdgeIndex)
    index.ensure(META)
    index.close()
    assert (tmp_path / "index" / META_FILE).exists()


def test_factory_opens_a_server_collection() -> None:
    settings = get_settings(
        index={"backend": "server", "url": "http://127.0.0.1:9", "collection": "kb"}
    )
    index = open_index(settings)
    assert isinstance(index, ServerIndex)
    with pytest.raises(VectorIndexError, match="'kb'"):
        index.meta()
    index.close()
