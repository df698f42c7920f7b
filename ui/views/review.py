"""Review: the trainers' queue, highest impact first, with one-click verify / extend / outdated.

Each item says why it is queued, how much it matters (impact: core/review.py), and who is
accountable; it opens the document's history. Verify (or extend) vouches for the current text
for the chosen number of days; "Mark outdated" takes the replacement from a search.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.api import ReviewItemOut
from core.client import ClientError, WatercoolerClient
from ui import nav, session
from ui.markup import esc
from ui.moderation import badge_html, history_table

_DONE = "review_done"  # a message to show after the rerun an action triggers


def replacement_picker(item: ReviewItemOut) -> str | None:
    """A document chosen from a search (not the item itself); None until one is picked."""
    query = st.text_input(
        "Find the replacement", value=item.title, key=f"find-{item.document_id}", max_chars=200
    )
    if not query.strip():
        return None
    with session.guarded(), session.client() as http:
        hits = http.search(query, limit=20).passages
    options: dict[str, str] = {}
    for hit in hits:
        if hit.document_id != item.document_id:
            options.setdefault(hit.document_id, hit.title)
    if not options:
        st.caption("No other document matches.")
        return None
    picked: str = st.selectbox(
        "Replacement",
        list(options),
        format_func=options.__getitem__,
        key=f"replacement-{item.document_id}",
    )
    return picked


def act(label: str, item: ReviewItemOut, call: Callable[[WatercoolerClient], object]) -> None:
    """Run `call` on the service; the page reruns with a confirmation."""
    try:
        with session.client() as http:
            call(http)
    except ClientError as exc:
        session.show_error(exc)
        return
    st.session_state[_DONE] = f"{label}: {item.title}"
    st.rerun()


def item_card(item: ReviewItemOut, default_days: int) -> None:
    """One queued document: reasons, impact, reviewer, badge, actions, history."""
    key = item.document_id
    with st.container(border=True, gap="small"):
        reviewer = item.reviewer_name or item.reviewer or "nobody (no trainer yet)"
        st.html(
            f'<p class="wc-source-title">{esc(item.title)}</p>'
            f'<div class="wc-meta"><span>impact <b>{item.impact:g}</b></span>'
            f"<span>cited {item.cited_30d}× in 30 days</span>"
            f"<span>reviewer <b>{esc(reviewer)}</b></span>{badge_html(item.state)}</div>"
            "<ul>" + "".join(f"<li>{esc(r)}</li>" for r in item.reasons) + "</ul>"
        )
        nav.document_link("Open document", item.document_id)
        days = st.number_input(
            "Valid for (days)", min_value=1, max_value=3650, value=default_days, key=f"days-{key}"
        )
        with st.container(horizontal=True, gap="small"):
            verified = item.state is not None and item.state.state in ("verified", "expired")
            if st.button("Extend" if verified else "Verify", key=f"verify-{key}", type="primary"):
                act("Verified", item, lambda h: h.verify(key, interval_days=int(days)))
            if st.button("Snooze 7 days", key=f"snooze-{key}"):
                act("Snoozed", item, lambda h: h.snooze(key, 7, "snoozed from the Review page"))
        with st.expander("Mark outdated"):
            replacement = replacement_picker(item)
            if st.button("Mark outdated", key=f"outdated-{key}"):
                act(
                    "Marked outdated", item, lambda h: h.mark_outdated(key, replaced_by=replacement)
                )
        with st.expander("History"):
            with session.guarded(), session.client() as http:
                history = http.history(item.document_id)
            history_table(history)


def main() -> None:
    """The queue."""
    st.html(
        '<div class="wc-hero"><h1>Review</h1><p>What needs a trainer, highest impact first: '
        "expired or expiring verifications, changed content, flags, answers rated down, "
        "outdated pages still cited.</p></div>"
    )
    done = st.session_state.pop(_DONE, None)
    if done:
        st.success(done, icon=":material/check:")
    with session.guarded(), session.client() as http:
        queue = http.review_queue()
    if not queue.items:
        st.info("Nothing needs a trainer right now.", icon=":material/task_alt:")
        return
    st.caption(f"{queue.total} documents need a trainer.")
    for item in queue.items:
        item_card(item, default_days=90)


main()
