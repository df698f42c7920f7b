"""The review queue for trainers and admins (core/review.py has the reasons and the formula).

    GET  /review/queue                   what needs a trainer, by impact, with reasons
    POST /review/{document_id}/assign    make another trainer accountable
    POST /review/{document_id}/snooze    hide it until a date, with a reason
    POST /review/{document_id}/resolve   verify / mark outdated / ask the owner for an edit

The queue holds only documents the caller may see.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from core.api import ModerationStateOut, ReviewItemOut, ReviewQueue
from core.auth import can_see
from core.db import DocumentEntry
from core.moderation import badge, require_moderator
from core.review import QueueItem, gather, trainers
from core.schema import Principal
from service.components import Components
from service.deps import CallerDep, ComponentsDep
from service.errors import ERROR_RESPONSES
from service.routes.documents import visible_document
from service.routes.moderation import (
    NeedsReviewRequest,
    Note,
    OutdatedRequest,
    VerifyRequest,
    mark_outdated,
    needs_review,
    verify,
)

router = APIRouter(tags=["moderation"])

EDIT_REQUESTED = "edit requested from the owners"


class AssignRequest(BaseModel):
    """The trainer who becomes accountable for the item."""

    reviewer: Annotated[str, Field(min_length=1, max_length=255)]


class SnoozeRequest(BaseModel):
    """Hide an item for some days, saying why."""

    days: int = Field(7, ge=1, le=90)
    reason: Annotated[Note, Field(min_length=1)]


class ResolveRequest(BaseModel):
    """How a trainer resolves an item."""

    action: Literal["verify", "outdated", "edit_request"]
    note: Note | None = None
    replaced_by: str | None = Field(None, max_length=255)
    interval_days: int | None = Field(None, ge=1, le=3650)


@router.get(
    "/review/queue",
    response_model=ReviewQueue,
    summary="The review queue (trainers, admins)",
    description="Documents that need a trainer, highest impact first, each with its reasons "
    "and one accountable reviewer. Impact = (1 + cited) × (1 + 2 × negative + flaggers) × "
    "(1 + min(age_days, 365) / 90), over the last 30 days of the question log.",
    responses=ERROR_RESPONSES,
)
def queue(
    caller: CallerDep,
    c: ComponentsDep,
    reviewer: Annotated[str | None, Query(max_length=255, description="only this one's")] = None,
    include_snoozed: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReviewQueue:
    """What needs a trainer."""
    require_moderator(caller)
    items = _items(c, caller, include_snoozed)
    if reviewer is not None:
        items = [i for i in items if i.reviewer == reviewer]
    now = datetime.now(UTC)
    names = _names(c, items[:limit])
    return ReviewQueue(
        total=len(items),
        items=[_out(i, names, now) for i in items[:limit]],
    )


@router.post(
    "/review/{document_id}/assign",
    response_model=ReviewItemOut,
    summary="Reassign a queue item (trainers, admins)",
    responses=ERROR_RESPONSES,
)
def assign(
    document_id: str, body: AssignRequest, caller: CallerDep, c: ComponentsDep
) -> ReviewItemOut:
    """Make `reviewer` accountable (they must be a trainer or admin)."""
    require_moderator(caller)
    entry = visible_document(c.manifest, document_id, caller)
    if body.reviewer not in trainers(c.keys, ("trainer", "admin")):
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "reviewer"),
                    "msg": f"{body.reviewer!r} holds no trainer or admin key",
                    "type": "value_error",
                }
            ]
        )
    c.moderation.assign(entry.id, reviewer=body.reviewer)
    return _item_or_empty(c, caller, entry.id, entry.title)


@router.post(
    "/review/{document_id}/snooze",
    response_model=ReviewItemOut,
    summary="Snooze a queue item (trainers, admins)",
    responses=ERROR_RESPONSES,
)
def snooze(
    document_id: str, body: SnoozeRequest, caller: CallerDep, c: ComponentsDep
) -> ReviewItemOut:
    """Hide the item for `days`, keeping its reviewer."""
    require_moderator(caller)
    entry = visible_document(c.manifest, document_id, caller)
    current = c.moderation.assignments().get(entry.id)
    c.moderation.assign(
        entry.id,
        reviewer=current.reviewer if current else None,
        snoozed_until=datetime.now(UTC) + timedelta(days=body.days),
        snooze_reason=body.reason,
    )
    return _item_or_empty(c, caller, entry.id, entry.title)


@router.post(
    "/review/{document_id}/resolve",
    response_model=ModerationStateOut,
    summary="Resolve a queue item (trainers, admins)",
    description="`verify` and `outdated` change the document's state; `edit_request` asks its "
    "owners for an edit (needs_review, 'edit requested'). The item leaves the queue until "
    "something new happens to it.",
    responses=ERROR_RESPONSES,
)
def resolve(
    document_id: str, body: ResolveRequest, caller: CallerDep, c: ComponentsDep
) -> ModerationStateOut:
    """Act on the item and mark it resolved."""
    require_moderator(caller)
    if body.action == "verify":
        state = verify(
            document_id, VerifyRequest(note=body.note, interval_days=body.interval_days), caller, c
        )
    elif body.action == "outdated":
        state = mark_outdated(
            document_id, OutdatedRequest(note=body.note, replaced_by=body.replaced_by), caller, c
        )
    else:
        reason = (
            f"edit requested from the owners: {body.note}"
            if body.note
            else "edit requested from the owners"
        )
        state = needs_review(document_id, NeedsReviewRequest(reason=reason), caller, c)
    current = c.moderation.assignments().get(document_id)
    c.moderation.assign(
        document_id,
        reviewer=current.reviewer if current else None,
        resolved=datetime.now(UTC),
    )
    return state


def _items(c: Components, caller: Principal, include_snoozed: bool) -> list[QueueItem]:
    def visible(entry: DocumentEntry) -> bool:
        return can_see(caller, entry.groups)

    now = datetime.now(UTC)
    return gather(c.db, c.keys, visible, c.settings.moderation, now, include_snoozed)


def _item_or_empty(c: Components, caller: Principal, document_id: str, title: str) -> ReviewItemOut:
    """The document's queue item now (reasons empty when it no longer needs a trainer)."""
    now = datetime.now(UTC)
    for item in _items(c, caller, include_snoozed=True):
        if item.document_id == document_id:
            return _out(item, _names(c, [item]), now)
    return ReviewItemOut(document_id=document_id, title=title, reasons=[], impact=0.0)


def _names(c: Components, items: list[QueueItem]) -> dict[str, str]:
    """Directory names of the items' reviewers and of who set their states."""
    ids = [i.reviewer for i in items if i.reviewer] + [s.by for i in items for s in i.states]
    return {p.id: p.name for p in c.people.get_many(ids).values()}


def _out(item: QueueItem, names: dict[str, str], now: datetime) -> ReviewItemOut:
    whole = next((s for s in item.states if not s.chunk_id), None)
    return ReviewItemOut(
        document_id=item.document_id,
        title=item.title,
        reasons=item.reasons,
        impact=item.impact,
        reviewer=item.reviewer,
        reviewer_name=names.get(item.reviewer or "", item.reviewer),
        state=badge(whole, item.flaggers, now, names, {}),
        cited_30d=item.cited,
        negative_30d=item.negative,
        flaggers=item.flaggers,
        age_days=item.age_days,
        snoozed_until=item.snoozed_until,
        snooze_reason=item.snooze_reason,
    )
