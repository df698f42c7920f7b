"""OIDC bearer tokens: a JWT signed by the identity provider, checked against its JWKS.

A token is accepted when its signature verifies with a key of the provider's JWKS (found by the
token's `kid`), it names the configured issuer and audience, it has not expired (with
`auth.oidc_leeway_s` of clock skew), and it carries an email. The caller is then who the email
says (core/auth.py maps it to the directory person), in the groups of `auth.oidc_groups_claim`.

The JWKS address is `auth.oidc_jwks_url`, or the `jwks_uri` of the issuer's discovery document
(`<issuer>/.well-known/openid-configuration`), fetched once. Keys are cached for five minutes;
a token with an unknown `kid` refetches the set once (the provider rotated its keys).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import httpx
import jwt

from core.config import AuthSettings
from core.errors import AuthenticationError

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_CACHE_S = 300


@dataclass(frozen=True)
class TokenIdentity:
    """What a verified token says about its bearer."""

    subject: str
    email: str
    groups: list[str]


class TokenVerifier:
    """Verifies the provider's tokens; one per service process (it caches the JWKS)."""

    def __init__(self, settings: AuthSettings) -> None:
        if not settings.oidc_issuer or not settings.oidc_audience:
            raise ValueError("OIDC needs auth.oidc_issuer and auth.oidc_audience")
        self.settings = settings
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def verify(self, token: str) -> TokenIdentity:
        """The token's identity; raises AuthenticationError saying why it was refused."""
        s = self.settings
        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=s.oidc_algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=s.oidc_leeway_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("the token has expired: sign in again") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthenticationError(
                f"the token is not for this service (its audience is not {self.audience!r})"
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthenticationError(
                f"the token was not issued by {self.issuer!r}, the configured provider"
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthenticationError("the token's signature does not verify") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"the token has no {exc.claim!r} claim") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise AuthenticationError(
                f"the token's algorithm is not one of {', '.join(s.oidc_algorithms)}"
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError(f"the token is not valid: {exc}") from exc
        return _identity(claims, s.oidc_email_claim, s.oidc_groups_claim)

    def _signing_key(self, token: str) -> jwt.PyJWK:
        """The JWKS key named by the token's `kid`."""
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.DecodeError as exc:
            raise AuthenticationError(f"the bearer token is not a valid JWT: {exc}") from exc
        try:
            return self._client().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("cannot fetch the JWKS", extra={"issuer": self.issuer, "error": str(exc)})
            raise AuthenticationError(
                "the identity provider's signing keys cannot be fetched; try again later"
            ) from exc
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise AuthenticationError(
                f"the token's signing key (kid {kid!r}) is not one of the identity provider's"
            ) from exc

    def _client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                url = self.settings.oidc_jwks_url or self._discover()
                self._jwks = jwt.PyJWKClient(
                    url,
                    cache_keys=False,  # the JWK set is cached; it is refetched for a new kid
                    lifespan=JWKS_CACHE_S,
                    timeout=int(max(1, self.settings.oidc_timeout_s)),
                )
            return self._jwks

    def _discover(self) -> str:
        """The `jwks_uri` of the issuer's discovery document."""
        url = self.issuer.rstrip("/") + DISCOVERY_PATH
        try:
            response = httpx.get(url, timeout=self.settings.oidc_timeout_s)
            response.raise_for_status()
            jwks_uri = response.json().get("jwks_uri")
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.warning("OIDC discovery failed", extra={"url": url, "error": str(exc)})
            raise AuthenticationError(
                "the identity provider's discovery document cannot be read; try again later"
            ) from exc
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise AuthenticationError(f"the discovery document at {url} names no jwks_uri")
        return jwks_uri


def _identity(claims: dict[str, object], email_claim: str, groups_claim: str) -> TokenIdentity:
    """The bearer's email and groups from verified claims."""
    email = claims.get(email_claim)
    if not isinstance(email, str) or "@" not in email:
        raise AuthenticationError(f"the token carries no {email_claim!r} claim with an email")
    raw = claims.get(groups_claim) or []
    groups = [raw] if isinstance(raw, str) else raw
    if not isinstance(groups, list):
        raise AuthenticationError(f"the token's {groups_claim!r} claim is not a list of groups")
    return TokenIdentity(
        subject=str(claims.get("sub") or email),
        email=email.strip().lower(),
        groups=sorted({str(g) for g in groups if str(g).strip()}),
    )
