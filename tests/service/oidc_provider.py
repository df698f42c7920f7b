"""A local OIDC provider for tests: RSA keys, a discovery document and a JWKS over real HTTP.

It serves `/.well-known/openid-configuration` and `/jwks` on a loopback port and mints tokens
signed with its key (or any other key, to forge one), so the service verifies them exactly as
it would a real provider's.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

AUDIENCE = "watercooler-test"
KID = "test-key-1"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    """An identity provider on 127.0.0.1: its issuer URL, its key, the tokens it signs."""

    def __init__(self) -> None:
        self.key = new_key()
        self.jwks_requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": f"{provider.issuer}/jwks"}
                elif self.path == "/jwks":
                    provider.jwks_requests += 1
                    body = provider.jwks()
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def jwks(self) -> dict[str, Any]:
        """The public half of the provider's key as a JWK set."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def token(
        self,
        email: str | None = "ana.silva@example.com",
        groups: list[str] | None = None,
        *,
        expires_in: float = 300,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        **claims: Any,
    ) -> str:
        """A signed token; override claims (aud, iss, ...) or the key to make a bad one."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": email or "someone",
            "iat": now,
            "exp": now + int(expires_in),
            "groups": groups or [],
        }
        if email is not None:
            payload["email"] = email
        payload.update(claims)
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid})

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The `auth` settings that trust this provider."""
        return {"oidc_issuer": self.issuer, "oidc_audience": AUDIENCE, **extra}

    def __enter__(self) -> Provider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def serve() -> Iterator[Provider]:
    """A running provider (for a fixture)."""
    with Provider() as provider:
        yield provider
