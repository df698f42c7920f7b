"""Trusted reverse-proxy sign-in: X-Forwarded-Email/-Groups over real HTTP (uvicorn on loopback).

The service trusts the headers only from `auth.trusted_proxies`; a request from any other
address that carries them is refused, so nobody can claim an identity by sending a header.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import RESTRICTED_TITLE, LiveServer, ingest, make_settings

PROXY_AUTH = {"admin_groups": ["wc-admins"]}


def _server(data_dir: Path, embedder: Embedder, trusted: list[str]) -> LiveServer:
    settings = make_settings(
        data_dir, service={"auth_mode": "keys"}, auth={**PROXY_AUTH, "trusted_proxies": trusted}
    )
    ingest(settings, embedder)
    return LiveServer(create_app(settings, embedder=embedder))


@pytest.fixture(scope="module")
def behind_proxy(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[LiveServer]:
    """The service trusting loopback, where its proxy (these tests) connects from."""
    with _server(tmp_path_factory.mktemp("proxy-data"), embedder, ["127.0.0.1/32"]) as server:
        yield server


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[LiveServer]:
    """The service trusting only a proxy network these tests are not in."""
    with _server(tmp_path_factory.mktemp("proxy-far"), embedder, ["10.0.0.0/8"]) as server:
        yield server


def forwarded(email: str | None, groups: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-Email": email} if email is not None else {}
    return {**headers, **({"X-Forwarded-Groups": groups} if groups is not None else {})}


def test_a_trusted_proxy_signs_the_user_in(behind_proxy: LiveServer) -> None:
    me = httpx.get(
        f"{behind_proxy.url}/me", headers=forwarded("Chloe.Martin@example.com", "hr, staff")
    )
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["user_id"] == "chloe.martin@example.com" and body["groups"] == ["hr", "staff"]
    assert body["role"] == "reader" and body["person"]["name"] == "Chloe Martin"


def test_the_proxy_groups_decide_access_and_role(behind_proxy: LiveServer) -> None:
    query = {"q": "Project Heron merit budget"}
    hr = httpx.get(f"{behind_proxy.url}/search", params=query, headers=forwarded("a@x.org", "hr"))
    other = httpx.get(f"{behind_proxy.url}/search", params=query, headers=forwarded("b@x.org"))
    assert RESTRICTED_TITLE in {p["title"] for p in hr.json()["passages"]}
    assert RESTRICTED_TITLE not in other.text
    admin = forwarded("root@x.org", "wc-admins")
    assert httpx.get(f"{behind_proxy.url}/ingest/jobs", headers=admin).status_code == 200
    assert (
        httpx.get(f"{behind_proxy.url}/ingest/jobs", headers=forwarded("b@x.org")).status_code
        == 403
    )


def test_a_key_wins_over_proxy_headers(behind_proxy: LiveServer) -> None:
    _, key = behind_proxy.components.keys.create("script", [], "reader")
    headers = {"X-API-Key": key, **forwarded("root@x.org", "wc-admins")}
    assert httpx.get(f"{behind_proxy.url}/me", headers=headers).json()["user_id"] == "script"


def test_groups_without_an_email_are_refused(behind_proxy: LiveServer) -> None:
    response = httpx.get(f"{behind_proxy.url}/me", headers=forwarded(None, "wc-admins"))
    assert response.status_code == 401
    assert "no email in X-Forwarded-Email" in response.json()["detail"]


def test_without_headers_keys_mode_still_wants_a_key(behind_proxy: LiveServer) -> None:
    assert httpx.get(f"{behind_proxy.url}/me").status_code == 401
    health = httpx.get(f"{behind_proxy.url}/health").json()
    assert set(health) == {"status", "auth_mode"}  # no identity: the short answer
    signed = httpx.get(f"{behind_proxy.url}/health", headers=forwarded("a@x.org")).json()
    assert "counts" in signed


def test_headers_from_an_untrusted_address_are_refused(elsewhere: LiveServer) -> None:
    for path in ("/me", "/search?q=budget", "/health"):
        response = httpx.get(f"{elsewhere.url}{path}", headers=forwarded("root@x.org", "wc-admins"))
        assert response.status_code == 401, (path, response.text)
        assert "accepted only from a trusted proxy" in response.json()["detail"]
        assert "127.0.0.1" in response.json()["detail"]


def test_without_a_trusted_proxy_setting_the_headers_mean_nothing(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = make_settings(tmp_path / "data", service={"auth_mode": "open"})
    with LiveServer(create_app(settings, embedder=embedder)) as server:
        me = httpx.get(f"{server.url}/me", headers=forwarded("root@x.org", "wc-admins")).json()
    assert me["user_id"] == "anonymous" and me["role"] == "reader"
