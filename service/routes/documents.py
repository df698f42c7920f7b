"""GET /documents/{id}: a document's text, metadata and chunk spans, if the caller may see it."""

from __future__ import annotations

from fastapi import APIRouter

from core.auth import can_see
from core.db import DocumentEntry, ManifestStore
from core.errors import NotFoundError
from core.schema import Contributor, Person, PersonRef, Principal
from service.badges import Badges
from service.deps import CallerDep, ComponentsDep, ExpertsDep, IndexDep, ManifestDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.schemas import ChunkSpan, DocumentResponse

router = APIRouter(tags=["documents"])


def visible_document(manifest: ManifestStore, document_id: str, caller: Principal) -> DocumentEntry:
    """The manifest entry, or NotFoundError — the same one whether it is missing or hidden."""
    entry = manifest.get_document(document_id)
    if entry is None or not can_see(caller, entry.groups):
        raise NotFoundError(f"document {document_id!r} not found")
    return entry


@router.get(
    "/documents/{document_id}",
    response_model=DocumentResponse,
    summary="Get a document",
    description="Text, metadata and the spans of its chunks (passages cite `start`/`end` "
    "in this text). A document the caller may not see is reported as not found.",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "No such document"}},
)
def get_document(
    document_id: str,
    caller: CallerDep,
    manifest: ManifestDep,
    index: IndexDep,
    experts: ExpertsDep,
    c: ComponentsDep,
) -> DocumentResponse:
    """One document the caller may see."""
    entry = visible_document(manifest, document_id, caller)
    doc = manifest.load_document(document_id)
    payloads = {hit.id: hit.payload for hit in index.retrieve(entry.chunk_ids)}
    chunks = [
        ChunkSpan(
            id=cid,
            position=int(payloads[cid].get("position", i)),
            start=int(payloads[cid].get("start", 0)),
            end=int(payloads[cid].get("end", 0)),
            heading_path=list(payloads[cid].get("heading_path") or []),
            time_start=payloads[cid].get("time_start"),
            time_end=payloads[cid].get("time_end"),
        )
        for i, cid in enumerate(entry.chunk_ids)
        if cid in payloads
    ]
    names = experts.lookup([*entry.author_ids, *entry.owner_ids])
    successor = visible_successor(manifest, entry, caller)
    badge = Badges(c.moderation, manifest, c.people, caller, [(entry.id, "")]).get(entry.id)
    return DocumentResponse(
        id=doc.id,
        source=doc.source,
        kind=doc.kind,
        title=doc.title,
        url=doc.url,
        path=doc.path,
        authors=_refs(doc.authors, names),
        owners=_refs(doc.owners, names),
        created=doc.created,
        updated=doc.updated,
        tags=doc.tags,
        groups=doc.groups,
        superseded_by=successor,
        moderation=badge,
        text=doc.text,
        chunks=chunks,
    )


def visible_successor(
    manifest: ManifestStore, entry: DocumentEntry, caller: Principal
) -> str | None:
    """The document that supersedes `entry`, unless the caller may not see it (never revealed)."""
    successor = entry.superseded_by
    try:
        return visible_document(manifest, successor, caller).id if successor else None
    except NotFoundError:
        return None


def _refs(contributors: list[Contributor], names: dict[str, Person]) -> list[PersonRef]:
    """Contributors with their directory names (the name the source gave otherwise)."""
    refs = []
    for c in contributors:
        person = names.get(c.person_id) if c.person_id else None
        refs.append(PersonRef(id=c.person_id or "", name=person.name if person else c.label()))
    return refs
