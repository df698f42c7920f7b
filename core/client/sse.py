"""Server-sent events of POST /ask/stream, read into typed events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import TypeAdapter

from core.api import AskResponse
from core.client.errors import BadRequest, ServiceError
from core.schema import Citation, Expert


@dataclass(frozen=True)
class TokenEvent:
    """A piece of the answer text as it is written."""

    text: str


@dataclass(frozen=True)
class CitationsEvent:
    """The answer's citations (`[n]` in the text points to marker n)."""

    citations: list[Citation]


@dataclass(frozen=True)
class PeopleEvent:
    """The people to contact."""

    people: list[Expert]


@dataclass(frozen=True)
class DoneEvent:
    """The whole answer; authoritative."""

    answer: AskResponse


StreamEvent = TokenEvent | CitationsEvent | PeopleEvent | DoneEvent

_CITATIONS = TypeAdapter(list[Citation])
_EXPERTS = TypeAdapter(list[Expert])


def frames(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs of a text/event-stream."""
    name, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield name, "\n".join(data)


def event(name: str, data: str) -> StreamEvent:
    """One SSE frame of /ask/stream as a typed event; an `error` frame raises."""
    value = json.loads(data)
    if name == "token":
        return TokenEvent(str(value))
    if name == "citations":
        return CitationsEvent(_CITATIONS.validate_python(value))
    if name == "people":
        return PeopleEvent(_EXPERTS.validate_python(value))
    if name == "done":
        return DoneEvent(AskResponse.model_validate(value))
    if name == "error":
        status = int(value.get("status", 500))
        detail = str(value.get("detail", "the answer failed"))
        if status == 400:
            raise BadRequest(detail, status)
        raise ServiceError(f"The answer failed ({status}): {detail}", status)
    raise ServiceError(f"unexpected event {name!r} in the answer stream")
