"""API keys: created once (the plain key is shown to its owner only then), stored as sha256.

A key is ``wc_`` followed by 32 random bytes (`secrets.token_urlsafe`); a sha256 of the full
key finds it again. Each key stands for a user with access groups and a role, and can be
revoked (kept, marked, never accepted again).
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from core.db.engine import Database, paginate, utcnow
from core.db.tables import ApiKeyRecord
from core.errors import NotFoundError
from core.schema import Role

log = logging.getLogger(__name__)

KEY_PREFIX = "wc_"
ROLES: tuple[Role, ...] = ("reader", "trainer", "admin")
_SHOWN_PREFIX = 10  # characters of the key kept to tell keys apart ("wc_" + 7)
_LAST_USED_EVERY = timedelta(minutes=1)  # coarser last_used: no write on every request


@dataclass(frozen=True)
class ApiKeyEntry:
    """An API key as stored (never the key itself)."""

    id: str
    prefix: str
    user_id: str
    groups: list[str]
    role: Role
    label: str | None
    created: datetime
    last_used: datetime | None
    revoked: datetime | None
    person_id: str | None = None  # the directory person the key stands for

    @property
    def active(self) -> bool:
        """Whether the key is still accepted."""
        return self.revoked is None


def generate_key() -> str:
    """A new random API key, ``wc_...``."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(plain: str) -> str:
    """The sha256 (hex) under which a key is stored."""
    return hashlib.sha256(plain.encode()).hexdigest()


class KeyStore:
    """Creates, finds and revokes API keys; every method is one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self,
        user_id: str,
        groups: builtins.list[str],
        role: Role,
        label: str | None = None,
        plain: str | None = None,
        person_id: str | None = None,
    ) -> tuple[ApiKeyEntry, str]:
        """Store a new key (a random one unless `plain` is given); returns it with its entry."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not user_id.strip():
            raise ValueError("an API key needs a user id")
        plain = plain or generate_key()
        record = ApiKeyRecord(
            id=uuid.uuid4().hex[:16],
            key_hash=hash_key(plain),
            prefix=plain[:_SHOWN_PREFIX],
            user_id=user_id.strip(),
            person_id=person_id,
            groups=sorted({g.strip() for g in groups if g.strip()}),
            role=role,
            label=label,
            created=utcnow(),
            last_used=None,
            revoked=None,
        )
        with self._db.session("create api key") as session:
            session.add(record)
            session.flush()
            entry = _entry(record)
        log.info(
            "api key created",
            extra={"key_id": entry.id, "user_id": entry.user_id, "role": entry.role},
        )
        return entry, plain

    def ensure(self, plain: str, user_id: str, role: Role = "admin") -> ApiKeyEntry:
        """The entry of this key, created for `user_id` with `role` if it is not stored yet."""
        entry = self.find(plain)
        if entry is None:
            entry, _ = self.create(user_id, [], role, label="bootstrap", plain=plain)
        return entry

    def find(self, plain: str) -> ApiKeyEntry | None:
        """The entry of this key, revoked or not, or None if it was never stored."""
        with self._db.session("find api key") as session:
            record = session.scalar(
                select(ApiKeyRecord).where(ApiKeyRecord.key_hash == hash_key(plain))
            )
            return _entry(record) if record else None

    def authenticate(self, plain: str) -> ApiKeyEntry | None:
        """The active key's entry (last_used refreshed), or None for unknown or revoked keys."""
        now = utcnow()
        with self._db.session("authenticate api key") as session:
            record = session.scalar(
                select(ApiKeyRecord).where(ApiKeyRecord.key_hash == hash_key(plain))
            )
            if record is None or record.revoked is not None:
                return None
            if record.last_used is None or now - record.last_used >= _LAST_USED_EVERY:
                record.last_used = now
            return _entry(record)

    def get(self, key_id: str) -> ApiKeyEntry:
        """The key with this id."""
        with self._db.session("get api key") as session:
            record = session.get(ApiKeyRecord, key_id)
            if record is None:
                raise NotFoundError(f"api key {key_id!r} not found")
            return _entry(record)

    def list(
        self, include_revoked: bool = True, limit: int = 100, offset: int = 0
    ) -> builtins.list[ApiKeyEntry]:
        """Keys, newest first."""
        stmt = select(ApiKeyRecord).order_by(ApiKeyRecord.created.desc(), ApiKeyRecord.id)
        if not include_revoked:
            stmt = stmt.where(ApiKeyRecord.revoked.is_(None))
        with self._db.session("list api keys") as session:
            return [_entry(r) for r in session.scalars(paginate(stmt, limit, offset))]

    def revoke(self, key_id: str) -> ApiKeyEntry:
        """Revoke a key (revoking twice keeps the first time)."""
        with self._db.session("revoke api key") as session:
            record = session.get(ApiKeyRecord, key_id)
            if record is None:
                raise NotFoundError(f"api key {key_id!r} not found")
            if record.revoked is None:
                record.revoked = utcnow()
            entry = _entry(record)
        log.info("api key revoked", extra={"key_id": key_id, "user_id": entry.user_id})
        return entry


def _entry(r: ApiKeyRecord) -> ApiKeyEntry:
    return ApiKeyEntry(
        id=r.id,
        prefix=r.prefix,
        user_id=r.user_id,
        groups=list(r.groups),
        role=r.role,  # type: ignore[arg-type]  # stored from a Role
        label=r.label,
        created=r.created,
        last_used=r.last_used,
        revoked=r.revoked,
        person_id=r.person_id,
    )
