"""Ask an expert: who am I, escalate a question, the expert's inbox, answer and decline.

GET  /me                          the caller and the directory person they are
PUT  /me/away                     mark oneself away until a moment
POST /questions/{id}/escalate     the asker sends a logged question to an expert
GET  /requests                    the requests the caller sent
GET  /requests/{id}               one request with its history (asker or assignee)
GET  /inbox                       open requests assigned to the caller
POST /requests/{id}/answer        the assignee answers: the answer becomes a document
POST /requests/{id}/decline       the assignee declines: routed to the next candidate
POST /requests/{id}/forward       the assignee hands it to a chosen person, with a note
GET  /experts/notifications       the outbox's newest messages: sent, waiting, failed (admins)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from fastapi.exceptions import RequestValidationError

from core.api import (
    AnswerRequest,
    AwayRequest,
    DeclineRequest,
    EscalateRequest,
    ExpertRequest,
    ForwardRequest,
    Inbox,
    Me,
    Notification,
    Notifications,
    RelatedDocument,
    RequestFigures,
    RequestStats,
    RequestStep,
)
from core.auth import require_role
from core.db import Escalation
from core.errors import PermissionDeniedError
from core.escalation import routing_for
from core.expert_requests import ExpertRequests, default_audience
from core.request_stats import Tally, by_team, tally
from core.schema import Person, PersonRef, Principal
from service.deps import CallerDep, ComponentsDep, PeopleDep, QuestionsDep
from service.errors import ERROR_RESPONSES, ErrorBody

router = APIRouter(tags=["experts"])

FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "Not the caller's question or request"}
}


def get_requests(c: ComponentsDep) -> ExpertRequests:
    """The ask-an-expert loop."""
    return c.expert_requests


RequestsDep = Annotated[ExpertRequests, Depends(get_requests)]


def _person_caller(caller: Principal) -> Principal:
    if caller.person_id is None:
        raise PermissionDeniedError(
            "this needs a caller who is a person of the directory: an API key created with "
            "--person EMAIL, or a demo identity in open mode"
        )
    return caller


@router.get("/me", response_model=Me, summary="Who is calling", responses=ERROR_RESPONSES)
def get_me(caller: CallerDep, people: PeopleDep, c: ComponentsDep) -> Me:
    """The caller, with their directory person when the key (or demo identity) names one."""
    person = people.get_many([caller.person_id]).get(caller.person_id) if caller.person_id else None
    return Me(
        user_id=caller.user_id,
        role=caller.role,
        groups=caller.groups,
        person=person,
        demo=caller.demo,
        auth_mode=c.settings.service.auth_mode,
    )


@router.put(
    "/me/away",
    response_model=Me,
    summary="Mark yourself away (no requests are routed to you until then)",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def put_away(
    body: AwayRequest, caller: CallerDep, people: PeopleDep, c: ComponentsDep, r: RequestsDep
) -> Me:
    """Set or clear the caller's away_until."""
    person_id = _person_caller(caller).person_id or ""
    r.store.set_away(person_id, body.until)
    return get_me(caller, people, c)


@router.post(
    "/questions/{question_id}/escalate",
    response_model=ExpertRequest,
    status_code=status.HTTP_201_CREATED,
    summary="Ask an expert: send your question to a person or the best available one",
    description="`question_id` is the one `POST /ask` returned. Only its asker may escalate "
    "it (403). `to` must be a person of the directory other than the asker (422); without it "
    "the question is routed to the best available expert (see README, *Ask an expert*).",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def escalate(
    question_id: str,
    body: EscalateRequest,
    caller: CallerDep,
    questions: QuestionsDep,
    people: PeopleDep,
    r: RequestsDep,
) -> ExpertRequest:
    """Create the request and route it; the answer says who has it and when they work."""
    _person_caller(caller)
    asked = questions.get(question_id)
    if asked.user_id != caller.user_id:
        raise PermissionDeniedError("only the person who asked a question can escalate it")
    target = _target(body.to, caller, people) if body.to else None
    request, routing = r.escalate(caller, asked, target, body.note)
    return _out(request, people, r, routing.expected(r.clock()) if routing else None)


@router.get("/requests", response_model=Inbox, summary="The requests you sent")
def sent(caller: CallerDep, people: PeopleDep, r: RequestsDep) -> Inbox:
    """The caller's requests, newest first."""
    return Inbox(items=[_out(e, people, r) for e in r.store.asked_by(caller.user_id)])


@router.get(
    "/requests/{request_id}",
    response_model=ExpertRequest,
    summary="One request with its history",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def get_request(
    request_id: str, caller: CallerDep, people: PeopleDep, r: RequestsDep
) -> ExpertRequest:
    """A request, for its asker or its assignee."""
    request = r.store.get(request_id)
    mine = request.asker_id == caller.user_id
    if not mine and (caller.person_id is None or caller.person_id != request.assignee_id):
        raise PermissionDeniedError("only the asker and the assignee can read a request")
    return _out(request, people, r)


@router.get("/inbox", response_model=Inbox, summary="Requests waiting for your answer")
def inbox(caller: CallerDep, people: PeopleDep, r: RequestsDep) -> Inbox:
    """Open requests assigned to the caller, oldest first (overdue ones move on first)."""
    r.reassign_overdue()
    return Inbox(items=[_out(e, people, r) for e in r.inbox(_person_caller(caller))])


@router.post(
    "/requests/{request_id}/answer",
    response_model=ExpertRequest,
    summary="Answer a request: the answer is cited from now on",
    description="The answer becomes a document of kind `answer` (the question as title, you "
    "as author), searchable at once. 1 to 100,000 characters (422 otherwise).",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def answer(
    request_id: str, body: AnswerRequest, caller: CallerDep, people: PeopleDep, r: RequestsDep
) -> ExpertRequest:
    """Store the answer and write it to the index, for the chosen audience."""
    return _out(r.answer(_person_caller(caller), request_id, body.text, body.audience), people, r)


@router.delete(
    "/requests/{request_id}/answer",
    response_model=ExpertRequest,
    summary="Retract your answer: it is no longer searchable or cited",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def retract(request_id: str, caller: CallerDep, people: PeopleDep, r: RequestsDep) -> ExpertRequest:
    """Remove the answer's document from the index."""
    return _out(r.retract(_person_caller(caller), request_id), people, r)


@router.post(
    "/requests/{request_id}/decline",
    response_model=ExpertRequest,
    summary="Decline a request (with a reason): it goes to the next candidate",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def decline(
    request_id: str, body: DeclineRequest, caller: CallerDep, people: PeopleDep, r: RequestsDep
) -> ExpertRequest:
    """Record the decline and route the request on."""
    request = r.decline(_person_caller(caller), request_id, body.reason.strip())
    return _out(request, people, r)


@router.post(
    "/requests/{request_id}/forward",
    response_model=ExpertRequest,
    summary="Forward a request to another person, with a note (in its history)",
    description="Only the assignee may forward (403). `to` must be a person of the directory "
    "other than you and the asker (422).",
    responses={**ERROR_RESPONSES, **FORBIDDEN},
)
def forward(
    request_id: str, body: ForwardRequest, caller: CallerDep, people: PeopleDep, r: RequestsDep
) -> ExpertRequest:
    """Assign the request to the chosen person and tell them."""
    request = r.store.get(request_id)
    if request.assignee_id != _person_caller(caller).person_id:
        raise PermissionDeniedError("only the person a request is assigned to can forward it")
    target = _target(body.to, caller, people, request.asker_person_id)
    note = (body.note or "").strip()
    return _out(r.forward(caller, request_id, target, note), people, r)


@router.get(
    "/experts/notifications",
    response_model=Notifications,
    summary="The notifications outbox: sent, waiting, retried, given up (admins)",
    responses={**ERROR_RESPONSES},
)
def notifications(
    caller: CallerDep, r: RequestsDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> Notifications:
    """The newest messages, newest first, with their delivery state and last error."""
    require_role(caller, "admin")
    outbox = r.notifier.outbox if r.notifier else None
    messages = outbox.latest(limit) if outbox else []
    return Notifications(
        items=[
            Notification(
                id=m.id,
                channel=m.channel,
                recipient=m.recipient,
                subject=m.subject,
                created=m.created,
                due=m.next_attempt,
                attempts=m.attempts,
                sent=m.sent,
                failed=m.failed,
                last_error=m.last_error,
            )
            for m in messages
        ]
    )


@router.get(
    "/experts/requests/stats",
    response_model=RequestStats,
    summary="How experts handle requests: answer rate, time to answer, declines (trainers)",
    responses={**ERROR_RESPONSES},
)
def stats(
    caller: CallerDep,
    people: PeopleDep,
    r: RequestsDep,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
) -> RequestStats:
    """Figures per person and per team over the last `days` days."""
    require_role(caller, "trainer")
    requests = r.store.since(r.clock() - timedelta(days=days))
    per_person = tally(requests)
    directory = people.get_many(list(per_person))
    teams = by_team(per_person, directory)

    def figures(name: str, t: Tally, person_id: str | None = None) -> RequestFigures:
        return RequestFigures(
            name=name,
            person_id=person_id,
            assigned=t.assigned,
            answered=t.answered,
            declined=t.declined,
            reassigned_away=t.reassigned_away,
            answer_rate=t.answer_rate,
            median_hours_to_answer=t.median_hours,
            decline_reasons=dict(t.decline_reasons),
        )

    return RequestStats(
        days=days,
        requests=len(requests),
        answered=sum(e.status == "answered" for e in requests),
        people=[
            figures(directory[pid].name if pid in directory else pid, t, pid)
            for pid, t in sorted(per_person.items(), key=lambda i: (-i[1].assigned, i[0]))
        ],
        teams=[figures(team, t) for team, t in sorted(teams.items())],
    )


def _target(to: str, caller: Principal, people: PeopleDep, asker: str | None = None) -> Person:
    """The chosen person, who must be in the directory and neither the caller nor the asker
    (else 422)."""
    person = people.get_many([to]).get(to)
    problem = None
    if person is None or not person.in_directory:
        problem = f"{to!r} is not a person of the directory"
    elif person.id == caller.person_id:
        problem = "you cannot send a question to yourself"
    elif asker and person.id == asker:
        problem = "you cannot forward a question to the person who asked it"
    if problem or person is None:
        raise RequestValidationError(
            [{"loc": ("body", "to"), "msg": problem or "unknown person", "type": "value_error"}]
        )
    return person


def _out(
    e: Escalation, people: PeopleDep, r: ExpertRequests, expected: str | None = None
) -> ExpertRequest:
    """The request as the API shows it; `expected` is computed now unless routing gave it."""
    ids = [i for i in (e.asker_person_id, e.assignee_id, e.answered_by) if i]
    found = people.get_many(ids)

    def ref(pid: str | None) -> PersonRef | None:
        person = found.get(pid or "")
        return PersonRef(id=person.id, name=person.name) if person else None

    assignee = found.get(e.assignee_id or "")
    if expected is None and assignee is not None and e.status == "open":
        now = r.clock()
        expected = routing_for(assignee, now, r.hours).expected(now)
    return ExpertRequest(
        id=e.id,
        question_id=e.question_id,
        question=e.question,
        note=e.note,
        status=e.status,
        asker=ref(e.asker_person_id),
        assignee=assignee,
        expected=expected,
        assistant_answer=str(e.context.get("answer", "")),
        abstained=bool(e.context.get("abstained", False)),
        documents=[RelatedDocument(**d) for d in e.context.get("documents", [])],
        created=e.created,
        answered=e.answered,
        answer=e.answer,
        answered_by=ref(e.answered_by),
        document_id=e.document_id,
        audience=default_audience(e),
        history=[RequestStep(**vars(s)) for s in e.history],
    )
