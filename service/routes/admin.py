"""API keys: create (the plain key is returned once), list and revoke. Admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from core.db import ApiKeyEntry
from service.deps import MAX_OFFSET, AdminDep, KeysDep
from service.errors import ERROR_RESPONSES, ErrorBody
from service.schemas import ApiKeyInfo, KeyCreated, KeyCreateRequest

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key",
    description="Returns the key in `key` this once; only its hash is stored.",
    responses=ERROR_RESPONSES,
)
def create_key(body: KeyCreateRequest, admin: AdminDep, keys: KeysDep) -> KeyCreated:
    """A new key for a user, with their groups and role."""
    entry, plain = keys.create(body.user_id, body.groups, body.role, label=body.label)
    return KeyCreated(**key_info(entry).model_dump(), key=plain)


@router.get(
    "/keys",
    response_model=list[ApiKeyInfo],
    summary="List API keys",
    responses=ERROR_RESPONSES,
)
def list_keys(
    admin: AdminDep,
    keys: KeysDep,
    include_revoked: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ApiKeyInfo]:
    """Keys, newest first (never the keys themselves)."""
    entries = keys.list(include_revoked=include_revoked, limit=limit, offset=offset)
    return [key_info(e) for e in entries]


@router.delete(
    "/keys/{key_id}",
    response_model=ApiKeyInfo,
    summary="Revoke an API key",
    responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "No such key"}},
)
def revoke_key(key_id: str, admin: AdminDep, keys: KeysDep) -> ApiKeyInfo:
    """Revoke a key; it is kept (marked revoked) and never accepted again."""
    return key_info(keys.revoke(key_id))


def key_info(entry: ApiKeyEntry) -> ApiKeyInfo:
    """The public view of a stored key."""
    return ApiKeyInfo(
        id=entry.id,
        prefix=entry.prefix,
        user_id=entry.user_id,
        groups=entry.groups,
        role=entry.role,
        label=entry.label,
        created=entry.created,
        last_used=entry.last_used,
        revoked=entry.revoked,
        active=entry.active,
    )
