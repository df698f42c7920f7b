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

Besides keys (auth settings, either or both; keys keep working beside them, for scripts):

    OIDC     ``Authorization: Bearer <JWT>`` from the company's identity provider (core/oidc.py)
    proxy    ``X-Forwarded-Email`` / ``X-Forwarded-Groups`` set by a reverse proxy that signed
             the user in; accepted only from `auth.trusted_proxies` (an address or CIDR). From
             any other address such headers are refused (401), never silently trusted.

Either way the caller is the email, mapped to the directory person with that email, in the
groups sent; `auth.admin_groups` / `auth.trainer_groups` give roles. A credential sent with
the request (key or token) wins over proxy headers.

The service also issues a *local key*: an admin key written to ``<data_dir>/service.key``
(mode 0600) while it runs, so CLIs on the same machine (``python -m ingest``) can reach its
admin endpoints without anyone handling keys; it is revoked at shutdown.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.api import looks_like_jwt
from core.config import AuthSettings, Settings
from core.db.keys import ApiKeyEntry, KeyStore
from core.db.people import PeopleStore
from core.errors import AuthenticationError, PermissionDeniedError
from core.oidc import TokenVerifier
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


@dataclass(frozen=True)
class Forwarded:
    """A reverse proxy's identity headers and the address they came from."""

    email: str | None
    groups: str | None
    client: str | None  # the connecting address (None when the server does not know it)


class Authenticator:
    """Turns the key a caller sent (or its absence) into a Principal."""

    def __init__(
        self,
        mode: AuthMode,
        keys: KeyStore,
        people: PeopleStore | None = None,
        sign_in: AuthSettings | None = None,
    ) -> None:
        self.mode = mode
        self.keys = keys
        self.people = people
        self.sign_in = sign_in or AuthSettings()
        self.tokens = TokenVerifier(self.sign_in) if self.sign_in.oidc_issuer else None
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in self.sign_in.trusted_proxies]

    def authenticate(
        self,
        key: str | None,
        demo_person: str | None = None,
        forwarded: Forwarded | None = None,
    ) -> Principal:
        """The caller's principal; raises AuthenticationError when it cannot be established."""
        if key and self.tokens is not None and looks_like_jwt(key):
            identity = self.tokens.verify(key)
            return self._signed_in(identity.email, identity.groups)
        if not key and forwarded is not None and self.proxied(forwarded):
            groups = [g.strip() for g in (forwarded.groups or "").split(",") if g.strip()]
            return self._signed_in(str(forwarded.email), groups)
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

    def proxied(self, forwarded: Forwarded) -> bool:
        """Whether the request carries a trusted proxy's identity (401 if untrusted)."""
        if not self.proxies or not (forwarded.email or forwarded.groups):
            return False  # no proxy configured: the headers mean nothing here
        if not _within(forwarded.client, self.proxies):
            log.warning(
                "proxy headers from an untrusted address", extra={"client": forwarded.client}
            )
            raise AuthenticationError(
                f"{self.sign_in.proxy_email_header} is accepted only from a trusted proxy; "
                f"this request came from {forwarded.client or 'an unknown address'}"
            )
        if not forwarded.email or "@" not in forwarded.email:
            raise AuthenticationError(
                f"the proxy sent no email in {self.sign_in.proxy_email_header}"
            )
        return True

    def _signed_in(self, email: str, groups: list[str]) -> Principal:
        """A caller the provider or the proxy vouched for: the email's directory person."""
        email = email.strip().lower()
        person = self.people.by_email(email) if self.people else None
        person_id = person.id if person is not None and person.in_directory else None
        return Principal(user_id=email, groups=groups, role=self._role(groups), person_id=person_id)

    def _role(self, groups: list[str]) -> Role:
        """The highest role the groups give (auth.admin_groups, auth.trainer_groups)."""
        held = set(groups)
        if held & set(self.sign_in.admin_groups):
            return "admin"
        if held & set(self.sign_in.trainer_groups):
            return "trainer"
        return "reader"

    def _demo(self, person_id: str) -> Principal:
        """Open mode's demo identity: a public-content reader acting as a directory person."""
        person = self.people.get_many([person_id]).get(person_id) if self.people else None
        if person is None or not person.in_directory:
            raise AuthenticationError(f"no directory person {person_id!r} for a demo identity")
        return Principal(user_id=person.id, person_id=person.id, demo=True)


def _within(
    address: str | None, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    """Whether an address lies in one of the networks (an unparsable one never does)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


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
