"""POST /ask and POST /ask/stream: cited answers, whole or as server-sent events."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import cast

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from fastapi.sse import format_sse_event

from core.answering import StreamEvent
from core.db import ConflictStore
from core.errors import ConfigError
from core.review import record_disagreement
from core.schema import Answer, Citation, Principal
from service.badges import badged, badged_answer
from service.components import Components
from service.deps import AssistantDep, CallerDep, ComponentsDep, check_filters
from service.errors import ERROR_RESPONSES, ErrorBody, error_payload
from service.schemas import AskRequest, AskResponse

log = logging.getLogger(__name__)

router = APIRouter(tags=["answers"])


class EventStreamResponse(StreamingResponse):
    """A text/event-stream response of pre-formatted SSE frames.

    Not fastapi's EventSourceResponse: as a route's response_class that one makes FastAPI
    iterate whatever the route returns, and this route validates before it streams.
    """

    media_type = "text/event-stream"


_ASK_ERRORS = {
    **ERROR_RESPONSES,
    502: {"model": ErrorBody, "description": "The LLM failed or refused the request"},
    504: {"model": ErrorBody, "description": "The LLM timed out"},
}

_STREAM_DOC = """Events, in order:

- `token` (repeated): a piece of the answer text, JSON-encoded (a string)
- `citations`: the list of citations, `[n]` in the text points to `marker` n
- `people`: the people to contact
- `done`: the whole answer (as `POST /ask` returns it, with `question_id`); authoritative
- `error` (instead of the rest, if something fails mid-way): `{"error", "detail", "status"}`
"""


@router.post(
    "/ask",
    response_model=AskResponse,
    summary="Answer a question with citations and the people to ask",
    description="Retrieves the passages the caller may see, writes a cited answer (or "
    "abstains when the content does not answer it), names the people to contact, and logs "
    "the question; use `question_id` to send feedback.",
    responses=_ASK_ERRORS,
)
def ask(
    body: AskRequest, caller: CallerDep, c: ComponentsDep, assistant: AssistantDep
) -> AskResponse:
    """A cited answer with people to contact."""
    generator = _prepare(body, c)
    answer = assistant.ask(body.question, caller, body.filters, generator, limit=body.top_k)
    answer = badged_answer(c, caller, answer, body.filters.verified_only)
    return _logged(answer, body, caller, c)


@router.post(
    "/ask/stream",
    response_class=EventStreamResponse,
    summary="Answer a question as server-sent events",
    description=_STREAM_DOC,
    responses={
        200: {
            "description": "An event stream (text/event-stream)",
            "content": {"text/event-stream": {"example": 'event: token\ndata: "The pass"\n\n'}},
        },
        **_ASK_ERRORS,
    },
)
def ask_stream(
    body: AskRequest, caller: CallerDep, c: ComponentsDep, assistant: AssistantDep
) -> EventStreamResponse:
    """The same answer as `POST /ask`, streamed."""
    generator = _prepare(body, c)  # bad requests fail here, before the stream starts
    events = assistant.ask_stream(body.question, caller, body.filters, generator, limit=body.top_k)
    return EventStreamResponse(_sse(events, body, caller, c), headers={"Cache-Control": "no-cache"})


def _prepare(body: AskRequest, c: Components) -> str:
    """Check the question's length, its filters and the generator; the generator's name."""
    check_filters(body.filters, c.settings.service.max_filter_values, "filters")
    limit = c.settings.service.max_question_chars
    if len(body.question) > limit:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "question"),
                    "msg": f"the question is longer than {limit} characters",
                    "type": "string_too_long",
                }
            ]
        )
    name = body.generator or c.settings.answer.generator
    if name not in c.generators:
        reason = c.unavailable.get(name, "not configured")
        raise ConfigError(f"generator {name!r} is not available: {reason}")
    return name


def _logged(answer: Answer, body: AskRequest, caller: Principal, c: Components) -> AskResponse:
    """Record the question in the log (and sources it found disagreeing, for the review
    queue); the answer with its question id."""
    question_id = c.questions.record(
        user_id=caller.user_id,
        groups=caller.groups,
        question=body.question,
        filters=body.filters.model_dump(mode="json", exclude_defaults=True),
        generator=answer.generator,
        answer=answer.text,
        cited_document_ids=[c.document_id for c in answer.citations],
        people_ids=[e.person.id for e in answer.people],
        confidence=answer.confidence,
        abstained=answer.abstained,
        timings_ms=answer.timings_ms,
    )
    record_disagreement(ConflictStore(c.db), answer.text, answer.citations, question_id)
    return AskResponse(**answer.model_dump(), question_id=question_id)


def _sse(
    events: Iterator[StreamEvent], body: AskRequest, caller: Principal, c: Components
) -> Iterator[bytes]:
    """Assistant events as SSE frames (citations with their badges); a failure becomes an
    `error` event."""
    try:
        for kind, value in events:
            if isinstance(value, str):
                data = json.dumps(value)
            elif isinstance(value, Answer):
                answer = badged_answer(c, caller, value, body.filters.verified_only)
                data = _logged(answer, body, caller, c).model_dump_json()
            else:
                if kind == "citations":
                    value = badged(c, caller, cast(list[Citation], value))
                data = json.dumps([item.model_dump(mode="json") for item in value])
            yield format_sse_event(event=kind, data_str=data)
    except Exception as exc:  # the status line is sent: report the error in the stream
        status, payload = error_payload(exc)
        yield format_sse_event(event="error", data_str=json.dumps({**payload, "status": status}))
