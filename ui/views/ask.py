"""Ask (home): a question, the answer as it streams, its sources, and who to contact."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import streamlit as st

from core.api import AskResponse, DocumentResponse
from core.client import ClientError, DoneEvent, NotFound, TokenEvent, WatercoolerClient
from core.schema import Rating
from ui import session
from ui.cards import closest_card, contact_card, source_card
from ui.markup import answer_html, esc, md_escape
from ui.session import AskView

log = logging.getLogger(__name__)


_RESULT = "ask_result"
_PENDING = "ask_pending"
_QUESTION = "ask_question"
_EXAMPLE = "ask_example"
_GENERATOR = "ask_generator"
LOW_CONFIDENCE = 0.5  # below this, "Ask an expert" is offered with the answer


def _picked() -> None:
    """An example was chosen: ask it (and clear the choice, so it can be chosen again)."""
    question = st.session_state.get(_EXAMPLE)
    if question:
        st.session_state[_QUESTION] = question
        st.session_state[_PENDING] = question
    st.session_state[_EXAMPLE] = None


def question_form(examples: list[str], generators: list[str]) -> None:
    """The question box, the example questions, and the generator when there is a choice."""
    with st.form("ask-form", border=False, enter_to_submit=True):
        box, button = st.columns([7, 1], vertical_alignment="bottom")
        question = box.text_input(
            "Your question",
            key=_QUESTION,
            placeholder="Ask about a policy, a process, a product… e.g. who approves publishing?",
            label_visibility="collapsed",
        )
        if button.form_submit_button("Ask", type="primary", width="stretch"):
            if question.strip():
                st.session_state[_PENDING] = question.strip()
            else:
                st.toast("Type a question first.", icon=":material/edit:")
    if examples:
        st.pills(
            "Try one of these",
            examples,
            key=_EXAMPLE,
            on_change=_picked,
            label_visibility="collapsed",
        )
    if len(generators) > 1:
        st.segmented_control(
            "Answer with",
            generators,
            key=_GENERATOR,
            help="Unselected: the service's default generator",
        )


def _stream(
    http: WatercoolerClient, question: str, generator: str | None = None
) -> AskResponse | None:
    """Write the answer as it streams; the whole answer once done."""
    done: list[AskResponse] = []

    def tokens() -> Iterator[str]:
        for event in http.ask_stream(question, generator=generator):
            if isinstance(event, TokenEvent):
                yield md_escape(event.text)
            elif isinstance(event, DoneEvent):
                done.append(event.answer)

    st.html('<div class="wc-label">Answer</div>')
    st.write_stream(tokens)
    return done[0] if done else None


def _documents(http: WatercoolerClient, result: AskResponse) -> dict[str, DocumentResponse]:
    """The cited documents (for their dates), fetched once per answer."""
    found: dict[str, DocumentResponse] = {}
    for citation in result.citations:
        if citation.document_id in found:
            continue
        try:
            found[citation.document_id] = http.document(citation.document_id)
        except NotFound:
            continue
    return found


def _rate(view: AskView, rating: Rating, marker: int | None = None) -> None:
    try:
        with session.client() as http:
            http.feedback(view.result.question_id, rating, marker=marker)
    except ClientError as exc:
        session.show_error(exc)
        return
    view.rated = rating if marker is None else f"citation {marker} flagged"
    st.toast("Thanks — your feedback was recorded.", icon=":material/check_circle:")


def answer_panel(view: AskView) -> None:
    """The answer with citation markers, feedback, and its sources."""
    result = view.result
    st.html('<div class="wc-label">Answer</div>')
    if result.abstained:
        st.html(
            f'<div class="wc-abstain"><b>No answer found.</b> {esc(result.text)} '
            "The people beside this may know — ask them.</div>"
        )
    else:
        markers = {c.marker for c in result.citations}
        st.html(f'<div class="wc-answer">{answer_html(result.text, markers)}</div>')
    facts = [f"confidence {result.confidence:.2f}", f"answered by {result.generator}"]
    if "total" in result.timings_ms:
        facts.append(f"{result.timings_ms['total'] / 1000:.1f} s")
    st.caption(" · ".join(facts))
    if result.unsupported_sentences:
        st.warning(
            "Some sentences could not be matched to a source: "
            + " ".join(result.unsupported_sentences),
            icon=":material/warning:",
        )
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        if view.rated:
            st.caption(
                f"Feedback sent: {view.rated.replace('_', ' ')}. Thank you!", width="content"
            )
        else:
            st.caption("Was this helpful?", width="content")
            if st.button("Helpful", key="rate-helpful", icon=":material/thumb_up:"):
                _rate(view, "helpful")
                st.rerun()
            if st.button("Not helpful", key="rate-not-helpful", icon=":material/thumb_down:"):
                _rate(view, "not_helpful")
                st.rerun()
    expert_offer(view)
    if result.abstained and result.closest:
        st.html('<div class="wc-label">Closest I found</div>')
        st.caption("Not enough to answer from, but maybe a way on.")
        for passage in result.closest:
            closest_card(passage)
    if result.citations:
        st.html(f'<div class="wc-label">Sources ({len(result.citations)})</div>')
    for citation in result.citations:
        if source_card(citation, view.documents.get(citation.document_id)):
            _rate(view, "wrong_citation", citation.marker)
            st.rerun()


def expert_offer(view: AskView) -> None:
    """'Ask an expert' when the assistant abstained, was unsure, or the answer did not help."""
    result = view.result
    unsure = result.abstained or result.confidence < LOW_CONFIDENCE
    if view.escalated:
        st.success(view.escalated, icon=":material/forward_to_inbox:")
        return
    if not (unsure or view.rated == "not_helpful"):
        return
    if st.button("Ask an expert", key="escalate", icon=":material/forward_to_inbox:"):
        try:
            with session.client() as http:
                sent = http.escalate(result.question_id)
        except ClientError as exc:
            session.show_error(exc)
            return
        where = f"Sent to {sent.assignee.name}. " if sent.assignee else "Sent; "
        view.escalated = where + (sent.expected or "it waits for someone to be available.")
        st.rerun()


def people_panel(view: AskView) -> None:
    """Who to contact about the question."""
    st.html('<div class="wc-label">Who to contact</div>')
    if not view.result.people:
        st.caption("Nobody in the directory wrote about this.")
    for expert in view.result.people:
        contact_card(expert)


def main() -> None:
    """The page."""
    st.html(
        '<div class="wc-hero"><h1>Ask Watercooler</h1><p>Answers from what your colleagues '
        "wrote, with the passages they come from and the people to ask.</p></div>"
    )
    health = session.checked_health()
    question_form(session.examples(), health.generators if health else [])
    pending = st.session_state.pop(_PENDING, None)
    left, right = st.columns([1.7, 1], gap="large")
    answer_slot, people_slot = left.empty(), right.empty()
    if pending:
        log.info("asking", extra={"chars": len(pending)})
        people_slot.caption("Finding the people who know…")
        with answer_slot.container(), session.guarded(), session.client() as http:
            result = _stream(http, pending, st.session_state.get(_GENERATOR))
            if result is None:
                st.error("The answer stream ended early; please ask again.")
                return
            st.session_state[_RESULT] = AskView(result, _documents(http, result))
    view = st.session_state.get(_RESULT)
    if isinstance(view, AskView):
        with answer_slot.container():
            answer_panel(view)
        with people_slot.container():
            people_panel(view)


main()
