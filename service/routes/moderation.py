"""Trainers' states on documents and passages, readers' flags, and each document's history.

    POST /documents/{id}/verify        trainers, admins
    POST /documents/{id}/outdated      trainers, admins
    POST /documents/{id}/needs-review  trainers, admins, the document's authors and owners
    POST /documents/{id}/flags         any signed-in user
    GET  /documents/{id}/history       anyone who may see the document (flaggers' ids: trainers)

A document the caller may not see is reported as not found, as is a chunk it does not have.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, model_validator

from core.api import (
    DocumentHistory,
    FlagOut,
    ModerationEventOut,
    ModerationStateOut,
    Text,
    no_control_characters,
)
from core.db import DocumentEntry
from core.errors import ConfigError, NotFoundError
from core.moderation import (
    WHOLE_DOCUMENT,
    FlagKind,
    ModerationState,
    expiry,
    is_moderator,
    require_moderator,
    require_review_requester,
    require_signed_in,
    text_hash,
    verification_days,
)
from core.schema import Principal
from core.sources import SourcesConfig, bundled_sources_file, load_sources
from service.badges import Badges
from service.components import Components
from service.deps import CallerDep, ComponentsDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.routes.documents import visible_document

router = APIRouter(tags=["moderation"])

Note = Annotated[str, Field(max_length=2000), AfterValidator(no_control_characters)]
ChunkId = Annotated[str, Field(max_length=64, description="one passage; omit for the document")]

_RESPONSES = {
    **ERROR_RESPONSES,
    404: {"model": ErrorBody, "description": "No such document or passage"},
}


class VerifyRequest(BaseModel):
    """A trainer vouches for a document or one passage until it expires."""

    note: Note | None = None
    chunk_id: ChunkId | None = None
    expires_at: datetime | None = Field(None, description="ISO 8601, in the future")
    interval_days: int | None = Field(
        None, ge=1, le=3650, description="days until it expires (default: the setting)"
    )

    @model_validator(mode="after")
    def _expiry(self) -> VerifyRequest:
        if self.expires_at is not None and self.interval_days is not None:
            raise ValueError("give expires_at or interval_days, not both")
        if self.expires_at is not None:
            if self.expires_at.tzinfo is None:
                self.expires_at = self.expires_at.replace(tzinfo=UTC)
            if self.expires_at <= datetime.now(UTC):
                raise ValueError("expires_at is in the past")
        return self


class OutdatedRequest(BaseModel):
    """A trainer retires a document or passage, optionally naming its replacement."""

    note: Note | None = None
    chunk_id: ChunkId | None = None
    replaced_by: Text | None = Field(None, max_length=255, description="the document replacing it")


class NeedsReviewRequest(BaseModel):
    """Someone asks a trainer to look at a document or passage."""

    reason: Annotated[Note, Field(min_length=1)]
    chunk_id: ChunkId | None = None


class FlagRequest(BaseModel):
    """A reader reports a passage as outdated, wrong or unclear."""

    kind: FlagKind
    note: Note | None = None
    chunk_id: ChunkId | None = None


@router.post(
    "/documents/{document_id}/verify",
    response_model=ModerationStateOut,
    summary="Verify a document or passage (trainers)",
    description="Vouches for the current text until `expires_at` (or `interval_days`, default "
    "the source's `verification_days` in the sources file, else moderation.verification_days). "
    "Re-ingestion that changes the text lapses it to "
    "needs_review.",
    responses=_RESPONSES,
)
def verify(
    document_id: str, body: VerifyRequest, caller: CallerDep, c: ComponentsDep
) -> ModerationStateOut:
    """Mark verified."""
    require_moderator(caller)
    entry, chunk = _target(c, document_id, body.chunk_id, caller)
    now = datetime.now(UTC)
    days = body.interval_days or verification_days(
        entry.source, _sources(c), c.settings.moderation.verification_days
    )
    digest = text_hash(c.manifest.load_document(entry.id).text) if not chunk else None
    state = c.moderation.change(
        entry.id,
        "verified",
        caller.user_id,
        chunk_id=chunk,
        note=body.note,
        expires_at=expiry(now, body.expires_at, days),
        text_hash=digest,
    )
    return _state_out(state)


@router.post(
    "/documents/{document_id}/outdated",
    response_model=ModerationStateOut,
    summary="Mark a document or passage outdated (trainers)",
    description="It ranks below its replacement and is shown as 'Outdated — see ...'.",
    responses=_RESPONSES,
)
def mark_outdated(
    document_id: str, body: OutdatedRequest, caller: CallerDep, c: ComponentsDep
) -> ModerationStateOut:
    """Mark outdated."""
    require_moderator(caller)
    entry, chunk = _target(c, document_id, body.chunk_id, caller)
    replacement = None
    if body.replaced_by:
        if body.replaced_by == entry.id:
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", "replaced_by"),
                        "msg": "a document cannot replace itself",
                        "type": "value_error",
                    }
                ]
            )
        replacement = visible_document(c.manifest, body.replaced_by, caller).id
    state = c.moderation.change(
        entry.id,
        "outdated",
        caller.user_id,
        chunk_id=chunk,
        note=body.note,
        replaced_by=replacement,
    )
    return _state_out(state)


@router.post(
    "/documents/{document_id}/needs-review",
    response_model=ModerationStateOut,
    summary="Request a review (trainers, authors, owners)",
    responses=_RESPONSES,
)
def needs_review(
    document_id: str, body: NeedsReviewRequest, caller: CallerDep, c: ComponentsDep
) -> ModerationStateOut:
    """Mark needs_review with a reason."""
    entry, chunk = _target(c, document_id, body.chunk_id, caller)
    require_review_requester(caller, entry.author_ids, entry.owner_ids)
    state = c.moderation.change(
        entry.id, "needs_review", caller.user_id, chunk_id=chunk, reason=body.reason
    )
    return _state_out(state)


@router.post(
    "/documents/{document_id}/flags",
    response_model=FlagOut,
    status_code=201,
    summary="Flag a passage as outdated, wrong or unclear (signed-in users)",
    responses=_RESPONSES,
)
def flag(document_id: str, body: FlagRequest, caller: CallerDep, c: ComponentsDep) -> FlagOut:
    """Record a flag; trainers see it in the review queue."""
    require_signed_in(caller)
    entry, chunk = _target(c, document_id, body.chunk_id, caller)
    f = c.moderation.flag(entry.id, chunk, caller.user_id, body.kind, body.note)
    return FlagOut(
        id=f.id, chunk_id=f.chunk_id, user_id=f.user_id, kind=f.kind, note=f.note, created=f.created
    )


@router.get(
    "/documents/{document_id}/history",
    response_model=DocumentHistory,
    summary="A document's moderation history",
    description="Its badge, the current states of it and its passages, every change "
    "(who, when, from, to, note), and open flags (who flagged: trainers and admins only).",
    responses=_RESPONSES,
)
def history(document_id: str, caller: CallerDep, c: ComponentsDep) -> DocumentHistory:
    """Everything moderation knows about one document."""
    entry = visible_document(c.manifest, document_id, caller)
    badges = Badges(c.moderation, c.manifest, c.people, caller, [(entry.id, WHOLE_DOCUMENT)])
    moderator = is_moderator(caller)
    return DocumentHistory(
        document_id=entry.id,
        title=entry.title,
        moderation=badges.get(entry.id),
        states=[_state_out(s) for s in c.moderation.states_for([entry.id])],
        events=[
            ModerationEventOut(
                chunk_id=e.chunk_id,
                at=e.at,
                who=e.who,
                from_state=e.from_state,
                to_state=e.to_state,
                note=e.note,
            )
            for e in c.moderation.history(entry.id)
        ],
        flags=[
            FlagOut(
                id=f.id,
                chunk_id=f.chunk_id,
                user_id=f.user_id if moderator else None,
                kind=f.kind,
                note=f.note,
                created=f.created,
            )
            for f in c.moderation.open_flags([entry.id])
        ],
    )


def _target(
    c: Components, document_id: str, chunk_id: str | None, caller: Principal
) -> tuple[DocumentEntry, str]:
    """The visible document and the chunk named (one of its own), or NotFoundError."""
    entry = visible_document(c.manifest, document_id, caller)
    if chunk_id and chunk_id not in entry.chunk_ids:
        raise NotFoundError(f"document {document_id!r} has no passage {chunk_id!r}")
    return entry, chunk_id or WHOLE_DOCUMENT


def _sources(c: Components) -> SourcesConfig | None:
    """The sources file (for per-source verification intervals); None when it cannot be read."""
    return cached_sources(c.settings.ingest.config or bundled_sources_file())


def cached_sources(path: Path) -> SourcesConfig | None:
    """The sources file as parsed, read again only when its modification time or size
    changes (a verification need not parse YAML); None when it cannot be read."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _parsed_sources(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _parsed_sources(path: Path, mtime_ns: int, size: int) -> SourcesConfig | None:
    try:
        return load_sources(path)
    except ConfigError:
        return None


def _state_out(s: ModerationState) -> ModerationStateOut:
    """The state as the API sends it (the same fields less the document id)."""
    return ModerationStateOut.model_validate(s.model_dump(exclude={"document_id"}))
