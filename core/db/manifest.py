"""The ingestion manifest: which files were read, and which documents and chunks they gave.

Re-running ingestion compares a file's hashes with `get_file` to skip unchanged files, and a
document's `content_hash` and `chunk_ids` with `get_document` to re-embed only what changed.
Every method runs in its own transaction and returns plain values.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, select

from core.db.engine import Database, paginate, upsert, utcnow
from core.db.moderation import ModerationStateRecord, lapse_changed
from core.db.tables import DocumentRecord, SourceFile
from core.errors import NotFoundError
from core.moderation import text_hash
from core.schema import Document, SourceKind

log = logging.getLogger(__name__)

Status = Literal["ok", "failed"]
_DELETE_BATCH = 500  # ids per DELETE ... IN (...), well under SQLite's variable limit


@dataclass(frozen=True)
class FileEntry:
    """What the manifest knows about one source file."""

    source: str
    path: str
    file_hash: str
    context_hash: str
    document_ids: list[str]
    last_seen: datetime
    status: str
    error: str | None = None


@dataclass(frozen=True)
class DocumentEntry:
    """What the manifest knows about one document (without its text)."""

    id: str
    source: str
    native_id: str
    path: str | None
    kind: str
    title: str
    url: str | None
    content_hash: str
    chunk_ids: list[str]
    author_ids: list[str]
    owner_ids: list[str]
    groups: list[str]
    updated: datetime | None
    superseded_by: str | None
    last_seen: datetime
    status: str
    error: str | None = None


@dataclass(frozen=True)
class FileWrite:
    """A file's manifest entry to write (`record_files`)."""

    source: str
    path: str
    file_hash: str
    context_hash: str
    document_ids: list[str]
    status: Status = "ok"
    error: str | None = None


@dataclass(frozen=True)
class DocumentWrite:
    """A document to write with its chunk ids and resolved people (`put_documents`)."""

    doc: Document
    chunk_ids: list[str]
    author_ids: list[str]
    owner_ids: list[str]
    superseded_by_id: str | None
    status: Status = "ok"
    error: str | None = None
    content_hash: str | None = None


class ManifestStore:
    """Reads and writes the ingestion manifest."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get_file(self, source: str, path: str) -> FileEntry | None:
        """The manifest entry of a file, or None if it was never recorded."""
        with self._db.session("get file") as session:
            record = session.scalar(
                select(SourceFile).where(SourceFile.source == source, SourceFile.path == path)
            )
            return _file_entry(record) if record else None

    def files_for_source(self, source: str) -> list[FileEntry]:
        """Every recorded file of a source, by path."""
        with self._db.session("list files") as session:
            records = session.scalars(
                select(SourceFile).where(SourceFile.source == source).order_by(SourceFile.path)
            )
            return [_file_entry(r) for r in records]

    def record_file(
        self,
        source: str,
        path: str,
        file_hash: str,
        context_hash: str,
        document_ids: list[str],
        status: Status,
        error: str | None = None,
    ) -> None:
        """Insert or replace the manifest entry of a file; `last_seen` becomes now."""
        self.record_files(
            [FileWrite(source, path, file_hash, context_hash, document_ids, status, error)]
        )

    def record_files(self, files: Sequence[FileWrite]) -> None:
        """`record_file` for many files in one transaction (many small files, one commit)."""
        if not files:
            return
        now = utcnow()
        rows = [
            {
                "source": f.source,
                "path": f.path,
                "file_hash": f.file_hash,
                "context_hash": f.context_hash,
                "document_ids": list(f.document_ids),
                "last_seen": now,
                "status": f.status,
                "error": f.error,
            }
            for f in files
        ]
        # One row per key (the last wins): PostgreSQL updates a row once per statement.
        unique = list({(r["source"], r["path"]): r for r in rows}.values())
        with self._db.session("record files") as session:
            upsert(session, SourceFile, unique, keys=("source", "path"))

    def forget_file(self, source: str, path: str) -> None:
        """Remove a file's manifest entry (nothing happens if there is none)."""
        with self._db.session("forget file") as session:
            session.execute(
                delete(SourceFile).where(SourceFile.source == source, SourceFile.path == path)
            )

    def clear(self) -> None:
        """Forget every file and document (the index is being rebuilt from scratch)."""
        with self._db.session("clear manifest") as session:
            session.execute(delete(SourceFile))
            session.execute(delete(DocumentRecord))

    def get_document(self, document_id: str) -> DocumentEntry | None:
        """The manifest entry of a document, or None if it is not stored."""
        with self._db.session("get document") as session:
            record = session.get(DocumentRecord, document_id)
            return _document_entry(record) if record else None

    def documents_for_source(self, source: str) -> list[DocumentEntry]:
        """Every stored document of a source, by id."""
        with self._db.session("list documents") as session:
            records = session.scalars(
                select(DocumentRecord)
                .where(DocumentRecord.source == source)
                .order_by(DocumentRecord.id)
            )
            return [_document_entry(r) for r in records]

    def put_document(
        self,
        doc: Document,
        chunk_ids: list[str],
        author_ids: list[str],
        owner_ids: list[str],
        superseded_by_id: str | None,
        status: Status = "ok",
        error: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        """Insert or replace a document with its chunk ids (in order) and resolved people.

        `content_hash` overrides the document's own hash (ingestion also hashes the resolved
        people and supersession, which change the index payload).
        """
        self.put_documents(
            [
                DocumentWrite(
                    doc,
                    chunk_ids,
                    author_ids,
                    owner_ids,
                    superseded_by_id,
                    status,
                    error,
                    content_hash,
                )
            ]
        )

    def put_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """`put_document` for many documents in one transaction (one commit per batch)."""
        if not writes:
            return
        now = utcnow()
        rows = [
            {
                "id": w.doc.id,
                "source": w.doc.source,
                "native_id": w.doc.native_id,
                "path": w.doc.path,
                "kind": str(w.doc.kind),
                "title": w.doc.title,
                "url": w.doc.url,
                "content_hash": w.content_hash or w.doc.content_hash,
                "chunk_ids": list(w.chunk_ids),
                "data": w.doc.model_dump(mode="json"),
                "author_ids": list(w.author_ids),
                "owner_ids": list(w.owner_ids),
                "groups": list(w.doc.groups),
                "updated": w.doc.updated,
                "superseded_by": w.superseded_by_id,
                "last_seen": now,
                "status": w.status,
                "error": w.error,
            }
            for w in writes
        ]
        unique = list({r["id"]: r for r in rows}.values())  # as in record_files
        with self._db.session("put documents") as session:
            upsert(session, DocumentRecord, unique, keys=("id",))
            # A verification vouches for the text it saw: a changed text lapses it. One query
            # finds the batch's verified documents (most have none) instead of one per document.
            verified = set(
                session.scalars(
                    select(ModerationStateRecord.document_id).where(
                        ModerationStateRecord.document_id.in_([r["id"] for r in unique]),
                        ModerationStateRecord.state == "verified",
                    )
                )
            )
            for w in writes:
                if w.doc.id in verified:
                    lapse_changed(session, w.doc.id, text_hash(w.doc.text), w.chunk_ids)

    def load_document(self, document_id: str) -> Document:
        """The full stored document, text and blocks included."""
        with self._db.session("load document") as session:
            data = session.scalar(
                select(DocumentRecord.data).where(DocumentRecord.id == document_id)
            )
        if data is None:
            raise NotFoundError(f"document {document_id!r} not found")
        return Document.model_validate(data)

    def delete_documents(self, ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""
        unique = sorted(set(ids))
        deleted = 0
        with self._db.session("delete documents") as session:
            for start in range(0, len(unique), _DELETE_BATCH):
                batch = unique[start : start + _DELETE_BATCH]
                result = session.execute(delete(DocumentRecord).where(DocumentRecord.id.in_(batch)))
                deleted += cast(CursorResult[Any], result).rowcount
        log.debug("documents deleted", extra={"count": deleted})
        return deleted

    def all_document_ids(self) -> set[str]:
        """The ids of every stored document."""
        with self._db.session("list document ids") as session:
            return set(session.scalars(select(DocumentRecord.id)))

    def list_documents(
        self,
        source: str | None = None,
        kind: SourceKind | str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[DocumentEntry]:
        """A page of documents, optionally of one source and/or kind, by source then title."""
        stmt = (
            select(DocumentRecord)
            .where(*_document_filters(source, kind))
            .order_by(DocumentRecord.source, DocumentRecord.title, DocumentRecord.id)
        )
        with self._db.session("list documents") as session:
            records = session.scalars(paginate(stmt, limit, offset))
            return [_document_entry(r) for r in records]

    def recent_documents(self, limit: int = 100) -> list[DocumentEntry]:
        """Current (not superseded) documents, most recently updated first."""
        stmt = (
            select(DocumentRecord)
            .where(DocumentRecord.superseded_by.is_(None))
            .order_by(DocumentRecord.updated.desc().nulls_last(), DocumentRecord.id)
            .limit(limit)
        )
        with self._db.session("recent documents") as session:
            return [_document_entry(r) for r in session.scalars(stmt)]

    def count_documents(
        self, source: str | None = None, kind: SourceKind | str | None = None
    ) -> int:
        """How many documents are stored (optionally of one source and/or kind)."""
        stmt = select(func.count()).select_from(DocumentRecord)
        with self._db.session("count documents") as session:
            return session.scalar(stmt.where(*_document_filters(source, kind))) or 0


def _document_filters(
    source: str | None, kind: SourceKind | str | None
) -> list[ColumnElement[bool]]:
    filters = []
    if source is not None:
        filters.append(DocumentRecord.source == source)
    if kind is not None:
        filters.append(DocumentRecord.kind == str(kind))
    return filters


def _file_entry(r: SourceFile) -> FileEntry:
    return FileEntry(
        source=r.source,
        path=r.path,
        file_hash=r.file_hash,
        context_hash=r.context_hash,
        document_ids=list(r.document_ids),
        last_seen=r.last_seen,
        status=r.status,
        error=r.error,
    )


def _document_entry(r: DocumentRecord) -> DocumentEntry:
    return DocumentEntry(
        id=r.id,
        source=r.source,
        native_id=r.native_id,
        path=r.path,
        kind=r.kind,
        title=r.title,
        url=r.url,
        content_hash=r.content_hash,
        chunk_ids=list(r.chunk_ids),
        author_ids=list(r.author_ids),
        owner_ids=list(r.owner_ids),
        groups=list(r.groups),
        updated=r.updated,
        superseded_by=r.superseded_by,
        last_seen=r.last_seen,
        status=r.status,
        error=r.error,
    )
