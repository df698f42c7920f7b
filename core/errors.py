"""One small error tree; apps translate it once at their edges.

WatercoolerError
├── ConfigError            settings or a config file are invalid
├── SourceError            one source item cannot be read (reported, skipped)
├── EmbeddingError         the embedding model failed to load or run
├── VectorIndexError       the vector index failed
│   └── IndexMismatchError the index was built with another model/dimension/chunker
├── StorageError           the database failed
├── GenerationError        the answer generator (an LLM endpoint, a local model) failed
└── NotFoundError          a requested object does not exist
"""

from __future__ import annotations


class WatercoolerError(Exception):
    """Base of every error Watercooler raises on purpose."""


class ConfigError(WatercoolerError):
    """Settings or a configuration file are invalid."""


class SourceError(WatercoolerError):
    """One item of a source (a file, a page, a feed entry) cannot be read."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class EmbeddingError(WatercoolerError):
    """The embedding model could not be loaded or run."""


class VectorIndexError(WatercoolerError):
    """The vector index rejected or failed an operation."""


class IndexMismatchError(VectorIndexError):
    """The index was built with a different embedding model, dimension or chunker."""


class StorageError(WatercoolerError):
    """The database failed."""


class GenerationError(WatercoolerError):
    """The answer generator failed: an LLM timed out, was unreachable or refused the request."""


class NotFoundError(WatercoolerError):
    """A requested object does not exist (or is not visible to the caller)."""
