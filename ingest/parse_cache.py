"""Parsed documents kept on disk, so that a changed chunker or a re-run after a crash skips parsing.

A file's parse is stored under a key of its bytes' hash, its path and source settings (they give
the document ids, URLs and groups) and the parser version: a fingerprint of the connectors'
source code and of the parser libraries' versions, so that any parser change misses the cache
by itself. Only parses that took at least `min_parse_s` are kept: re-reading an entry must cost
less than parsing again (a one-line text file parses faster than its entry is written). Entries
are zlib-compressed JSON of the documents (the manifest's own form, never
pickle), written to a temporary file and renamed into place, so a crash leaves either the whole
entry or none; an entry that cannot be read is deleted and counts as a miss. The folder is
bounded: the least recently used entries go when it grows past its size.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import threading
import time
import zlib
from importlib import metadata
from pathlib import Path

from pydantic import ValidationError

from core.schema import Document
from core.sources import SourceConfig

log = logging.getLogger(__name__)

CACHE_FORMAT = "1"  # bump when the stored form changes
_CONNECTORS = Path(__file__).resolve().parent / "connectors"
_PARSER_LIBRARIES = ("unstructured", "pdfminer.six", "docutils", "lxml", "python-docx")
_STALE_TMP_S = 3600  # temporary files older than this are a crash's leftovers
MIN_PARSE_S = 0.02  # an entry costs about a millisecond to write and read back


@functools.cache
def parser_version() -> str:
    """Fingerprint of everything that turns a file into documents (computed once)."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for path in sorted(_CONNECTORS.rglob("*.py")):
        digest.update(path.name.encode() + b"\x00" + path.read_bytes())
    for name in _PARSER_LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    return digest.hexdigest()[:16]


class ParseCache:
    """A folder of parsed files, at most `max_bytes` big (least recently used go first)."""

    def __init__(self, root: Path, max_bytes: int, min_parse_s: float | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.min_parse_s = MIN_PARSE_S if min_parse_s is None else min_parse_s
        self.hits = self.misses = 0
        self._written = 0  # bytes put since the last trim
        self._lock = threading.Lock()

    def key(self, source: SourceConfig, path: str, file_hash: str) -> str:
        """The entry name of a file's parse."""
        parts = [parser_version(), source.model_dump_json(), path, file_hash]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def get(self, key: str) -> list[Document] | None:
        """The stored documents, or None (a miss, or an entry that could not be read)."""
        entry = self._path(key)
        try:
            raw = entry.read_bytes()
            docs = [Document.model_validate(d) for d in json.loads(zlib.decompress(raw))]
            os.utime(entry)  # recently used: trimmed last
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, zlib.error, ValueError, TypeError, ValidationError) as exc:
            log.warning("parse cache entry unreadable, dropped", extra={"entry": key, "why": exc})
            with contextlib.suppress(OSError):
                entry.unlink(missing_ok=True)
            self.misses += 1
            return None
        self.hits += 1
        return docs

    def put(self, key: str, docs: list[Document], parse_s: float | None = None) -> None:
        """Store a parse that took `parse_s` (when it took long enough to be worth it; best
        effort: a full disk costs a warning, not the job)."""
        if parse_s is not None and parse_s < self.min_parse_s:
            return
        entry = self._path(key)
        data = zlib.compress(json.dumps([d.model_dump(mode="json") for d in docs]).encode(), 1)
        tmp = entry.with_name(f"{entry.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, entry)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            log.warning("parse cache not written", extra={"entry": key, "why": exc})
            return
        with self._lock:
            self._written += len(data)
            due = self._written > self.max_bytes // 4
        if due:
            self.trim()

    def trim(self) -> int:
        """Delete the least recently used entries beyond `max_bytes` (and stale temporary
        files); returns how many entries went."""
        with self._lock:
            self._written = 0
        entries = []
        now = time.time()
        for path in self.root.glob("*/*"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            if path.name.endswith(".tmp"):
                if now - stat.st_mtime > _STALE_TMP_S:
                    with contextlib.suppress(OSError):
                        path.unlink(missing_ok=True)
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            total -= size
            removed += 1
        if removed:
            log.info("parse cache trimmed", extra={"removed": removed, "bytes": total})
        return removed

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key
