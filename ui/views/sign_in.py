"""Sign in: the only page while the service wants a key and none was given."""

from __future__ import annotations

import streamlit as st

from ui.sidebar import sign_in_form


def main() -> None:
    """The page."""
    st.html(
        '<div class="wc-hero"><h1>Sign in to Watercooler</h1><p>This Watercooler service '
        "answers only callers with an API key. Paste yours to continue.</p></div>"
    )
    _, middle, _ = st.columns([1, 2, 1])
    with middle, st.container(border=True):
        sign_in_form("page-sign-in")


main()
