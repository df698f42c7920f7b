"""Builds the configured VectorIndex adapter from settings."""

from __future__ import annotations

import math

from qdrant_client import QdrantClient

from core.config import Settings
from core.index.base import VectorIndex
from core.index.edge import EdgeIndex
from core.index.server import ServerIndex


def open_index(settings: Settings) -> VectorIndex:
    """The embedded Edge shard under the data dir, or a collection on a Qdrant server."""
    if settings.index.backend == "edge":
        return EdgeIndex(settings.index_path)
    api_key = settings.index.api_key
    client = QdrantClient(
        url=settings.index.url,
        api_key=api_key.get_secret_value() if api_key else None,
        timeout=max(1, math.ceil(settings.index.timeout_s)),  # the client takes whole seconds
        # The version check runs in a background thread and only warns; an unreachable or
        # incompatible server surfaces as a VectorIndexError on the first call instead.
        check_compatibility=False,
    )
    return ServerIndex(client, settings.index.collection, settings.index)
