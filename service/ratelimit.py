"""Per-caller rate limits (`service.rate_limit`, e.g. "120/minute") through the `limits` library.

A caller is its credential (API key or token, hashed: never kept in plain), else its proxy's
X-Forwarded-Email, else its address. Over the limit a request gets 429 with a message and
`Retry-After` (seconds until a slot frees), before any work is done. Health checks and /metrics
are never limited (probes and scrapers must not be starved by users).

Counts live in `service.rate_limit_storage`: `memory://` counts per process; with several API
processes or replicas point it at Redis (`redis://host:6379/3`) so they share one budget.
A storage that does not answer lets the request through (logged): a limit is a guard, not a
dependency the API should fall over with.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from core.config import AuthSettings, ServiceSettings
from core.errors import ConfigError

log = logging.getLogger(__name__)

NAMESPACE = "watercooler"
EXEMPT = ("/health", "/metrics")


def parse_limit(text: str) -> RateLimitItem:
    """The limit of a setting such as "120/minute"; ConfigError for a bad one."""
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(
            f"service.rate_limit {text!r} is not a rate: use e.g. '120/minute' or '10/second'"
        ) from exc


def caller_key(headers: Headers, client: str | None, email_header: str) -> str:
    """Who a request counts against: its credential, its proxy identity, or its address."""
    credential = headers.get("x-api-key") or headers.get("authorization")
    if credential:
        return "key:" + hashlib.sha256(credential.strip().encode()).hexdigest()[:24]
    email = headers.get(email_header)
    if email:
        return "user:" + email.strip().lower()
    return f"addr:{client or 'unknown'}"


class RateLimit:
    """Refuses a caller's requests over the limit (429 with Retry-After)."""

    def __init__(self, app: ASGIApp, service: ServiceSettings, auth: AuthSettings) -> None:
        if not service.rate_limit:
            raise ValueError("RateLimit needs service.rate_limit")
        self.app = app
        self.item = parse_limit(service.rate_limit)
        uri = service.rate_limit_storage
        options = {"implementation": "redispy"} if uri.startswith(("redis", "rediss")) else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(f"async+{uri}", **options))
        self.email_header = auth.proxy_email_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request against its caller; answer 429 when the budget is spent."""
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = caller_key(Headers(scope=scope), client[0] if client else None, self.email_header)
        try:
            allowed = await self.limiter.hit(self.item, NAMESPACE, key)
            retry = 0
            if not allowed:
                stats = await self.limiter.get_window_stats(self.item, NAMESPACE, key)
                retry = max(1, math.ceil(stats.reset_time - time.time()))
        except Exception as exc:  # any storage failure: let the request through
            log.warning("rate limit storage failed", extra={"error": repr(exc)})
            allowed = True
        if allowed:
            await self.app(scope, receive, send)
            return
        body = {
            "error": "rate_limited",
            "detail": f"too many requests: the limit is {self.item}; retry in {retry} s",
        }
        headers = {"Retry-After": str(retry)}
        await JSONResponse(body, status_code=429, headers=headers)(scope, receive, send)
