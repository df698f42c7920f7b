"""The pages' files and links between them (links keep the session: no page reload).

A document link carries `doc` (and `chunk`, the passage to highlight); a profile link `person`.
"""

from __future__ import annotations

import streamlit as st

ASK = "views/ask.py"
SEARCH = "views/search.py"
PEOPLE = "views/people.py"
DOCUMENT = "views/document.py"
INGESTION = "views/ingestion.py"
EVALS = "views/evals.py"
SIGN_IN = "views/sign_in.py"
INSIGHTS = "views/insights.py"
REVIEW = "views/review.py"
INBOX = "views/inbox.py"


def document_link(
    label: str,
    document_id: str,
    chunk_id: str | None = None,
    *,
    icon: str | None = None,
    help: str | None = None,
) -> None:
    """A link to the Document page, with the passage `chunk_id` highlighted."""
    params = {"doc": document_id, **({"chunk": chunk_id} if chunk_id else {})}
    st.page_link(
        DOCUMENT,
        label=label,
        icon=icon or ":material/description:",
        help=help,
        query_params=params,
    )


def person_link(label: str, person_id: str, *, icon: str | None = None) -> None:
    """A link to a person's profile (plain text for someone outside the directory)."""
    if not person_id:
        st.caption(label)
        return
    st.page_link(
        PEOPLE,
        label=label,
        icon=icon or ":material/person:",
        query_params={"person": person_id},
    )
