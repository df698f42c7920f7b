"""Builds an ingestion pipeline from settings: the one wiring used by the CLI and the service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.config import Settings
from core.db import Database
from core.embedding import Embedder, SentenceTransformerEmbedder
from core.index.base import VectorIndex
from core.index.factory import open_index
from core.sources import SourcesConfig, load_sources
from core.sparse import Bm25Encoder
from ingest.parse_cache import ParseCache
from ingest.pipeline import IngestPipeline


def build_pipeline(
    settings: Settings,
    sources: SourcesConfig,
    *,
    index: VectorIndex,
    embedder: Embedder,
    db: Database,
) -> IngestPipeline:
    """A pipeline over the given collaborators (its parse cache under the data directory)."""
    cache_mb = settings.ingest.parse_cache_mb
    return IngestPipeline(
        sources,
        index=index,
        embedder=embedder,
        sparse=Bm25Encoder(),
        db=db,
        chunking=settings.chunking,
        ingest=settings.ingest,
        batch_size=settings.embedding.batch_size * 2,
        parse_cache=(
            ParseCache(settings.data_dir / "parse-cache", cache_mb << 20) if cache_mb else None
        ),
    )


@contextmanager
def standalone_pipeline(
    settings: Settings, config: Path | None = None, *, rebuild: bool = False
) -> Iterator[IngestPipeline]:
    """A pipeline that owns its index and database for the duration of a CLI run.

    With `rebuild`, the index is dropped and the manifest forgotten first (the way out of an
    index built with another model or chunker).
    """
    sources = load_sources(config or settings.ingest.config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        embedder = SentenceTransformerEmbedder(settings.embedding)
        pipeline = build_pipeline(settings, sources, index=index, embedder=embedder, db=db)
        if rebuild:
            pipeline.reset()
        yield pipeline
    finally:
        index.close()
        db.dispose()
