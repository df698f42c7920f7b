"""Inbox: the questions colleagues sent you, to answer (the answer becomes cited knowledge)
or decline with a reason (the question goes to the next person); and the ones you sent."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.api import MAX_ANSWER_CHARS, ExpertRequest
from core.client import ClientError
from ui import nav, session
from ui.markup import esc

_DONE = "inbox_done"  # a message to show after the rerun an action triggers


def request_card(item: ExpertRequest) -> None:
    """One request: the question, who asks, what the assistant found, answer or decline."""
    asker = item.asker.name if item.asker else "a colleague"
    with st.container(border=True):
        st.html(
            f"<b>{esc(item.question)}</b><br><span style='color:#6b7280'>from {esc(asker)} · "
            f"{item.created:%d %b %Y %H:%M} UTC</span>"
        )
        if item.note:
            st.caption(f"Note: {item.note}")
        label = "The assistant found no answer." if item.abstained else "The assistant answered:"
        st.caption(label)
        if not item.abstained and item.assistant_answer:
            st.markdown(f"> {item.assistant_answer}")
        for doc in item.documents[:5]:
            nav.document_link(doc.title, doc.document_id)
        text = st.text_area(
            "Your answer", key=f"answer-{item.id}", max_chars=MAX_ANSWER_CHARS, height=140
        )
        left, right = st.columns([1, 2])
        if left.button("Send answer", key=f"send-{item.id}", type="primary"):
            if not text.strip():
                st.warning("Write an answer first.", icon=":material/edit:")
            else:
                _act(f"Answered: {item.question}", lambda: _answer(item.id, text))
        with right.popover("Decline"):
            reason = st.text_input("Why?", key=f"reason-{item.id}", max_chars=2000)
            if st.button("Decline", key=f"decline-{item.id}") and reason.strip():
                _act(f"Declined: {item.question}", lambda: _decline(item.id, reason))


def _answer(request_id: str, text: str) -> None:
    with session.client() as http:
        http.answer_request(request_id, text)


def _decline(request_id: str, reason: str) -> None:
    with session.client() as http:
        http.decline_request(request_id, reason)


def _act(message: str, call: Callable[[], None]) -> None:
    try:
        call()
    except ClientError as exc:
        session.show_error(exc)
        return
    st.session_state[_DONE] = message
    st.rerun()


def sent_card(item: ExpertRequest) -> None:
    """A request the caller sent, with where it stands."""
    with st.container(border=True):
        st.html(f"<b>{esc(item.question)}</b>")
        if item.status == "answered" and item.answer:
            who = item.answered_by.name if item.answered_by else "an expert"
            when = f"{item.answered:%d %b %Y}" if item.answered else ""
            st.caption(f"Answered by {who}, {when}")
            st.markdown(item.answer)
        elif item.assignee:
            st.caption(f"With {item.assignee.name}. {item.expected or ''}")
        else:
            st.caption("Waiting: nobody is available to route it to yet.")


def main() -> None:
    """The inbox and the sent requests."""
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done, icon=":material/check_circle:")
    with session.guarded(), session.client() as http:
        me = http.me()
        inbox = http.inbox().items if me.person else []
        sent = http.sent_requests().items
    who = me.person.name if me.person else me.user_id
    demo = " · DEMO identity" if me.demo else ""
    st.html(
        f'<div class="wc-hero"><h1>Inbox</h1><p>Questions colleagues sent to you, '
        f"{esc(who)}{demo}.</p></div>"
    )
    if not me.person:
        st.info(
            "Your key does not name a person of the directory, so nobody can send you "
            "questions. An admin creates one with `keys create --person EMAIL`.",
            icon=":material/person_off:",
        )
    elif not inbox:
        st.caption("Nothing is waiting for you.")
    for item in inbox:
        request_card(item)
    if sent:
        st.html('<div class="wc-label">Questions you sent</div>')
        for item in sent:
            sent_card(item)


main()
