"""One small error tree; apps translate it once at their edges.

WatercoolerError                 code
├── ConfigError                  bad_request        settings or a config file are invalid
├── SourceError                  bad_request        one source item cannot be read (skipped)
├── DatasetError                 dataset_invalid    an eval dataset file is missing or malformed
├── AuthenticationError          unauthenticated    no API key where one is needed, or a bad one
├── PermissionDeniedError        forbidden          the caller's role is too low
├── NotFoundError                not_found          a requested object does not exist
├── JobRunningError              job_running        a job of this kind is already running
├── EmbeddingError               embedding_unavailable
├── VectorIndexError             index_unavailable
│   ├── IndexMismatchError       index_mismatch     built with another model/dimension/chunker
│   └── IndexLockedError         index_locked       another process holds the embedded index
├── StorageError                 database_unavailable
│   ├── SchemaOutdatedError      schema_outdated    an older schema: `python -m service db upgrade`
│   └── QueueUnavailableError    queue_unavailable  the job queue (Redis) cannot be reached
├── GenerationError              generator_failed   an LLM endpoint or local model failed
│   └── GenerationTimeout        generator_timeout  ... did not answer in time
└── JudgeError                   judge_failed       an eval judge failed or gave no verdict
    └── JudgeTimeout             judge_timeout      ... did not answer in time

`code` is the stable name of an error kind: the service sends it as the `error` of its JSON
bodies (service/errors.py maps each kind to an HTTP status), an ingestion job stores it with its
message, and the ingest CLI maps it to an exit status. Anything unexpected is `internal`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

INTERNAL = "internal"  # the code of anything that is not a WatercoolerError


class WatercoolerError(Exception):
    """Base of every error Watercooler raises on purpose."""

    code: ClassVar[str] = INTERNAL


def error_code(exc: BaseException) -> str:
    """The code of any exception: its kind's for a WatercoolerError, else `internal`."""
    return exc.code if isinstance(exc, WatercoolerError) else INTERNAL


class ConfigError(WatercoolerError):
    """Settings or a configuration file are invalid."""

    code = "bad_request"


class SourceError(WatercoolerError):
    """One item of a source (a file, a page, a feed entry) cannot be read."""

    code = "bad_request"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DatasetError(WatercoolerError):
    """A dataset file is missing or malformed; the message names the file and line."""

    code = "dataset_invalid"

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


class AuthenticationError(WatercoolerError):
    """No API key where one is required, or the key is unknown or revoked."""

    code = "unauthenticated"


class PermissionDeniedError(WatercoolerError):
    """The caller's role does not allow the operation."""

    code = "forbidden"


class NotFoundError(WatercoolerError):
    """A requested object does not exist (or is not visible to the caller)."""

    code = "not_found"


class JobRunningError(WatercoolerError):
    """A run of this kind is already going; only one runs at a time."""

    code = "job_running"


class EmbeddingError(WatercoolerError):
    """The embedding model could not be loaded or run."""

    code = "embedding_unavailable"


class VectorIndexError(WatercoolerError):
    """The vector index rejected or failed an operation."""

    code = "index_unavailable"


class IndexMismatchError(VectorIndexError):
    """The index was built with a different embedding model, dimension or chunker."""

    code = "index_mismatch"


class IndexLockedError(VectorIndexError):
    """The embedded index is held by another process (e.g. the running service)."""

    code = "index_locked"


class StorageError(WatercoolerError):
    """The database failed."""

    code = "database_unavailable"


class SchemaOutdatedError(StorageError):
    """The database's schema is older than this Watercooler's; the message names the command."""

    code = "schema_outdated"


class QueueUnavailableError(StorageError):
    """The job queue's Redis cannot be reached or refused a command."""

    code = "queue_unavailable"


class GenerationError(WatercoolerError):
    """The answer generator failed: an LLM was unreachable or refused the request."""

    code = "generator_failed"


class GenerationTimeout(GenerationError):
    """The answer generator did not answer within its timeout."""

    code = "generator_timeout"


class JudgeError(WatercoolerError):
    """A judge could not be reached, timed out, or gave no yes/no verdict."""

    code = "judge_failed"


class JudgeTimeout(JudgeError):
    """A judge did not answer within its timeout."""

    code = "judge_timeout"
