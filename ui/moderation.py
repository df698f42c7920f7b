"""What the pages show of moderation: state badges, the Flag action, a document's history."""

from __future__ import annotations

import streamlit as st

from core.api import DocumentHistory
from core.client import ClientError
from core.schema import ModerationBadge
from ui import session
from ui.markup import esc, fmt_date

FLAG_KINDS = {"outdated": "Outdated", "wrong": "Wrong", "unclear": "Unclear"}
# The service's state facets (GET /search?states=...), in the order the Search page shows them.
STATE_LABELS = {
    "verified": "Verified",
    "needs_review": "Needs review",
    "outdated": "Outdated",
    "unreviewed": "Unreviewed",
}
_STATE_CLASS = {
    "verified": "wc-verified",
    "expired": "wc-expired",
    "needs_review": "wc-review",
    "outdated": "wc-outdated",
}
_STYLE = (
    "<style>.wc-verified{background:#dcfce7;color:#166534}"
    ".wc-expired,.wc-review{background:#fef3c7;color:#92400e}"
    ".wc-flagged{background:#fee2e2;color:#991b1b}</style>"
)


def badge_html(badge: ModerationBadge | None) -> str:
    """The state as a coloured label with its full text (nothing without a state or flags)."""
    if badge is None or not badge.label:
        return ""
    css = _STATE_CLASS.get(badge.state or "", "wc-flagged")
    return (
        f'{_STYLE}<span class="wc-kind {css}" title="{esc(badge.label)}">{esc(badge.label)}</span>'
    )


def state_of(badge: ModerationBadge | None) -> str:
    """The state facet a badge stands for (an expired verification needs review)."""
    state = badge.state if badge else None
    if state == "expired":
        return "needs_review"
    return state if state in STATE_LABELS else "unreviewed"


def flag_form(document_id: str, chunk_id: str | None, key: str) -> None:
    """A collapsed "Flag" form: outdated / wrong / unclear with a note, for signed-in users."""
    with st.expander("Flag this passage", icon=":material/outlined_flag:"):
        if not session.api_key():
            st.caption("Sign in to flag a passage.")
            return
        kind = st.radio(
            "What is wrong?",
            list(FLAG_KINDS),
            format_func=FLAG_KINDS.__getitem__,
            horizontal=True,
            key=f"flag-kind-{key}",
        )
        note = st.text_input("Note (optional)", key=f"flag-note-{key}", max_chars=2000)
        if st.button("Send flag", key=f"flag-send-{key}", icon=":material/flag:"):
            try:
                with session.client() as http:
                    http.flag(document_id, kind, chunk_id=chunk_id, note=note or None)
            except ClientError as exc:
                session.show_error(exc)
                return
            st.success("Thanks: a trainer will review it.", icon=":material/check:")


def history_table(history: DocumentHistory) -> None:
    """Every change of state, newest first, and the open flags."""
    if not history.events:
        st.caption("No trainer has changed this document's state yet.")
    rows = [
        {
            "When": fmt_date(e.at),
            "Who": e.who,
            "From": e.from_state or "—",
            "To": e.to_state,
            "Passage": e.chunk_id[:8] or "whole document",
            "Note": e.note or "",
        }
        for e in reversed(history.events)
    ]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    if history.flags:
        kinds = ", ".join(FLAG_KINDS[f.kind] for f in history.flags)
        st.caption(f"Open flags: {kinds}")
