"""KeyStore: keys stored as hashes, authenticated, listed and revoked."""

from __future__ import annotations

import pytest

from core.db import Database, KeyStore, hash_key
from core.db.tables import ApiKeyRecord
from core.errors import NotFoundError


@pytest.fixture
def keys(db: Database) -> KeyStore:
    """The key store on the test database."""
    return KeyStore(db)


def test_a_created_key_is_returned_once_and_stored_as_its_hash(
    keys: KeyStore, db: Database
) -> None:
    entry, plain = keys.create("alice", ["hr", " finance", "hr", ""], "admin", label="laptop")
    assert plain.startswith("wc_") and len(plain) >= 43
    assert (entry.user_id, entry.groups, entry.role, entry.label) == (
        "alice",
        ["finance", "hr"],
        "admin",
        "laptop",
    )
    assert entry.active and entry.last_used is None and entry.created.tzinfo is not None
    assert plain.startswith(entry.prefix) and len(entry.prefix) < 16
    with db.session() as session:
        stored = session.get(ApiKeyRecord, entry.id)
        assert stored is not None and stored.key_hash == hash_key(plain)
        assert plain not in {stored.key_hash, stored.prefix}
    _, other = keys.create("alice", [], "reader")
    assert other != plain


def test_authenticate_accepts_active_keys_only(keys: KeyStore) -> None:
    entry, plain = keys.create("bob", ["sales"], "reader")
    seen = keys.authenticate(plain)
    assert seen is not None and seen.id == entry.id and seen.last_used is not None
    assert keys.authenticate(plain + "x") is None
    assert keys.authenticate("") is None
    revoked = keys.revoke(entry.id)
    assert not revoked.active and revoked.revoked is not None
    assert keys.authenticate(plain) is None
    assert keys.find(plain) == revoked  # still known, never accepted
    assert keys.revoke(entry.id).revoked == revoked.revoked  # revoking twice keeps the time


def test_list_get_and_unknown_keys(keys: KeyStore) -> None:
    first, _ = keys.create("a", [], "reader")
    second, _ = keys.create("b", [], "trainer")
    keys.revoke(first.id)
    assert [k.id for k in keys.list()] == [second.id, first.id]
    assert [k.id for k in keys.list(include_revoked=False)] == [second.id]
    assert [k.id for k in keys.list(limit=1, offset=1)] == [first.id]
    assert keys.get(second.id).role == "trainer"
    with pytest.raises(NotFoundError):
        keys.get("missing")
    with pytest.raises(NotFoundError):
        keys.revoke("missing")


def test_ensure_stores_a_given_key_once(keys: KeyStore) -> None:
    plain = "wc_a-bootstrap-key-from-the-environment"
    first = keys.ensure(plain, "admin")
    assert (first.user_id, first.role, first.label) == ("admin", "admin", "bootstrap")
    assert keys.ensure(plain, "someone-else") == first
    assert keys.authenticate(plain) is not None


def test_invalid_keys_are_refused(keys: KeyStore) -> None:
    with pytest.raises(ValueError, match="role"):
        keys.create("x", [], "root")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="user id"):
        keys.create("  ", [], "reader")
