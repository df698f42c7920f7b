"""Inbox: the questions colleagues sent you, to answer (the answer becomes cited knowledge, for
the audience you choose), decline with a reason (the question goes to the next person) or
forward to a colleague with a note; and the ones you sent."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.api import MAX_ANSWER_CHARS, MAX_NOTE_CHARS, ExpertRequest
from core.client import ClientError
from ui import nav, session
from ui.markup import esc

_DONE = "inbox_done"  # a message to show after the rerun an action triggers
AUDIENCES = {"default": "Who could see the question's evidence", "everyone": "Everyone"}
GROUPS = "Chosen groups"


def request_card(item: ExpertRequest, directory: dict[str, str]) -> None:
    """One request: the question, who asks, what the assistant found; answer (with its
    audience), decline or forward. `directory`: person id → name, for forwarding."""
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
        audience = _audience(item)
        left, middle, right = st.columns([1, 1, 1])
        if left.button("Send answer", key=f"send-{item.id}", type="primary"):
            if not text.strip():
                st.warning("Write an answer first.", icon=":material/edit:")
            else:
                _act(f"Answered: {item.question}", lambda: _answer(item.id, text, audience))
        with middle.popover("Decline"):
            reason = st.text_input("Why?", key=f"reason-{item.id}", max_chars=MAX_NOTE_CHARS)
            if st.button("Decline", key=f"decline-{item.id}") and reason.strip():
                _act(f"Declined: {item.question}", lambda: _decline(item.id, reason))
        with right.popover("Forward"):
            skip = {item.asker.id if item.asker else "", item.assignee.id if item.assignee else ""}
            others = {pid: name for pid, name in directory.items() if pid not in skip}
            to: str | None = st.selectbox(
                "To", list(others), format_func=lambda p: others[p], key=f"forward-to-{item.id}"
            )
            note = st.text_input("Note", key=f"forward-note-{item.id}", max_chars=MAX_NOTE_CHARS)
            if st.button("Forward", key=f"forward-{item.id}") and to:
                name = others[to]
                _act(f"Forwarded to {name}: {item.question}", lambda: _forward(item.id, to, note))


def _audience(item: ExpertRequest) -> list[str] | None:
    """The answer's audience the expert picks: None the default, [] everyone, else groups."""
    default = ", ".join(item.audience) if item.audience else "public"
    labels = {**AUDIENCES, "groups": GROUPS}
    labels["default"] += f" ({default})"
    choice = st.radio(
        "Who may read your answer",
        list(labels),
        format_func=labels.get,
        key=f"audience-{item.id}",
        horizontal=True,
    )
    if choice == "everyone":
        return []
    if choice == "groups":
        raw = st.text_input(
            "Groups (comma-separated)", value=", ".join(item.audience), key=f"groups-{item.id}"
        )
        groups = [g.strip() for g in raw.split(",") if g.strip()]
        if groups:
            return groups
        st.caption("No group given: the default audience applies.")  # never public by mistake
    return None


def _answer(request_id: str, text: str, audience: list[str] | None) -> None:
    with session.client() as http:
        http.answer_request(request_id, text, audience)


def _forward(request_id: str, to: str, note: str) -> None:
    with session.client() as http:
        http.forward_request(request_id, to, note.strip())


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
        people = http.people(limit=200).items if inbox else []
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
    directory = {p.id: p.name for p in people if p.in_directory}
    for item in inbox:
        request_card(item, directory)
    if sent:
        st.html('<div class="wc-label">Questions you sent</div>')
        for item in sent:
            sent_card(item)


main()
