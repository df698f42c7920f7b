"""Who is calling, what role they hold, and which documents they may see.

    auth_mode=open   a caller without a key is an anonymous reader of public content only;
                     a key, when sent, is checked and honoured
    auth_mode=keys   every call needs a key (``Authorization: Bearer <key>`` or ``X-API-Key``)

A key may stand for a person of the directory (``keys create --person EMAIL``): the caller's
``person_id``. In open mode only, a caller without a key may name a *demo identity*
(``X-Demo-Person: <person id>``): a reader of public content acting as that directory person,
marked ``demo``, so one browser can play asker and expert; keys mode ignores the header.

    AuthenticationError    no key where one is needed, or an unknown / revoked key
    PermissionDeniedError  the caller's role is below what the operation needs
                           (both in core/errors.py)

The service also issues a *local key*: an admin key written to ``<data_dir>/service.key``
(mode 0600) while it runs, so CLIs on the same machine (``python -m ingest``) can reach its
admin endpoints without anyone handling keys; it is revoked at shutdown.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Literal

from core.config import Settings
from core.db.keys import ApiKeyEntry, KeyStore
from core.db.people import PeopleStore
from core.errors import AuthenticationError, PermissionDeniedError
from core.schema import Principal, Role

log = logging.getLogger(__name__)

AuthMode = Literal["open", "keys"]
ROLE_RANK: dict[Role, int] = {"reader": 0, "trainer": 1, "admin": 2}
LOCAL_KEY_FILE = "service.key"
LOCAL_KEY_LABEL = "local-cli"
LOCAL_KEY_USER = "local-admin"


def anonymous() -> Principal:
    """The caller without a key in open mode: a reader of public content only."""
    return Principal(user_id="anonymous", groups=[], role="reader")


class Authenticator:
    """Turns the key a caller sent (or its absence) into a Principal."""

    def __init__(self, mode: AuthMode, keys: KeyStore, people: PeopleStore | None = None) -> None:
        self.mode = mode
        self.keys = keys
        self.people = people

    def authenticate(self, key: str | None, demo_person: str | None = None) -> Principal:
        """The caller's principal; raises AuthenticationError when it cannot be established."""
        if not key:
            if self.mode == "open":
                return self._demo(demo_person) if demo_person else anonymous()
            raise AuthenticationError(
                "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
            )
        entry = self.keys.authenticate(key)
        if entry is None:
            raise AuthenticationError("invalid or revoked API key")
        return Principal(
            user_id=entry.user_id, groups=entry.groups, role=entry.role, person_id=entry.person_id
        )

    def _demo(self, person_id: str) -> Principal:
        """Open mode's demo identity: a public-content reader acting as a directory person."""
        person = self.people.get_many([person_id]).get(person_id) if self.people else None
        if person is None or not person.in_directory:
            raise AuthenticationError(f"no directory person {person_id!r} for a demo identity")
        return Principal(user_id=person.id, person_id=person.id, demo=True)


def key_from_headers(authorization: str | None, x_api_key: str | None) -> str | None:
    """The API key from ``Authorization: Bearer <key>`` or ``X-API-Key``, if any."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if not authorization or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <key>'")
    return token.strip()


def require_role(principal: Principal, role: Role) -> None:
    """Raise PermissionDeniedError unless the principal holds `role` or a higher one."""
    if ROLE_RANK[principal.role] < ROLE_RANK[role]:
        raise PermissionDeniedError(f"this needs the {role} role; the caller is a {principal.role}")


def can_see(principal: Principal, groups: list[str]) -> bool:
    """Whether a document with these access groups is visible to the principal."""
    return not groups or not set(groups).isdisjoint(principal.access())


def local_key_path(settings: Settings) -> Path:
    """Where the running service leaves its local admin key."""
    return settings.data_dir / LOCAL_KEY_FILE


def read_local_key(path: Path) -> str | None:
    """The local key, or None when no service left one there."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def issue_local_key(keys: KeyStore, path: Path) -> ApiKeyEntry:
    """Revoke the key a previous run left at `path`, then store and write a new one (0600)."""
    previous = read_local_key(path)
    stale = keys.find(previous) if previous else None
    if stale is not None and stale.label == LOCAL_KEY_LABEL and stale.active:
        keys.revoke(stale.id)
    entry, plain = keys.create(LOCAL_KEY_USER, [], "admin", label=LOCAL_KEY_LABEL)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(plain + "\n")
    log.info("local admin key issued", extra={"key_id": entry.id, "path": str(path)})
    return entry


def retire_local_key(keys: KeyStore, entry: ApiKeyEntry, path: Path) -> None:
    """Revoke the local key and remove its file (if it still holds this key)."""
    keys.revoke(entry.id)
    current = read_local_key(path)
    if current and current.startswith(entry.prefix):
        with contextlib.suppress(OSError):
            path.unlink()
