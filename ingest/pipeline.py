"""The ingestion job: sources → parsed documents → chunks → embeddings → Qdrant + manifest.

Parsing and chunking run on a producer thread while the main thread embeds and writes, so the
encoder is kept busy; the parsing itself happens in a worker process under a time and a memory
limit (sandbox.py), and a file yielding too many chunks is skipped, so one hostile file costs a
line in the report. Writes are ordered for crash safety: a document's new chunks are upserted,
its stale chunks deleted and the index flushed *before* the manifest records it; a file is
recorded only after all its documents are. A job killed at any point and run again therefore
re-does exactly the unrecorded work, and deterministic chunk ids make that idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core.config import ChunkingSettings, IngestSettings
from core.db import Database, ManifestStore, PeopleStore
from core.embedding import Embedder
from core.errors import SourceError, WatercoolerError
from core.index.base import CHUNKER_VERSION, IndexMeta, IndexPoint, VectorIndex
from core.schema import Chunk, Document, Person
from core.sources import SourceConfig, SourcesConfig
from core.sparse import Bm25Encoder
from ingest.chunking import Chunker
from ingest.connectors import connector_for
from ingest.connectors.base import raw_relative_path
from ingest.connectors.listing import check_entry, escaped
from ingest.owners import OwnersFile
from ingest.payload import chunk_payload, embedding_text, person_ids
from ingest.people import PeopleResolver, read_people
from ingest.prepare import document_hash, file_hash_of, prepare_document
from ingest.report import Failure, IngestReport
from ingest.sandbox import Limits, Sandbox

log = logging.getLogger(__name__)

PEOPLE_DIRECTORY = "people directory"  # the report's source name for skipped people entries
NOT_UTF8 = "file name is not valid UTF-8: kept, its other bytes written as \\xNN"
ProgressHook = Callable[[str, int, int | None], None]  # (stage, advance, total)


@dataclass
class _Parsed:
    """A new or changed document, chunked, waiting to be embedded."""

    source: str
    doc: Document
    chunks: list[Chunk]
    doc_hash: str
    old_chunk_ids: list[str]
    is_new: bool


@dataclass
class _FileDone:
    """A file whose documents have all been queued; recorded after they are committed."""

    source: str
    path: str
    file_hash: str
    context_hash: str
    document_ids: list[str]
    error: str | None = None


@dataclass
class _SourceDone:
    """All files of a source were seen: documents not seen since are deleted."""

    source: str
    seen: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)
    complete: bool = True


class IngestPipeline:
    """Runs ingestion jobs for a set of sources into one index and database."""

    def __init__(
        self,
        sources: SourcesConfig,
        *,
        index: VectorIndex,
        embedder: Embedder,
        sparse: Bm25Encoder,
        db: Database,
        chunking: ChunkingSettings,
        ingest: IngestSettings,
        batch_size: int = 128,
    ) -> None:
        self.sources = sources
        self.index = index
        self.embedder = embedder
        self.sparse = sparse
        self.manifest = ManifestStore(db)
        self.people = PeopleStore(db)
        self.chunker = Chunker(chunking, embedder.token_lengths, embedder.token_offsets)
        self.limits = ingest
        self.max_file_bytes = int(ingest.max_file_mb * 1024 * 1024)
        self._max_unpacked_bytes = int(ingest.max_unpacked_mb * 1024 * 1024)
        self._parse_limits = Limits(ingest.parse_timeout_s, ingest.parse_memory_mb)
        self.batch_size = batch_size
        self._chunking = chunking
        self._source_names = {s.name for s in sources.sources}

    def reset(self) -> None:
        """Drop the index and forget the manifest, so that the next run rebuilds everything."""
        self.index.reset()
        self.manifest.clear()
        log.warning("index and manifest reset: everything will be re-ingested")

    def run(self, only: str | None = None, progress: ProgressHook | None = None) -> IngestReport:
        """Run one job over every source (or the one named), returning its report."""
        started = time.perf_counter()
        report = IngestReport()
        selected = [s for s in self.sources.sources if only in (None, s.name)]
        if self.limits.follow_outside_links:
            selected = [s.model_copy(update={"follow_outside_links": True}) for s in selected]
        if only and not selected:
            raise SourceError(only, "no such source in the sources file")
        people = self._people(report)
        resolver = PeopleResolver(people)
        owners = OwnersFile.load(self.sources.owners) if self.sources.owners else None
        self.index.ensure(
            IndexMeta(self.embedder.model_name, self.embedder.dimension, CHUNKER_VERSION)
        )
        context = self._context_hash()
        items: queue.Queue[object] = queue.Queue(maxsize=64)
        producer = threading.Thread(
            target=self._produce,
            args=(selected, resolver, owners, context, items, report, progress),
            name="ingest-parse",
            daemon=True,
        )
        producer.start()
        self._consume(items, report, progress)
        producer.join()
        self.people.upsert_many(people + resolver.unknown)
        report.unknown_people = sorted(p.name for p in resolver.unknown)
        if only is None:
            report.orphans_removed = self._remove_orphans()
        if report.totals.chunks or report.totals.deleted:
            self.index.optimize()
        report.seconds = time.perf_counter() - started
        log.info("ingestion finished", extra={"report": report.to_dict()})
        return report

    def write_documents(self, source: str, docs: list[Document]) -> IngestReport:
        """Chunk, embed and write documents that need no parsing (experts' answers) now.

        Their contributors carry resolved person ids already; the source is not a sources-file
        source, so jobs neither re-read nor delete its documents.
        """
        report = IngestReport()
        self.index.ensure(
            IndexMeta(self.embedder.model_name, self.embedder.dimension, CHUNKER_VERSION)
        )
        batch = []
        for doc in docs:
            previous = self.manifest.get_document(doc.id)
            old = previous.chunk_ids if previous else []
            chunks = self.chunker.chunk(doc)
            batch.append(_Parsed(source, doc, chunks, document_hash(doc), old, previous is None))
        self._write(batch, report, None)
        return report

    def delete_documents(self, document_ids: list[str]) -> None:
        """Remove documents from the index and the manifest (an author retracts an answer)."""
        self.index.delete_documents(document_ids)
        self.index.flush()
        self.manifest.delete_documents(document_ids)

    def _people(self, report: IngestReport) -> list[Person]:
        """The people directory; entries it skips are reported like skipped files."""
        if not self.sources.people:
            return []
        people, skipped = read_people(
            self.sources.people,
            strict=self.limits.people_strict,
            max_field_chars=self.limits.people_max_field_chars,
        )
        name = self.sources.people.name
        report.failures += [
            Failure(source=PEOPLE_DIRECTORY, path=f"{name}: {s.where}", reason=s.reason)
            for s in skipped
        ]
        return people

    # -- producer: parse and chunk -------------------------------------------------------

    def _produce(
        self,
        sources: list[SourceConfig],
        resolver: PeopleResolver,
        owners: OwnersFile | None,
        context: str,
        items: queue.Queue[object],
        report: IngestReport,
        progress: ProgressHook | None,
    ) -> None:
        try:
            with Sandbox(self._parse_limits) as sandbox:
                for source in sources:
                    self._produce_source(
                        source, sandbox, resolver, owners, context, items, report, progress
                    )
        except BaseException as exc:  # handed to the consumer, which re-raises it
            items.put(exc)
        finally:
            items.put(None)

    def _produce_source(
        self,
        source: SourceConfig,
        sandbox: Sandbox,
        resolver: PeopleResolver,
        owners: OwnersFile | None,
        context: str,
        items: queue.Queue[object],
        report: IngestReport,
        progress: ProgressHook | None,
    ) -> None:
        counts = report.counts(source.name)
        done = _SourceDone(source.name)
        try:
            connector = connector_for(source, self.max_file_bytes, self._max_unpacked_bytes)
            files = connector.files()
        except SourceError as exc:
            report.failures.append(
                Failure(source=source.name, path=escaped(exc.path), reason=escaped(exc.reason))
            )
            items.put(_SourceDone(source.name, complete=False))
            return
        if progress:
            progress("parse", 0, len(files))
        for path in files:
            rel = raw_relative_path(source, path)
            if rel != escaped(rel):
                rel = escaped(rel)
                report.notes.append(Failure(source=source.name, path=rel, reason=NOT_UTF8))
            done.files.add(rel)
            entry = self.manifest.get_file(source.name, rel)
            try:
                check_entry(source, path)
                file_hash = file_hash_of(path)
                if (
                    entry
                    and entry.status == "ok"
                    and entry.file_hash == file_hash
                    and entry.context_hash == context
                ):
                    counts.unchanged += len(entry.document_ids)
                    done.seen.update(entry.document_ids)
                    continue
                docs = sandbox.run(rel, connector.parse, path)
                prepared = self._prepare(source, docs, resolver, owners)
            except SourceError as exc:
                counts.failed += 1
                report.failures.append(
                    Failure(source=source.name, path=rel, reason=escaped(exc.reason))
                )
                log.warning(
                    "skipped", extra={"source": source.name, "path": rel, "why": exc.reason}
                )
                if entry:  # keep what an earlier run ingested from this file
                    done.seen.update(entry.document_ids)
                items.put(
                    _FileDone(
                        source.name,
                        rel,
                        "",
                        context,
                        entry.document_ids if entry else [],
                        error=exc.reason,
                    )
                )
                continue
            finally:
                if progress:
                    progress("parse", 1, None)
            for item in prepared:
                if isinstance(item, _Parsed):
                    done.seen.add(item.doc.id)
                    items.put(item)
                else:
                    done.seen.add(item)
                    counts.unchanged += 1
            items.put(_FileDone(source.name, rel, file_hash, context, [d.id for d in docs]))
        items.put(done)

    def _prepare(
        self,
        source: SourceConfig,
        docs: list[Document],
        resolver: PeopleResolver,
        owners: OwnersFile | None,
    ) -> list[_Parsed | str]:
        """A file's documents chunked, or their id when unchanged.

        Raises:
            SourceError: the file yields more chunks than ingest.max_chunks_per_file.
        """
        prepared: list[_Parsed | str] = []
        total = 0
        for doc in docs:
            prepare_document(doc, source, resolver, owners, self._source_names)
            doc_hash = document_hash(doc)
            previous = self.manifest.get_document(doc.id)
            if previous and previous.content_hash == doc_hash:
                prepared.append(doc.id)
                continue
            chunks = self.chunker.chunk(doc)
            total += len(chunks)
            if total > self.limits.max_chunks_per_file:
                raise SourceError(
                    doc.path or doc.id,
                    f"yields more than {self.limits.max_chunks_per_file:,} chunks "
                    "(ingest.max_chunks_per_file)",
                )
            old = previous.chunk_ids if previous else []
            prepared.append(_Parsed(source.name, doc, chunks, doc_hash, old, previous is None))
        return prepared

    # -- consumer: embed and write ---------------------------------------------------------

    def _consume(
        self, items: queue.Queue[object], report: IngestReport, progress: ProgressHook | None
    ) -> None:
        pending: list[_Parsed] = []
        waiting: list[_FileDone | _SourceDone] = []
        for item in _drain(items):
            if isinstance(item, _Parsed):
                pending.append(item)
                if sum(len(p.chunks) for p in pending) >= self.batch_size:
                    self._write(pending, report, progress)
                    pending = []
                    self._settle(waiting, report)
            else:
                waiting.append(item)  # type: ignore[arg-type]
                if not pending:
                    self._settle(waiting, report)
        self._write(pending, report, progress)
        self._settle(waiting, report)

    def _write(
        self, batch: list[_Parsed], report: IngestReport, progress: ProgressHook | None
    ) -> None:
        """Embed and upsert a batch of documents, then commit them to the manifest."""
        if not batch:
            return
        chunks = [(p, c) for p in batch for c in p.chunks]
        texts = [embedding_text(p.doc, c) for p, c in chunks]
        log.info("embedding batch", extra={"chunks": len(chunks)})
        started = time.perf_counter()
        dense = self.embedder.embed_documents(texts)
        report.embed_seconds += time.perf_counter() - started
        sparse = self.sparse.encode_documents(texts)
        points = [
            IndexPoint(c.id, dense[i].tolist(), sparse[i], chunk_payload(p.doc, c))
            for i, (p, c) in enumerate(chunks)
        ]
        if points:
            self.index.upsert(points)
        stale = [cid for p in batch for cid in set(p.old_chunk_ids) - {c.id for c in p.chunks}]
        if stale:
            self.index.delete(stale)
        self.index.flush()
        for p in batch:
            self.manifest.put_document(
                p.doc,
                [c.id for c in p.chunks],
                author_ids=person_ids(p.doc.authors),
                owner_ids=person_ids(p.doc.owners),
                superseded_by_id=p.doc.superseded_by,
                content_hash=p.doc_hash,
            )
            log.info("document recorded", extra={"document": p.doc.id})
            counts = report.counts(p.source)
            counts.chunks += len(p.chunks)
            if p.is_new:
                counts.new += 1
            else:
                counts.changed += 1
        log.info("batch written", extra={"chunks": len(chunks), "documents": len(batch)})
        if progress:
            progress("embed", len(chunks), None)

    def _settle(self, waiting: list[_FileDone | _SourceDone], report: IngestReport) -> None:
        """Record finished files and delete what vanished from finished sources."""
        for item in waiting:
            if isinstance(item, _FileDone):
                self.manifest.record_file(
                    item.source,
                    item.path,
                    item.file_hash,
                    item.context_hash,
                    item.document_ids,
                    status="failed" if item.error else "ok",
                    error=item.error,
                )
            elif item.complete:
                self._delete_vanished(item, report)
        waiting.clear()

    def _delete_vanished(self, done: _SourceDone, report: IngestReport) -> None:
        gone = [
            d.id for d in self.manifest.documents_for_source(done.source) if d.id not in done.seen
        ]
        if gone:
            self.index.delete_documents(gone)
            self.index.flush()
            self.manifest.delete_documents(gone)
            report.counts(done.source).deleted += len(gone)
        for entry in self.manifest.files_for_source(done.source):
            if entry.path not in done.files:
                self.manifest.forget_file(done.source, entry.path)

    def _remove_orphans(self) -> int:
        """Delete index points of documents the manifest does not know (a crash leftover)."""
        orphans = self.index.document_ids() - self.manifest.all_document_ids()
        if orphans:
            self.index.delete_documents(sorted(orphans))
            self.index.flush()
        return len(orphans)

    def _context_hash(self) -> str:
        """Hash of everything outside a file that changes how the file is ingested."""
        parts = [
            CHUNKER_VERSION,
            self._chunking.model_dump_json(),
            self.embedder.model_name,
            self.sources.model_dump_json(),
        ]
        for extra in (self.sources.people, self.sources.owners):
            if extra and extra.is_file():
                parts.append(hashlib.sha256(extra.read_bytes()).hexdigest())
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _drain(items: queue.Queue[object]) -> Iterator[object]:
    while (item := items.get()) is not None:
        if isinstance(item, BaseException):
            if isinstance(item, WatercoolerError):
                raise item
            raise RuntimeError(f"ingestion producer failed: {item}") from item
        yield item
