"""The typed HTTP client of the Watercooler API, used by the UI and the ingest CLI.

http.py     WatercoolerClient: one method per endpoint, typed with core/api.py's bodies
errors.py   ClientError and one subclass per way a call fails
sse.py      the events of POST /ask/stream (TokenEvent ... DoneEvent) and their parser
filters.py  Filters: what a search or a question is narrowed to
"""

from core.client.errors import (
    BadRequest,
    ClientError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    ServiceUnavailable,
    Unauthorized,
)
from core.client.filters import Filters
from core.client.http import WatercoolerClient
from core.client.sse import CitationsEvent, DoneEvent, PeopleEvent, StreamEvent, TokenEvent

__all__ = [
    "BadRequest",
    "CitationsEvent",
    "ClientError",
    "Conflict",
    "DoneEvent",
    "Filters",
    "Forbidden",
    "NotFound",
    "PeopleEvent",
    "ServiceError",
    "ServiceUnavailable",
    "StreamEvent",
    "TokenEvent",
    "Unauthorized",
    "WatercoolerClient",
]
