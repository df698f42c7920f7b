"""Per-document preparation before chunking: owners, people, supersession, change hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.errors import SourceError
from core.schema import Document, document_id
from core.sources import SourceConfig
from ingest.owners import OwnersFile
from ingest.people import PeopleResolver


def prepare_document(
    doc: Document,
    source: SourceConfig,
    resolver: PeopleResolver,
    owners: OwnersFile | None,
    source_names: set[str],
) -> None:
    """Add owners from the owners file, resolve people, and resolve supersession to an id."""
    if owners and doc.path:
        from_file = owners.owners_for(
            source.path / doc.path if source.path.is_dir() else source.path
        )
        known = {(c.email or c.name or "").lower() for c in doc.owners}
        doc.owners += [c for c in from_file if (c.email or c.name or "").lower() not in known]
    if not doc.authors and doc.owners:
        doc.authors = [c.model_copy() for c in doc.owners]
    for contributor in doc.authors + doc.owners:
        resolver.resolve(contributor)
    if doc.superseded_by:
        # "native id" within the same source, or "source:native id" across sources.
        target_source, _, native = doc.superseded_by.rpartition(":")
        if target_source in source_names:
            doc.superseded_by = document_id(target_source, native)
        else:
            doc.superseded_by = document_id(source.name, doc.superseded_by)


def file_hash_of(path: Path) -> str:
    """Hash of a file's bytes (its size limit is checked by the connector)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def document_hash(doc: Document) -> str:
    """Content hash plus the resolved people and supersession (they go into the payload)."""
    authors = sorted(f"{c.person_id}:{c.weight}" for c in doc.authors)
    owners = sorted(c.person_id or "" for c in doc.owners)
    extra = "\x00".join([*authors, "|", *owners, doc.superseded_by or ""])
    return hashlib.sha256((doc.content_hash + extra).encode()).hexdigest()
