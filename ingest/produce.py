"""The parse stage of a job: each source's files parsed in the pool, prepared, chunked and
queued for the write stage in file order.

A file is started (checked, hashed, compared with the manifest, looked up in the parse cache or
sent to a parse worker; small files go in groups, one worker round trip per group) as soon as
a slot of the in-order window is free, and finished (its documents prepared, chunked and
queued) in the order the files were listed, so a job with N workers queues exactly what a job
with one queues. A group that breaks a limit as a whole is parsed again file by file, so each
file's own failure is reported.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db import ManifestStore
from core.db.manifest import DocumentEntry, FileEntry
from core.errors import SourceError
from core.schema import Document
from core.sources import SourceConfig
from ingest.chunking import Chunker
from ingest.connectors import connector_for
from ingest.connectors.base import Connector, raw_relative_path
from ingest.connectors.listing import check_entry, escaped
from ingest.items import FileDone, Item, Parsed, ProgressHook, SourceDone
from ingest.owners import OwnersFile
from ingest.parse_cache import ParseCache
from ingest.parse_pool import InOrder, ParsePool, parse_each
from ingest.people import PeopleResolver
from ingest.prepare import document_hash, file_hash_of, prepare_document
from ingest.report import Failure, IngestReport

log = logging.getLogger(__name__)

NOT_UTF8 = "file name is not valid UTF-8: kept, its other bytes written as \\xNN"
SMALL_FILE_BYTES = 64 << 10  # files this small are parsed in groups (the round trip dominates)
GROUP_FILES = 16


@dataclass
class Job:
    """What every file of one job is read against."""

    resolver: PeopleResolver
    owners: OwnersFile | None
    context: str  # hash of the settings and files outside a file that change its ingestion
    report: IngestReport
    progress: ProgressHook | None
    source_names: set[str]
    stopped: threading.Event = field(default_factory=threading.Event)  # the write stage failed


class Stopped(Exception):
    """The write stage failed: the parse stage ends without queueing more."""


@dataclass
class _Group:
    """Small files parsed by one worker in one round trip."""

    paths: list[Path] = field(default_factory=list)
    future: Future[tuple[list[tuple[bool, Any, float]], float]] | None = None


@dataclass
class _File:
    """A file between its start and its finish."""

    path: Path
    rel: str
    entry: FileEntry | None
    file_hash: str = ""
    unchanged: bool = False
    error: SourceError | None = None
    parsed: list[Document] | Future[tuple[list[Document], float]] | None = None
    cache_key: str | None = None
    group: _Group | None = None
    index: int = 0  # in its group


@dataclass
class _Source:
    """One source being read: its connector, manifest snapshot and what was seen."""

    config: SourceConfig
    connector: Connector
    files: dict[str, FileEntry]
    documents: dict[str, DocumentEntry]
    done: SourceDone = field(init=False)
    group: _Group | None = None  # small files waiting to be sent

    def __post_init__(self) -> None:
        self.done = SourceDone(self.config.name)


class ParseStage:
    """Reads sources into `items` (a bounded queue the write stage drains)."""

    def __init__(
        self,
        job: Job,
        *,
        manifest: ManifestStore,
        chunker: Chunker,
        pool: ParsePool,
        cache: ParseCache | None,
        items: queue.Queue[object],
        max_file_bytes: int,
        max_unpacked_bytes: int,
        max_chunks_per_file: int,
    ) -> None:
        self.job = job
        self.manifest = manifest
        self.chunker = chunker
        self.pool = pool
        self.cache = cache
        self.items = items
        self.max_file_bytes = max_file_bytes
        self.max_unpacked_bytes = max_unpacked_bytes
        self.max_chunks_per_file = max_chunks_per_file

    def run(self, sources: list[SourceConfig]) -> None:
        """Read every source in turn."""
        for source in sources:
            self._read(source)

    def _put(self, item: Item) -> None:
        if self.job.stopped.is_set():
            raise Stopped
        self.items.put(item)

    def _read(self, config: SourceConfig) -> None:
        report = self.job.report
        try:
            connector = connector_for(config, self.max_file_bytes, self.max_unpacked_bytes)
            paths = connector.files()
        except SourceError as exc:
            report.failures.append(
                Failure(source=config.name, path=escaped(exc.path), reason=escaped(exc.reason))
            )
            self._put(SourceDone(config.name, complete=False))
            return
        # One read of the manifest per source instead of two queries per file.
        source = _Source(
            config,
            connector,
            {e.path: e for e in self.manifest.files_for_source(config.name)},
            {d.id: d for d in self.manifest.documents_for_source(config.name)},
        )
        if self.job.progress:
            self.job.progress("parse", 0, len(paths))
        window: InOrder[_File] = InOrder(2 * self.pool.workers + GROUP_FILES)
        for path in paths:
            for due in window.put(self._start(source, path)):
                self._finish(source, due)
        self._send(source)
        for due in window.drain():
            self._finish(source, due)
        self._put(source.done)

    def _start(self, source: _Source, path: Path) -> _File:
        """Check and hash a file, then take its parse from the cache or send it to a worker."""
        config = source.config
        rel = raw_relative_path(config, path)
        if rel != escaped(rel):
            rel = escaped(rel)
            self.job.report.notes.append(Failure(source=config.name, path=rel, reason=NOT_UTF8))
        source.done.files.add(rel)
        file = _File(path, rel, source.files.get(rel))
        try:
            check_entry(config, path)
            file.file_hash = file_hash_of(path)
        except SourceError as exc:
            file.error = exc
            return file
        entry = file.entry
        if (
            entry
            and entry.status == "ok"
            and entry.file_hash == file.file_hash
            and entry.context_hash == self.job.context
        ):
            file.unchanged = True
            return file
        if self.cache is not None:
            file.cache_key = self.cache.key(config, rel, file.file_hash)
            file.parsed = self.cache.get(file.cache_key)
        if file.parsed is None and _size(path) <= SMALL_FILE_BYTES:
            group = source.group = source.group or _Group()
            file.group, file.index = group, len(group.paths)
            group.paths.append(path)
            if len(group.paths) == GROUP_FILES:
                self._send(source)
        elif file.parsed is None:
            file.parsed = self.pool.submit(rel, source.connector.parse, path)
        return file

    def _send(self, source: _Source) -> None:
        """Send the waiting group of small files to a worker."""
        group, source.group = source.group, None
        if group is not None:
            label = f"{group.paths[0].name} and {len(group.paths) - 1} more"
            group.future = self.pool.submit(label, parse_each, source.connector.parse, group.paths)

    def _finish(self, source: _Source, file: _File) -> None:
        """Queue a started file's documents (in file order), or report why it was skipped."""
        name, counts = source.config.name, self.job.report.counts(source.config.name)
        try:
            if file.error:
                raise file.error
            if file.unchanged and file.entry:
                counts.unchanged += len(file.entry.document_ids)
                source.done.seen.update(file.entry.document_ids)
                return
            docs = self._documents(source, file)
            prepared = self._prepare(source, docs)
            self.job.report.warn_metadata(name, file.rel, docs)  # values left out (ingest-fast)
        except SourceError as exc:
            counts.failed += 1
            reason = escaped(exc.reason)
            self.job.report.failures.append(Failure(source=name, path=file.rel, reason=reason))
            log.warning("skipped", extra={"source": name, "path": file.rel, "why": exc.reason})
            ids = file.entry.document_ids if file.entry else []
            source.done.seen.update(ids)  # keep what an earlier run ingested from this file
            self._put(FileDone(name, file.rel, "", self.job.context, ids, error=exc.reason))
            return
        finally:
            if self.job.progress:
                self.job.progress("parse", 1, None)
        for item in prepared:
            if isinstance(item, Parsed):
                source.done.seen.add(item.doc.id)
                self._put(item)
            else:
                source.done.seen.add(item)
                counts.unchanged += 1
        ids = [d.id for d in docs]
        self._put(FileDone(name, file.rel, file.file_hash, self.job.context, ids))

    def _documents(self, source: _Source, file: _File) -> list[Document]:
        """A file's parse: from the cache, its group or its worker (then cached)."""
        if file.group is not None:
            if file.group.future is None:
                self._send(source)
            assert file.group.future is not None
            try:
                results, _ = file.group.future.result()
            except SourceError:  # the group broke a limit: parse this file alone to know
                file.parsed = self.pool.submit(file.rel, source.connector.parse, file.path)
            else:
                ok, value, seconds = results[file.index]
                if not ok:
                    raise SourceError(file.rel, value)
                self._keep(file, value, seconds)
                return list(value)
        if isinstance(file.parsed, Future):
            docs, seconds = file.parsed.result()
            self._keep(file, docs, seconds)
            return docs
        return file.parsed or []

    def _keep(self, file: _File, docs: list[Document], seconds: float) -> None:
        if self.cache is not None and file.cache_key:
            self.cache.put(file.cache_key, docs, seconds)

    def _prepare(self, source: _Source, docs: list[Document]) -> list[Parsed | str]:
        """A file's documents chunked, or their id when unchanged.

        Raises:
            SourceError: the file yields more chunks than ingest.max_chunks_per_file.
        """
        prepared: list[Parsed | str] = []
        total = 0
        config = source.config
        for doc in docs:
            prepare_document(doc, config, self.job.resolver, self.job.owners, self.job.source_names)
            doc_hash = document_hash(doc)
            previous = source.documents.get(doc.id)
            if previous is None and doc.source != config.name:
                previous = self.manifest.get_document(doc.id)
            if previous and previous.content_hash == doc_hash:
                prepared.append(doc.id)
                continue
            chunks = self.chunker.chunk(doc)
            total += len(chunks)
            if total > self.max_chunks_per_file:
                raise SourceError(
                    doc.path or doc.id,
                    f"yields more than {self.max_chunks_per_file:,} chunks "
                    "(ingest.max_chunks_per_file)",
                )
            old = previous.chunk_ids if previous else []
            prepared.append(Parsed(config.name, doc, chunks, doc_hash, old, previous is None))
        return prepared


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return SMALL_FILE_BYTES + 1  # parsed alone, which reports why it cannot be read
