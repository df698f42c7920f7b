"""The small test corpus of tests/core/corpus.py, indexed once per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.db import PeopleStore
from core.index.base import VectorIndex
from tests.core import corpus


@pytest.fixture(scope="module")
def memo(embedder: Any) -> corpus.MemoEmbedder:
    """The real embedder, computing each text's vector once for the module."""
    return corpus.MemoEmbedder(embedder)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, memo: Any) -> Iterator[VectorIndex]:
    """The corpus in a Qdrant Edge shard (read-only)."""
    idx = corpus.open_index("edge", tmp_path_factory.mktemp("index"), corpus.build_points(memo))
    yield idx
    idx.close()


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PeopleStore]:
    """The people directory in SQLite (read-only)."""
    db, store = corpus.open_people(tmp_path_factory.mktemp("db"))
    yield store
    db.dispose()
