"""OIDC sign-in: tokens minted here, verified by the service against a JWKS served on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.api import looks_like_jwt
from core.config import AuthSettings
from core.embedding import Embedder
from core.errors import AuthenticationError, ConfigError
from core.oidc import TokenVerifier
from service.main import create_app
from tests.service.conftest import RESTRICTED_TITLE, components, ingest, make_settings
from tests.service.oidc_provider import AUDIENCE, Provider, new_key, serve


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The identity provider on a loopback port."""
    yield from serve()


@pytest.fixture(scope="module")
def oidc_client(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, provider: Provider
) -> Iterator[TestClient]:
    """Keys mode with OIDC beside keys; the JWKS found through the issuer's discovery."""
    settings = make_settings(
        tmp_path_factory.mktemp("oidc-data"),
        service={"auth_mode": "keys"},
        auth=provider.settings(admin_groups=["wc-admins"], trainer_groups=["wc-trainers"]),
    )
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(client: TestClient, token: str) -> str:
    """The 401's message for a token."""
    response = client.get("/me", headers=bearer(token))
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "unauthenticated"
    return str(body["detail"])


def test_a_valid_token_is_the_directory_person_of_its_email(
    oidc_client: TestClient, provider: Provider
) -> None:
    me = oidc_client.get("/me", headers=bearer(provider.token("Ana.Silva@example.com", ["hr"])))
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["user_id"] == "ana.silva@example.com"
    assert body["role"] == "reader" and body["groups"] == ["hr"]
    assert body["person"]["name"] == "Ana Silva"


def test_an_email_outside_the_directory_signs_in_without_a_person(
    oidc_client: TestClient, provider: Provider
) -> None:
    body = oidc_client.get("/me", headers=bearer(provider.token("new@example.com"))).json()
    assert body["user_id"] == "new@example.com" and body["person"] is None


def test_groups_give_roles(oidc_client: TestClient, provider: Provider) -> None:
    admin = bearer(provider.token("root@example.com", ["wc-admins"]))
    assert oidc_client.get("/me", headers=admin).json()["role"] == "admin"
    assert oidc_client.get("/ingest/jobs", headers=admin).status_code == 200
    trainer = bearer(provider.token("t@example.com", ["wc-trainers"]))
    assert oidc_client.get("/me", headers=trainer).json()["role"] == "trainer"
    reader = bearer(provider.token("r@example.com", ["staff"]))
    assert oidc_client.get("/ingest/jobs", headers=reader).status_code == 403


def test_the_groups_claim_decides_what_a_token_may_see(
    oidc_client: TestClient, provider: Provider
) -> None:
    query = {"q": "Project Heron merit budget"}
    hr = oidc_client.get("/search", params=query, headers=bearer(provider.token(groups=["hr"])))
    other = oidc_client.get("/search", params=query, headers=bearer(provider.token(groups=[])))
    assert hr.status_code == other.status_code == 200
    titles = {p["title"] for p in hr.json()["passages"]}
    assert RESTRICTED_TITLE in titles
    assert RESTRICTED_TITLE not in other.text


def test_api_keys_still_work_beside_tokens(oidc_client: TestClient) -> None:
    _, key = components(oidc_client).keys.create("script", [], "reader")
    me = oidc_client.get("/me", headers=bearer(key))
    assert me.status_code == 200 and me.json()["user_id"] == "script"
    assert oidc_client.get("/me").status_code == 401  # keys mode: nothing sent, nothing seen


def test_an_expired_token_is_refused(oidc_client: TestClient, provider: Provider) -> None:
    assert "expired" in refused(oidc_client, provider.token(expires_in=-3600))


def test_a_token_for_another_audience_is_refused(
    oidc_client: TestClient, provider: Provider
) -> None:
    assert "audience" in refused(oidc_client, provider.token(aud="another-app"))


def test_a_token_of_another_issuer_is_refused(oidc_client: TestClient, provider: Provider) -> None:
    message = refused(oidc_client, provider.token(iss="https://evil.example.com"))
    assert "not issued by" in message and provider.issuer in message


def test_a_forged_signature_is_refused(oidc_client: TestClient, provider: Provider) -> None:
    forged = provider.token(groups=["wc-admins"], key=new_key())  # the provider's kid, not key
    assert "signature does not verify" in refused(oidc_client, forged)


def test_an_unknown_key_id_is_refused(oidc_client: TestClient, provider: Provider) -> None:
    message = refused(oidc_client, provider.token(kid="rotated-away"))
    assert "signing key" in message and "rotated-away" in message


def test_a_token_without_an_email_is_refused(oidc_client: TestClient, provider: Provider) -> None:
    assert "'email' claim" in refused(oidc_client, provider.token(email=None))


def test_a_malformed_token_is_refused(oidc_client: TestClient) -> None:
    assert "not a valid JWT" in refused(oidc_client, "eyJub3Q.anNvbg.c2ln")


def test_the_jwks_is_fetched_once_for_many_tokens(
    oidc_client: TestClient, provider: Provider
) -> None:
    for _ in range(3):
        assert oidc_client.get("/me", headers=bearer(provider.token())).status_code == 200
    assert provider.jwks_requests <= 2  # first use (+1 for the unknown-kid test's refetch)


def test_an_unreachable_jwks_is_a_clear_refusal(provider: Provider) -> None:
    verifier = TokenVerifier(
        AuthSettings(
            oidc_issuer=provider.issuer,
            oidc_audience=AUDIENCE,
            oidc_jwks_url=f"{dead_url()}/jwks",
            oidc_timeout_s=1,
        )
    )
    with pytest.raises(AuthenticationError, match="cannot be fetched"):
        verifier.verify(provider.token())


def test_a_missing_discovery_document_is_a_clear_refusal(provider: Provider) -> None:
    verifier = TokenVerifier(
        AuthSettings(oidc_issuer=dead_url(), oidc_audience=AUDIENCE, oidc_timeout_s=1)
    )
    with pytest.raises(AuthenticationError, match="discovery document"):
        verifier.verify(provider.token())


def test_settings_need_an_audience_with_an_issuer(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="oidc_audience"):
        make_settings(tmp_path, auth={"oidc_issuer": "https://id.example.com"})
    with pytest.raises(ConfigError, match="trusted_proxies"):
        make_settings(tmp_path, auth={"trusted_proxies": ["not-an-address"]})


def test_only_jwts_are_taken_for_tokens(provider: Provider) -> None:
    assert looks_like_jwt(provider.token())
    assert not looks_like_jwt("wc_abcdef.ghij")
    assert not looks_like_jwt("eyJ..")
