"""The one place where errors become HTTP responses.

    NotFoundError              404  (also for documents the caller may not see)
    AuthenticationError        401  (with WWW-Authenticate: Bearer)
    PermissionDeniedError      403
    JobRunningError            409
    ConfigError, SourceError   400  with the message
    DatasetError               400  with the file and line
    request validation         422  with one readable message per field
    a body over the size limit 413
    IndexMismatchError         503  with the reason (re-index)
    VectorIndexError           503  with the reason
    StorageError               503  with the reason (no password: the db layer redacts)
    EmbeddingError             503  with the reason
    GenerationTimeout          504
    GenerationError, JudgeError  502
    another WatercoolerError   500  with its message
    anything else              500  with a generic message and a reference; traceback logged

Every body is JSON: ``{"error": <code>, "detail": <message>}`` (+ ``errors`` for 422); the
code is the error type's `code` (core/errors.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import (
    INTERNAL,
    AuthenticationError,
    ConfigError,
    DatasetError,
    EmbeddingError,
    GenerationError,
    GenerationTimeout,
    JobRunningError,
    JudgeError,
    NotFoundError,
    PermissionDeniedError,
    SourceError,
    StorageError,
    VectorIndexError,
    WatercoolerError,
)

log = logging.getLogger(__name__)

# Subclasses share their base's status unless listed before it (GenerationTimeout).
HTTP_STATUS: tuple[tuple[type[WatercoolerError], int], ...] = (
    (NotFoundError, 404),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (JobRunningError, 409),
    (ConfigError, 400),
    (SourceError, 400),
    (DatasetError, 400),
    (VectorIndexError, 503),
    (StorageError, 503),
    (EmbeddingError, 503),
    (GenerationTimeout, 504),
    (GenerationError, 502),
    (JudgeError, 502),
)


class ErrorBody(BaseModel):
    """What every error response carries."""

    error: str
    detail: str


class FieldError(BaseModel):
    """One invalid request field."""

    field: str
    message: str


class ValidationErrorBody(ErrorBody):
    """A 422 response: the summary and each invalid field."""

    errors: list[FieldError]


def error_status(exc: WatercoolerError) -> tuple[int, str]:
    """HTTP status and error code for a Watercooler error."""
    for kind, status in HTTP_STATUS:
        if isinstance(exc, kind):
            return status, exc.code
    return 500, exc.code


def error_payload(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """Status and JSON body for any exception (unexpected ones are logged here)."""
    if isinstance(exc, WatercoolerError):
        status, code = error_status(exc)
        level = logging.WARNING if status >= 500 else logging.INFO
        log.log(
            level, "request failed", extra={"status": status, "error": code, "reason": str(exc)}
        )
        return status, {"error": code, "detail": str(exc)}
    reference = uuid.uuid4().hex[:12]
    log.error("unexpected error", exc_info=exc, extra={"reference": reference})
    return 500, {
        "error": INTERNAL,
        "detail": f"internal server error (reference {reference}; see the service log)",
    }


def readable_errors(errors: Sequence[Any]) -> list[FieldError]:
    """Pydantic's error list as field paths with messages."""
    out = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body",)]
        out.append(FieldError(field=".".join(loc) or "body", message=str(err.get("msg", ""))))
    return out


async def _watercooler_error(request: Request, exc: Exception) -> JSONResponse:
    status, body = error_payload(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = readable_errors(exc.errors())
    detail = "; ".join(f"{f.field}: {f.message}" for f in fields) or "invalid request"
    body = ValidationErrorBody(error="validation_error", detail=detail, errors=fields)
    return JSONResponse(body.model_dump(), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "too_large" if exc.status_code == 413 else "http_error"
    body = {"error": code, "detail": str(exc.detail)}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


class UnexpectedErrorMiddleware:
    """Answers 500 with a generic JSON body for any exception the handlers did not map."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; turn an escaped exception into a 500 unless the response started."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            status, body = error_payload(exc)
            if started:  # too late for a status: let the server drop the connection
                raise
            await JSONResponse(body, status_code=status)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Register the mappings above on the app."""
    app.add_exception_handler(WatercoolerError, _watercooler_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(UnexpectedErrorMiddleware)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid request (e.g. an unavailable generator)"},
    401: {"model": ErrorBody, "description": "Missing, unknown or revoked API key"},
    403: {"model": ErrorBody, "description": "The caller's role is too low"},
    422: {"model": ValidationErrorBody, "description": "Invalid request fields"},
    503: {"model": ErrorBody, "description": "Index or database unavailable (reason given)"},
}
