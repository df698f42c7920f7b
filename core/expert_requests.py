"""Expert requests: escalate a logged question, route it, decline it, answer it into knowledge.

    escalate   the asker (and only the asker) sends a question from the question log to a
               suggested person or the best available one (core/escalation.py over the experts
               ranking of the passages the asker may see, excluding the asker)
    decline    the assignee declines with a reason; the request goes to the next candidate
    forward    the assignee hands the request to a chosen person, with a note
    reassign_overdue  requests past the response target (working hours) or whose assignee
               left the directory go to the next candidate; unrouted ones are retried
    answer     the assignee answers (its author may answer again: an edit); the answer
               becomes a document of kind `answer` (question as title, the expert as author,
               asked/answered dates, audience: the expert's choice of groups, or everyone;
               by default public when every passage behind the question was public, else the
               asker's groups), written to the index at once through ingestion's own writer,
               under its own source; it enters the review queue as needs_review ("expert
               answer, not verified yet") until a trainer verifies it
    retract    the author takes the answer back: its document leaves the index

Every step lands in the request's history (core/db/escalations.py); people are told through
the outbox (core/expert_notify.py): the new assignee, the previous one when a request moves,
the asker on a decline and with the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from core.config import Settings
from core.db import (
    Escalation,
    EscalationStore,
    ManifestStore,
    ModerationStore,
    PeopleStore,
    QuestionEntry,
)
from core.errors import NotFoundError, PermissionDeniedError
from core.escalation import Candidate, Hours, Routing, overdue, route, routing_for
from core.expert_notify import Notifier
from core.experts import ExpertFinder
from core.retrieval import QueryFilters, Retriever
from core.schema import (
    Block,
    Contributor,
    Document,
    Person,
    Principal,
    SourceKind,
    document_id,
)

log = logging.getLogger(__name__)

SYSTEM = "routing"  # who a step taken by the routing itself is recorded as
UNVERIFIED = "expert answer, not verified yet"  # the review queue's reason for a new answer


class KnowledgeWriter(Protocol):
    """Writes documents to the index and manifest the way ingestion does (ingest/pipeline.py)."""

    def write_documents(self, source: str, docs: list[Document]) -> object:
        """Chunk, embed and write these documents now."""
        ...

    def delete_documents(self, document_ids: list[str]) -> None:
        """Remove documents from the index and the manifest."""
        ...


class ExpertRequests:
    """The ask-an-expert loop over the request store, the directory and the retrieval stack."""

    def __init__(
        self,
        store: EscalationStore,
        people: PeopleStore,
        manifest: ManifestStore,
        retriever: Retriever,
        experts: ExpertFinder,
        writer: KnowledgeWriter,
        settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        notifier: Notifier | None = None,
        moderation: ModerationStore | None = None,
    ) -> None:
        self.store = store
        self.people = people
        self.manifest = manifest
        self.retriever = retriever
        self.experts = experts
        self.writer = writer
        self.settings = settings
        self.clock = clock
        self.hours = Hours(settings.experts.work_start, settings.experts.work_end)
        self.notifier = notifier
        self.moderation = moderation

    def escalate(
        self, caller: Principal, question: QuestionEntry, to: Person | None, note: str | None
    ) -> tuple[Escalation, Routing | None]:
        """Send the caller's logged question to `to` or the best available person."""
        if question.user_id != caller.user_id or caller.person_id is None:
            raise PermissionDeniedError("only the person who asked a question can escalate it")
        asker = Principal(user_id=caller.user_id, groups=question.groups, role="reader")
        passages = self.retriever.search(
            question.question, asker, QueryFilters.model_validate(question.filters)
        ).passages
        evidence = [self.manifest.get_document(i) for i in {p.document_id for p in passages}]
        public = all(d is None or not d.groups for d in evidence)
        context = {
            "answer": question.answer,
            "abstained": question.abstained,
            "confidence": question.confidence,
            "documents": [{"document_id": p.document_id, "title": p.title} for p in passages],
            "audience": [] if public else sorted(question.groups),
        }
        escalation_id = self.store.create(
            question_id=question.id,
            question=question.question,
            asker_id=caller.user_id,
            asker_person_id=caller.person_id,
            groups=question.groups,
            note=note,
            context=context,
        )
        now = self.clock()
        if to is not None:
            routing: Routing | None = routing_for(to, now, self.hours)
            self.store.assign(escalation_id, to.id, caller.user_id, "suggested by the asker", now)
            self._notify_assigned(escalation_id, to, now)
        else:
            ranked = [e.person for e in self.experts.rank(passages, now=now)]
            routing = self._choose(ranked, {caller.person_id}, now)
            self._record(escalation_id, routing, now)
        return self.store.get(escalation_id), routing

    def decline(self, caller: Principal, escalation_id: str, reason: str) -> Escalation:
        """The assignee declines; the request is routed to the next candidate."""
        request = self._assigned(caller, escalation_id)
        person_id = caller.person_id or ""
        self.store.decline(escalation_id, person_id, reason)
        now = self.clock()
        routing = self._best(request, {person_id}, now)
        self._record(escalation_id, routing, now)
        if self.notifier and request.asker_person_id:
            found = self.people.get_many([request.asker_person_id, person_id])
            if asker := found.get(request.asker_person_id):
                to = routing.person if routing else None
                self.notifier.declined(request, asker, found.get(person_id), to, reason, now)
        return self.store.get(escalation_id)

    def forward(self, caller: Principal, escalation_id: str, to: Person, note: str) -> Escalation:
        """The assignee hands the request to a chosen person (the route checks who), with a
        note."""
        self._assigned(caller, escalation_id)
        now = self.clock()
        detail = f"forwarded by {caller.person_id}: {note}" if note else "forwarded"
        self.store.assign(escalation_id, to.id, caller.person_id or "", detail, now, "forwarded")
        forwarder = self.people.get_many([caller.person_id or ""]).get(caller.person_id or "")
        how = f"{forwarder.name if forwarder else 'A colleague'} forwarded it to you"
        self._notify_assigned(escalation_id, to, now, how + (f": {note}" if note else "."))
        return self.store.get(escalation_id)

    def answer(
        self,
        caller: Principal,
        escalation_id: str,
        text: str,
        audience: list[str] | None = None,
    ) -> Escalation:
        """The assignee's answer (or its author's edit), written to the index as a document of
        kind answer; `audience`: None the default (module docstring), [] everyone, else those
        groups."""
        request = self.store.get(escalation_id)
        edit = request.status == "answered" and request.answered_by == caller.person_id
        if not edit:
            request = self._assigned(caller, escalation_id)
        expert = self.people.get(caller.person_id or "")
        now = self.clock()
        source = self.settings.escalation.answers_source
        doc = Document(
            id=document_id(source, request.id),
            source=source,
            native_id=request.id,
            kind=SourceKind.ANSWER,
            title=request.question,
            authors=[Contributor(name=expert.name, email=expert.email, person_id=expert.id)],
            created=request.created,
            updated=now,
            groups=sorted(set(audience)) if audience is not None else default_audience(request),
            text=text.strip(),
            blocks=paragraphs(text.strip()),
        )
        self.writer.write_documents(source, [doc])
        self.store.answer(escalation_id, expert.id, text.strip(), doc.id)
        if self.moderation is not None:  # the review queue shows it until a trainer verifies
            self.moderation.change(doc.id, "needs_review", expert.id, reason=UNVERIFIED)
        log.info(
            "expert answered",
            extra={"request": escalation_id, "person_id": expert.id, "document": doc.id},
        )
        answered = self.store.get(escalation_id)
        if self.notifier and not edit and request.asker_person_id:
            asker = self.people.get_many([request.asker_person_id]).get(request.asker_person_id)
            if asker is not None:
                self.notifier.answered(answered, asker, expert, now)
        return answered

    def retract(self, caller: Principal, escalation_id: str) -> Escalation:
        """The author takes an answer back: its document leaves the index at once."""
        request = self.store.get(escalation_id)
        if request.answered_by is None or request.answered_by != caller.person_id:
            raise PermissionDeniedError("only the author of an answer can retract it")
        if request.document_id:
            self.writer.delete_documents([request.document_id])
        self.store.retract(escalation_id, request.answered_by)
        return self.store.get(escalation_id)

    def inbox(self, caller: Principal) -> list[Escalation]:
        """The open requests assigned to the caller."""
        return self.store.inbox(caller.person_id) if caller.person_id else []

    def _assigned(self, caller: Principal, escalation_id: str) -> Escalation:
        request = self.store.get(escalation_id)
        if caller.person_id is None or request.assignee_id != caller.person_id:
            raise PermissionDeniedError("only the person a request is assigned to can act on it")
        if request.status != "open":
            raise NotFoundError(f"request {escalation_id!r} is {request.status}, not open")
        return request

    def reassign_overdue(self) -> int:
        """Move on every request whose assignee let the response target pass or left the
        directory, and retry unrouted ones; returns how many moved."""
        now = self.clock()
        target = self.settings.escalation.response_target_hours
        moved = 0
        for request in self.store.waiting():
            current = request.assignee_id
            if current is not None and request.assigned is not None:
                assignee = self.people.get_many([current]).get(current)
                if not overdue(assignee, request.assigned, now, self.hours, target):
                    continue
                left = assignee is None or not assignee.in_directory
                reason = "left the directory" if left else f"no answer within {target:g} working h"
            else:
                left, reason = True, "retried"
            routing = self._best(request, {current or ""}, now)
            if routing is None and not left:
                continue  # nobody else: the current assignee keeps it
            self._record(request.id, routing, now, reason)
            moved += routing is not None
            if self.notifier and current and not left:
                old = self.people.get_many([current]).get(current)
                if old is not None:
                    to = routing.person if routing else None
                    self.notifier.moved(request, old, to, reason, now)
        if moved:
            log.info("requests reassigned", extra={"count": moved})
        return moved

    def _best(self, request: Escalation, excluded: set[str], now: datetime) -> Routing | None:
        """The best candidate for a stored request, by the routing rules."""
        asker = Principal(user_id=request.asker_id, groups=request.groups, role="reader")
        passages = self.retriever.search(request.question, asker).passages
        ranked = [e.person for e in self.experts.rank(passages, now=now)]
        skip = {*excluded, *request.tried, request.asker_person_id or ""}
        return self._choose(ranked, skip, now)

    def _choose(self, ranked: list[Person], excluded: set[str], now: datetime) -> Routing | None:
        ids = [p.id for p in ranked]
        loads = self.store.open_counts()
        away = self.store.away(ids)
        directory = self.people.get_many(ids)
        candidates = [
            Candidate(directory.get(p.id, p), loads.get(p.id, 0), away.get(p.id)) for p in ranked
        ]
        return route(
            candidates,
            now,
            hours=self.hours,
            load_cap=self.settings.escalation.load_cap,
            excluded=excluded,
        )

    def _record(
        self, escalation_id: str, routing: Routing | None, now: datetime, why: str = ""
    ) -> None:
        """Assign to the routing's person, or leave the request unrouted; both recorded."""
        prefix = f"{why}; " if why else ""
        if routing is None:
            self.store.assign(
                escalation_id, None, SYSTEM, prefix + "no candidate is available", now
            )
            return
        detail = routing.expected(now) + (" (over the load cap)" if routing.over_cap else "")
        self.store.assign(escalation_id, routing.person.id, SYSTEM, prefix + detail, now)
        self._notify_assigned(escalation_id, routing.person, now, why and f"Reassigned: {why}.")

    def _notify_assigned(
        self, escalation_id: str, person: Person, now: datetime, how: str = ""
    ) -> None:
        if self.notifier is None:
            return
        request = self.store.get(escalation_id)
        found = self.people.get_many([person.id, request.asker_person_id or ""])
        asker = found.get(request.asker_person_id or "")
        self.notifier.assigned(request, found.get(person.id, person), asker, now, how)


def default_audience(request: Escalation) -> list[str]:
    """Everyone who could see the question's evidence: public ([]) or the asker's groups."""
    return list(request.context.get("audience", request.groups))


def paragraphs(text: str) -> list[Block]:
    """The text's paragraphs (blank-line separated) as blocks with their offsets."""
    blocks = []
    for match in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text, re.DOTALL):
        blocks.append(Block(text=match.group(), start=match.start(), end=match.end()))
    return blocks
