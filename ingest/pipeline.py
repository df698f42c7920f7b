"""The ingestion job: sources → parsed documents → chunks → embeddings → Qdrant + manifest.

Stages (one module each): the parse stage (produce.py) runs on a producer thread, sending
files to a pool of parser processes (parse_pool.py, each under a time and a memory limit,
sandbox.py) or taking them from the parse cache (parse_cache.py), and queues each file's
chunked documents in file order; the write stage (write.py) embeds and writes them on the
calling thread, so the encoder is kept busy. A file yielding too many chunks is skipped, so one
hostile file costs a line in the report.

Writes are ordered for crash safety: a batch's new chunks are upserted, its stale chunks
deleted and the index flushed *before* the manifest records its documents (one transaction per
batch); a file is recorded only after all its documents are. A job killed at any point and run
again therefore re-does exactly the unrecorded work, and deterministic chunk ids make that
idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time

from core.config import ChunkingSettings, IngestSettings
from core.db import Database, ManifestStore, PeopleStore
from core.embedding import Embedder
from core.errors import SourceError
from core.index.base import CHUNKER_VERSION, IndexMeta, VectorIndex
from core.schema import Document, Person
from core.sources import SourceConfig, SourcesConfig
from core.sparse import Bm25Encoder
from ingest.chunking import Chunker
from ingest.items import Parsed, ProgressHook
from ingest.owners import OwnersFile
from ingest.parse_cache import ParseCache
from ingest.parse_pool import ParsePool, default_parse_workers
from ingest.people import PeopleResolver, read_people
from ingest.prepare import document_hash
from ingest.produce import Job, ParseStage
from ingest.report import Failure, IngestReport
from ingest.sandbox import Limits
from ingest.write import WriteStage

__all__ = ["IngestPipeline", "ProgressHook"]

log = logging.getLogger(__name__)

PEOPLE_DIRECTORY = "people directory"  # the report's source name for skipped people entries
QUEUE_ITEMS = 64  # parsed documents waiting for the encoder (bounds the job's memory)


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
        parse_cache: ParseCache | None = None,
    ) -> None:
        self.sources = sources
        self.index = index
        self.embedder = embedder
        self.sparse = sparse
        self.manifest = ManifestStore(db)
        self.people = PeopleStore(db)
        self.chunker = Chunker(chunking, embedder.token_lengths, embedder.token_offsets)
        self.limits = ingest
        self.parse_cache = parse_cache
        self.parse_workers = ingest.parse_workers or default_parse_workers(
            str(getattr(embedder, "device", "cpu"))
        )
        self.batch_size = batch_size
        self._chunking = chunking
        self.writer = WriteStage(
            index=index,
            embedder=embedder,
            sparse=sparse,
            manifest=self.manifest,
            batch_size=batch_size,
            unit_vectors=ingest.unit_vectors,
        )

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
        self._ensure_index()
        job = Job(
            resolver,
            owners,
            self._context_hash(),
            report,
            progress,
            {s.name for s in self.sources.sources},
        )
        items: queue.Queue[object] = queue.Queue(maxsize=QUEUE_ITEMS)
        producer = threading.Thread(
            target=self._produce, args=(job, selected, items), name="ingest-parse", daemon=True
        )
        producer.start()
        try:
            self.writer.consume(items, report, progress)
        except BaseException:
            job.stopped.set()  # the producer stops at its next item; drain what it queues
            while items.get() is not None:
                pass
            raise
        finally:
            producer.join()
        self.people.upsert_many(people + resolver.unknown)
        report.unknown_people = sorted(p.name for p in resolver.unknown)
        if only is None:
            report.orphans_removed = self._remove_orphans()
        if report.totals.chunks or report.totals.deleted:
            self.index.optimize()
        if self.parse_cache is not None:
            self.parse_cache.trim()
        report.seconds = time.perf_counter() - started
        log.info("ingestion finished", extra={"report": report.to_dict()})
        return report

    def write_documents(self, source: str, docs: list[Document]) -> IngestReport:
        """Chunk, embed and write documents that need no parsing (experts' answers) now.

        Their contributors carry resolved person ids already; the source is not a sources-file
        source, so jobs neither re-read nor delete its documents.
        """
        report = IngestReport()
        self._ensure_index()
        batch = []
        for doc in docs:
            previous = self.manifest.get_document(doc.id)
            old = previous.chunk_ids if previous else []
            chunks = self.chunker.chunk(doc)
            batch.append(Parsed(source, doc, chunks, document_hash(doc), old, previous is None))
        self.writer.write(batch, report, None)
        return report

    def delete_documents(self, document_ids: list[str]) -> None:
        """Remove documents from the index and the manifest (an author retracts an answer)."""
        self.index.delete_documents(document_ids)
        self.index.flush()
        self.manifest.delete_documents(document_ids)

    def _produce(self, job: Job, sources: list[SourceConfig], items: queue.Queue[object]) -> None:
        """The producer thread: the parse stage, its failure handed to the write stage."""
        limits = Limits(self.limits.parse_timeout_s, self.limits.parse_memory_mb)
        try:
            with ParsePool(limits, self.parse_workers) as pool:
                ParseStage(
                    job,
                    manifest=self.manifest,
                    chunker=self.chunker,
                    pool=pool,
                    cache=self.parse_cache,
                    items=items,
                    max_file_bytes=int(self.limits.max_file_mb * 1024 * 1024),
                    max_unpacked_bytes=int(self.limits.max_unpacked_mb * 1024 * 1024),
                    max_chunks_per_file=self.limits.max_chunks_per_file,
                ).run(sources)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            items.put(exc)
        finally:
            items.put(None)

    def _ensure_index(self) -> None:
        self.index.ensure(
            IndexMeta(self.embedder.model_name, self.embedder.dimension, CHUNKER_VERSION)
        )

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
