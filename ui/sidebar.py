"""The sidebar: the service's status, who you are signed in as, and the sign-in form."""

from __future__ import annotations

import streamlit as st

from core.api import Health
from core.client import ClientError
from ui import session
from ui.markup import esc
from ui.session import Access

# The one command that creates an admin key (service/__main__.py), shown to guests.
ADMIN_KEY_COMMAND = "python -m service keys create --user admin --role admin"


def status_box(health: Health, url: str) -> None:
    """Whether the service answers, and what it holds."""
    c = health.counts
    ok = health.status == "ok"
    dot = "on" if ok else "off"
    state = "Service ready" if ok else "Service degraded"
    # Counts the caller may not see (keys mode, not signed in) are absent, not zero.
    parts = [(c.documents, "documents"), (c.chunks, "passages"), (c.people, "people")]
    held = " · ".join(f"{n:,} {what}" for n, what in parts if n is not None)
    job = "<br>An ingestion job is running" if health.ingest_job else ""
    st.html(
        f'<div class="wc-status"><span class="wc-dot wc-dot-{dot}"></span><b>{state}</b><br>'
        f"{esc(held) or 'Sign in to see what it holds'}{job}<br>"
        f"<span style='color:#6b7280'>{esc(url)}</span></div>"
    )
    for problem in health.problems:
        st.warning(problem, icon=":material/warning:")


def sign_in_form(form_key: str) -> None:
    """An API key (or sign-in token) field; a refused one is said so."""
    notice = session.take_notice()
    if notice:
        st.warning(notice, icon=":material/key_off:")
    with st.form(form_key, border=False):
        key = st.text_input(
            "API key or sign-in token",
            type="password",
            placeholder="wc_… or eyJ…",
            key=f"{form_key}-key",
        )
        submitted = st.form_submit_button("Sign in", icon=":material/login:", type="primary")
    if submitted:
        try:
            refused = session.sign_in(key)
        except ClientError as exc:
            session.show_error(exc)
            return
        if refused:
            st.error(refused, icon=":material/key_off:")
        else:
            st.rerun()
    st.caption(
        "Ask an admin for a key (`python -m service keys create`), or paste a token from "
        "your company's sign-in when the service accepts them. On the service's own "
        "machine, an admin key is in `<data dir>/service.key` while it runs."
    )


def account_box(health: Health, access: Access) -> None:
    """Who the pages answer to, and signing in or out."""
    if access.signed_in:
        role = "admin" if access.admin else "trainer" if access.evals else "reader"
        how = session.signed_in_with()
        st.html(f'<div class="wc-status">Signed in {how} · <b>{role}</b></div>')
        if how.startswith("through"):  # the proxy signs the user in and out
            return
        if st.button("Sign out", icon=":material/logout:", type="tertiary"):
            session.sign_out()
            st.rerun()
        return
    if health.auth_mode == "open":
        demo_identity()
        st.html('<div class="wc-status">Browsing as a guest: public content only.</div>')
        st.caption(
            "**Ingestion** and **Evals** are admin pages, shown once you sign in with an admin "
            f"key. In the Watercooler folder on the service's machine, `{ADMIN_KEY_COMMAND}` "
            "prints one."
        )
        with st.expander("Sign in with an API key"):
            sign_in_form("sidebar-sign-in")


def demo_identity() -> None:
    """Open mode only: act as a person of the directory, to play asker and expert in turn."""
    people = {pid: p for pid, p in session.people_directory().items() if p.in_directory}
    if not people:
        return
    options = ["", *sorted(people, key=lambda pid: people[pid].name.casefold())]
    st.selectbox(
        "Demo identity",
        options,
        format_func=lambda pid: people[pid].name if pid else "Guest (nobody)",
        key=session.DEMO_PERSON,
        help="Demo only (open mode): act as this person to ask, escalate and answer. Not a "
        "sign-in: with API keys, your key says who you are.",
    )
    chosen = session.demo_person()
    if chosen:
        st.html(f'<div class="wc-status">DEMO · acting as <b>{esc(people[chosen].name)}</b></div>')
