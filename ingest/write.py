"""The write stage of a job: embed queued documents in batches, write them, then record them.

Crash-safety order (see pipeline.py): a batch's chunks are upserted, its stale chunks deleted
and the index flushed, then its documents are recorded in the manifest in one transaction;
finished files are recorded (again one transaction per group) only once every document queued
before them is committed, and a finished source deletes what vanished only then.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Iterator

from core.config import UnitVectorMode
from core.db import ManifestStore
from core.db.manifest import DocumentWrite, FileWrite
from core.embedding import Embedder
from core.errors import WatercoolerError
from core.index.base import IndexPoint, VectorIndex
from core.sparse import Bm25Encoder
from ingest.items import FileDone, Parsed, ProgressHook, SourceDone
from ingest.payload import chunk_payload, embed_with_unit_vectors, embedding_text, person_ids
from ingest.report import IngestReport

log = logging.getLogger(__name__)

SETTLE_FILES = 500  # finished files recorded per transaction when no document waits


class WriteStage:
    """Embeds, writes and records what the parse stage queues."""

    def __init__(
        self,
        *,
        index: VectorIndex,
        embedder: Embedder,
        sparse: Bm25Encoder,
        manifest: ManifestStore,
        batch_size: int,
        unit_vectors: UnitVectorMode = "pooled",
    ) -> None:
        self.index = index
        self.unit_vectors = unit_vectors  # answer units' vectors now, not at every answer
        self.embedder = embedder
        self.sparse = sparse
        self.manifest = manifest
        self.batch_size = batch_size

    def consume(
        self, items: queue.Queue[object], report: IngestReport, progress: ProgressHook | None
    ) -> None:
        """Drain the queue until the parse stage ends it (None), re-raising its failure."""
        pending: list[Parsed] = []
        chunks = 0
        waiting: list[FileDone | SourceDone] = []
        for item in _drain(items):
            if isinstance(item, Parsed):
                pending.append(item)
                chunks += len(item.chunks)
                if chunks >= self.batch_size:
                    self.write(pending, report, progress)
                    pending, chunks = [], 0
                    self._settle(waiting, report)
            else:
                waiting.append(item)  # type: ignore[arg-type]
                # Files wait for the documents queued before them; a group is one transaction.
                if not pending and (isinstance(item, SourceDone) or len(waiting) >= SETTLE_FILES):
                    self._settle(waiting, report)
        self.write(pending, report, progress)
        self._settle(waiting, report)

    def write(
        self, batch: list[Parsed], report: IngestReport, progress: ProgressHook | None
    ) -> None:
        """Embed and upsert a batch of documents, then commit them to the manifest."""
        if not batch:
            return
        chunks = [(p, c) for p in batch for c in p.chunks]
        texts = [embedding_text(p.doc, c) for p, c in chunks]
        log.info("embedding batch", extra={"chunks": len(chunks)})
        started = time.perf_counter()
        payloads = [chunk_payload(p.doc, c) for p, c in chunks]
        dense = embed_with_unit_vectors(texts, payloads, self.embedder, self.unit_vectors)
        report.embed_seconds += time.perf_counter() - started
        sparse = self.sparse.encode_documents(texts)
        points = [
            IndexPoint(c.id, dense[i].tolist(), sparse[i], payloads[i])
            for i, (_, c) in enumerate(chunks)
        ]
        if points:
            self.index.upsert(points)
        stale = [cid for p in batch for cid in set(p.old_chunk_ids) - {c.id for c in p.chunks}]
        if stale:
            self.index.delete(stale)
        self.index.flush()
        self.manifest.put_documents(
            [
                DocumentWrite(
                    p.doc,
                    [c.id for c in p.chunks],
                    author_ids=person_ids(p.doc.authors),
                    owner_ids=person_ids(p.doc.owners),
                    superseded_by_id=p.doc.superseded_by,
                    content_hash=p.doc_hash,
                )
                for p in batch
            ]
        )
        for p in batch:
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

    def _settle(self, waiting: list[FileDone | SourceDone], report: IngestReport) -> None:
        """Record finished files and delete what vanished from finished sources, in order."""
        files: list[FileWrite] = []
        for item in waiting:
            if isinstance(item, FileDone):
                files.append(
                    FileWrite(
                        item.source,
                        item.path,
                        item.file_hash,
                        item.context_hash,
                        item.document_ids,
                        status="failed" if item.error else "ok",
                        error=item.error,
                    )
                )
            else:
                self.manifest.record_files(files)  # a source's files before its deletions
                files = []
                if item.complete:
                    self._delete_vanished(item, report)
        self.manifest.record_files(files)
        waiting.clear()

    def _delete_vanished(self, done: SourceDone, report: IngestReport) -> None:
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


def _drain(items: queue.Queue[object]) -> Iterator[object]:
    while (item := items.get()) is not None:
        if isinstance(item, BaseException):
            if isinstance(item, WatercoolerError):
                raise item
            raise RuntimeError(f"ingestion producer failed: {item}") from item
        yield item
