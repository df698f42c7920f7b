"""What every request must satisfy before it is routed, and how a path is matched.

- a body over `service.max_body_bytes`: 413 before it is read (a larger declared Content-Length
  at once, a streamed body as soon as its bytes pass the limit);
- a control character in the path or the query string: 422 (no parameter gives one a meaning);
- a trailing slash: the same route as without it, never a redirect.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.api import CONTROL_CHARACTERS
from service.errors import FieldError, ValidationErrorBody

_MESSAGE = "control characters (such as NUL) are not allowed"


class BodyTooLarge(HTTPException):
    """The request body passed the limit (413); raised while the app reads it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes")


class BodyLimit:
    """Refuses request bodies over `limit` bytes before the app reads or parses them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as the app receives them."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:  # the server checks the syntax
            body = {"error": "too_large", "detail": BodyTooLarge(self.limit).detail}
            await JSONResponse(body, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # the error handlers answer 413 (FastAPI re-raises it)
                raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


class RequestGuard:
    """Refuses control characters in the URL (422) and drops a trailing slash from the path.

    Dropping the slash instead of redirecting means no Location header is ever built from
    the request's Host header, and `/people/` answers like `/people`.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the URL, normalise the path, then run the app."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = url_problem(scope)
        if field is not None:
            body = ValidationErrorBody(
                error="validation_error",
                detail=f"{field}: {_MESSAGE}",
                errors=[FieldError(field=field, message=_MESSAGE)],
            )
            await JSONResponse(body.model_dump(), status_code=422)(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope = dict(scope, path=path.rstrip("/") or "/")
            raw = scope.get("raw_path")
            if raw:
                scope["raw_path"] = raw.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def url_problem(scope: Scope) -> str | None:
    """The field (`path` or `query.<name>`) that holds a control character, if any."""
    if CONTROL_CHARACTERS.search(scope["path"]):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if not _ENCODED_CONTROL.search(query) and not CONTROL_CHARACTERS.search(query):
        return None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if CONTROL_CHARACTERS.search(name):
            return "query"
        if CONTROL_CHARACTERS.search(value):
            return f"query.{name[:40]}"
    return None


# %00-%1F and %7F, however the hex digits are cased: the cheap test before decoding.
_ENCODED_CONTROL = re.compile(r"%(?:[01][0-9a-fA-F]|7[fF])")
