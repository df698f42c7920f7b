"""The Watercooler UI: `streamlit run ui/app.py` (the service must be running; see `make run`).

The entry point checks the service, works out what the caller may use, shows the sidebar
(status, sign-in) and runs the chosen page from ui/views/. Pages a caller may not use are not
listed (the service refuses them anyway).
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from core.api import Health
from core.client import ClientError, ServiceUnavailable, Unauthorized
from ui import nav, session, style
from ui.session import Access
from ui.sidebar import account_box, status_box

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


def pages(health: Health, access: Access | None) -> dict[str, list[st.Page]]:
    """The pages this caller may use, by section (only sign-in while a key is missing)."""
    if access is None:
        return {"": [st.Page(nav.SIGN_IN, title="Sign in", icon=":material/login:", default=True)]}
    knowledge = [
        st.Page(nav.ASK, title="Ask", icon=":material/forum:", default=True),
        st.Page(nav.SEARCH, title="Search", icon=":material/search:"),
        st.Page(nav.PEOPLE, title="People", icon=":material/group:"),
        st.Page(nav.DOCUMENT, title="Document", icon=":material/description:"),
    ]
    if access.signed_in or session.demo_person():
        knowledge.append(st.Page(nav.INBOX, title="Inbox", icon=":material/inbox:"))
    if access.review:
        knowledge.append(st.Page(nav.REVIEW, title="Review", icon=":material/fact_check:"))
    if session.insights_access():
        knowledge.append(st.Page(nav.INSIGHTS, title="Insights", icon=":material/insights:"))
    admin = []
    if access.admin:
        admin.append(st.Page(nav.INGESTION, title="Ingestion", icon=":material/sync:"))
    if access.evals or (access.admin and not access.evals_available):
        admin.append(st.Page(nav.EVALS, title="Evals", icon=":material/analytics:"))
    return {"Knowledge": knowledge, **({"Admin": admin} if admin else {})}


def service_down(url: str, exc: ClientError) -> None:
    """One clear box: where the UI looked, and what to do."""
    st.html(
        '<div class="wc-hero"><h1>Watercooler</h1><p>The UI is up, but it cannot reach '
        "the service.</p></div>"
    )
    st.error(
        f"{exc.message}\n\nTo start everything, run `make run` in the Watercooler folder "
        "(it ingests the sample content, starts the service and this UI). If the service "
        f"runs elsewhere, start the UI with `WATERCOOLER_UI__SERVICE_URL` set (now `{url}`).",
        icon=":material/cloud_off:",
    )
    if st.button("Try again", icon=":material/refresh:"):
        session.health.clear()
        st.rerun()


def caller_access(health: Health) -> Access | None:
    """What the caller may use; None when a key is required and there is none."""
    if health.auth_mode != "open" and not session.api_key():
        return None
    try:
        return session.access()
    except Unauthorized as exc:  # the key was revoked since sign-in
        session.sign_out(exc.message)
        return caller_access(health)


def main() -> None:
    """Check the service, then run the chosen page."""
    st.set_page_config(
        page_title="Watercooler", page_icon="💧", layout="wide", initial_sidebar_state="expanded"
    )
    style.apply()
    st.logo(str(STATIC / "logo.svg"), icon_image=str(STATIC / "icon.svg"), size="large")
    url = session.settings().service_url
    try:
        try:
            health = session.health(url, session.api_key())
        except Unauthorized as exc:  # e.g. an expired token that the sign-in proxy passed
            session.sign_out(exc.message)
            health = session.health(url, session.api_key())
        session.remember_health(health)
        access = caller_access(health)
    except ClientError as exc:
        if not isinstance(exc, ServiceUnavailable):
            log.warning("service check failed", extra={"error": type(exc).__name__})
        service_down(url, exc)
        return
    page = st.navigation(pages(health, access))
    with st.sidebar:
        status_box(health, url)
        if access is not None:
            account_box(health, access)
    page.run()


main()
