"""Authentication and roles: open mode, keys mode, the admin key endpoints and the key CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.auth import local_key_path, read_local_key
from core.db import hash_key
from core.embedding import Embedder
from service.__main__ import main as service_cli
from service.main import create_app
from tests.service.conftest import Callers, components, make_settings

BOOTSTRAP = "wc_bootstrap-admin-key-for-the-tests-0123456789"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The keys-mode app's data directory (nothing ingested: auth needs no content)."""
    return tmp_path_factory.mktemp("keys-mode")


@pytest.fixture(scope="module")
def keys_client(data_dir: Path, embedder: Embedder) -> Iterator[TestClient]:
    """An app in keys mode whose first admin key comes from the settings."""
    settings = make_settings(
        data_dir, service={"auth_mode": "keys", "bootstrap_admin_key": BOOTSTRAP}
    )
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {key}"}


BOOT = bearer(BOOTSTRAP)


def test_keys_mode_requires_a_valid_key(keys_client: TestClient) -> None:
    missing = keys_client.get("/people")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "API key is required" in missing.json()["detail"]
    for headers in (
        bearer("wc_not-a-key"),
        {"X-API-Key": "wc_not-a-key"},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        {"Authorization": "Bearer "},
    ):
        response = keys_client.get("/people", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"] == "unauthenticated"
    assert keys_client.get("/people", headers=BOOT).status_code == 200
    assert keys_client.get("/health").status_code == 200  # health needs no key


def test_admins_create_list_and_revoke_keys(keys_client: TestClient) -> None:
    created = keys_client.post(
        "/admin/keys",
        json={"user_id": "dana", "groups": ["hr", "finance"], "role": "reader", "label": "UI"},
        headers=BOOT,
    )
    assert created.status_code == 201
    key = created.json()
    assert key["key"].startswith("wc_") and len(key["key"]) > 40
    assert key["key"].startswith(key["prefix"]) and key["active"]
    stored = components(keys_client).keys.get(key["id"])
    assert stored.groups == ["finance", "hr"] and stored.role == "reader"
    # only the hash is stored
    assert components(keys_client).keys.find(key["key"]) == stored
    assert hash_key(key["key"]) != key["key"]

    assert keys_client.get("/people", headers={"X-API-Key": key["key"]}).status_code == 200
    listed = keys_client.get("/admin/keys", headers=BOOT).json()
    mine = next(k for k in listed if k["id"] == key["id"])
    assert "key" not in mine and mine["last_used"] is not None

    revoked = keys_client.delete(f"/admin/keys/{key['id']}", headers=BOOT)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert keys_client.get("/people", headers={"X-API-Key": key["key"]}).status_code == 401
    assert keys_client.delete("/admin/keys/nope", headers=BOOT).status_code == 404
    active = keys_client.get("/admin/keys", params={"include_revoked": False}, headers=BOOT)
    assert key["id"] not in [k["id"] for k in active.json()]


def test_a_reader_may_not_use_admin_endpoints(keys_client: TestClient) -> None:
    _, reader = components(keys_client).keys.create("erin", [], "reader")
    _, trainer = components(keys_client).keys.create("finn", [], "trainer")
    for key in (reader, trainer):
        for method, path, body in (
            ("POST", "/admin/keys", {"user_id": "x"}),
            ("GET", "/admin/keys", None),
            ("DELETE", "/admin/keys/anything", None),
            ("POST", "/ingest/jobs", {}),
            ("GET", "/ingest/jobs", None),
            ("GET", "/ingest/jobs/anything", None),
        ):
            response = keys_client.request(method, path, json=body, headers=bearer(key))
            assert response.status_code == 403, (method, path)
            assert response.json()["error"] == "forbidden"
    assert keys_client.get("/people", headers=bearer(reader)).status_code == 200


def test_invalid_key_requests_are_422(keys_client: TestClient) -> None:
    for body in ({"user_id": ""}, {"user_id": "a b"}, {"user_id": "x", "role": "root"}):
        response = keys_client.post("/admin/keys", json=body, headers=BOOT)
        assert response.status_code == 422, body


def test_the_service_leaves_a_local_admin_key_for_clis(keys_client: TestClient) -> None:
    settings = components(keys_client).settings
    key = read_local_key(local_key_path(settings))
    assert key is not None
    assert keys_client.get("/admin/keys", headers=bearer(key)).status_code == 200
    assert local_key_path(settings).stat().st_mode & 0o077 == 0  # owner-only


def test_the_cli_creates_keys_the_service_accepts(
    keys_client: TestClient,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", str(data_dir))
    code = service_cli(
        ["keys", "create", "--user", "gus", "--groups", "hr,finance", "--role", "admin"]
    )
    assert code == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("wc_")
    assert keys_client.get("/admin/keys", headers=bearer(key)).status_code == 200
    entry = components(keys_client).keys.find(key)
    assert entry is not None and entry.groups == ["finance", "hr"] and entry.role == "admin"

    assert service_cli(["keys", "list"]) == 0
    assert "gus" in capsys.readouterr().out
    assert service_cli(["keys", "revoke", entry.id]) == 0
    assert keys_client.get("/admin/keys", headers=bearer(key)).status_code == 401
    assert service_cli(["keys", "revoke", "no-such-key"]) == 1


def test_open_mode_readers_are_anonymous_but_keys_are_honoured(
    client: TestClient, callers: Callers
) -> None:
    assert client.get("/people").status_code == 200
    assert client.get("/admin/keys").status_code == 403  # anonymous is a reader
    assert client.get("/admin/keys", headers=callers.admin).status_code == 200
    assert client.get("/people", headers=bearer("wc_wrong")).status_code == 401
