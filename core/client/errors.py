"""The client's errors: one per way a call to the service can fail.

ClientError              base; `str()` is a message fit for the user, `code` the service's
                         error code (core/errors.py) when it sent one
  ServiceUnavailable     nothing answers at the URL (refused, timed out, not HTTP)
  Unauthorized           401: no key where one is needed, or the key was refused
  Forbidden              403: the key's role may not do this
  NotFound               404
  BadRequest             400 / 422: the service's message about the request
  Conflict               409: e.g. an ingestion job is already running
  ServiceError           5xx: the service answered but failed (its reason)
"""

from __future__ import annotations

import httpx


class ClientError(Exception):
    """A call to the service failed; the message says why in the user's terms."""

    status: int | None = None

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if status is not None:
            self.status = status


class ServiceUnavailable(ClientError):
    """Nothing (or nothing that speaks HTTP) answers at the service URL."""


class Unauthorized(ClientError):
    """401: an API key is needed, or the one sent was refused."""

    status = 401


class Forbidden(ClientError):
    """403: the caller's role may not do this."""

    status = 403


class NotFound(ClientError):
    """404: no such thing (or one the caller may not see)."""

    status = 404


class BadRequest(ClientError):
    """400 / 422: the service refused the request; the message is its reason."""


class Conflict(ClientError):
    """409: the service is busy with a conflicting operation."""

    status = 409


class ServiceError(ClientError):
    """5xx: the service answered but could not do it."""


def _detail(response: httpx.Response) -> tuple[str, str | None]:
    """The service's error message and code (`detail`, `error` of its JSON body)."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase, None
    if not isinstance(body, dict):
        return response.reason_phrase, None
    code = str(body["error"]) if body.get("error") else None
    return str(body.get("detail") or response.reason_phrase), code


def raise_for(response: httpx.Response) -> None:
    """Raise the error matching a non-2xx response."""
    status = response.status_code
    if status < 400:
        return
    detail, code = _detail(response)
    if status == 401:
        raise Unauthorized(f"Your API key was refused: {detail}", code=code)
    if status == 403:
        raise Forbidden(f"Your role may not do this: {detail}", code=code)
    if status == 404:
        raise NotFound(detail, code=code)
    if status == 409:
        raise Conflict(detail, code=code)
    if status in (400, 422):
        raise BadRequest(detail, status, code)
    raise ServiceError(f"The service failed ({status}): {detail}", status, code)
