"""Per-browser-session state: the API key, what the caller may do, the client, error display.

The key (an API key, or a sign-in token of the company's identity provider pasted instead)
lives in `st.session_state` only (never in the URL). Behind a sign-in proxy that passes the
user's token to the UI (`Authorization: Bearer`, e.g. oauth2-proxy), `ui.forward_token` makes
that token the caller's key: nobody pastes anything, and a refused one falls back to sign-in.

What a key may do is asked of the service once per key (the service refuses anyway; this
only hides what would be refused): `GET /ingest/jobs` answers admins, `GET /evals/datasets`
answers whoever may run evals.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st

from core.api import AskResponse, DocumentResponse, Health, looks_like_jwt
from core.client import (
    ClientError,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    WatercoolerClient,
)
from core.schema import Person
from ui.config import UISettings, get_ui_settings

# What to do when the service does not answer, in the UI's terms.
UNAVAILABLE_HINT = (
    "Start it with `make run`, or point the UI at it with WATERCOOLER_UI__SERVICE_URL."
)

log = logging.getLogger(__name__)

_KEY = "wc_api_key"
DEMO_PERSON = "wc_demo_person"  # open mode only: the service ignores it in keys mode
_ACCESS = "wc_access"
_NOTICE = "wc_signin_notice"
_HEALTH = "wc_health"
_INSIGHTS = "wc_insights_access"
_REFUSED_FORWARD = "wc_refused_forwarded_token"  # the proxy's token the service refused


@dataclass(frozen=True)
class Access:
    """What the current caller may use, as the service answered."""

    signed_in: bool
    admin: bool
    evals: bool  # the eval endpoints answer this caller
    evals_available: bool  # the service has eval endpoints at all
    review: bool = False  # the review queue answers this caller (trainers, admins)


# Defined here, not in the page: a page script runs anew on every rerun, so a class defined
# there is a new class each time and `isinstance` would miss what an earlier run stored.
@dataclass
class AskView:
    """An answer as the Ask page keeps it across reruns (with the cited documents)."""

    result: AskResponse
    documents: dict[str, DocumentResponse] = field(default_factory=dict)
    rated: str | None = None
    escalated: str | None = None  # where the question went ("With Dev Patel. …")


def settings() -> UISettings:
    """The UI settings (from the environment)."""
    return get_ui_settings()


def api_key() -> str | None:
    """The key or token the user signed in with, else the token their sign-in proxy passed."""
    key = st.session_state.get(_KEY)
    if key:
        return str(key)
    forwarded = forwarded_token()
    return forwarded if forwarded != st.session_state.get(_REFUSED_FORWARD) else None


def forwarded_token() -> str | None:
    """The bearer token of the browser's request when `ui.forward_token` is on (else None)."""
    if not settings().forward_token:
        return None
    scheme, _, token = (st.context.headers.get("Authorization") or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def signed_in_with() -> str:
    """How the caller signed in, in words for the status line."""
    key = api_key()
    if key and key == forwarded_token() and not st.session_state.get(_KEY):
        return "through your company sign-in"
    return "with a sign-in token" if key and looks_like_jwt(key) else "with an API key"


def demo_person() -> str | None:
    """The open-mode demo identity chosen in the sidebar (a directory person id), if any."""
    chosen = st.session_state.get(DEMO_PERSON)
    return str(chosen) if chosen else None


def client(key: str | None = None) -> WatercoolerClient:
    """A client for this session's key (close it: use it in a `with`)."""
    s = settings()
    return WatercoolerClient(
        s.service_url,
        key if key is not None else api_key(),
        timeout=s.timeout_s,
        answer_timeout=s.answer_timeout_s,
        hint=UNAVAILABLE_HINT,
        demo_person=demo_person(),
    )


@st.cache_data(ttl=10, show_spinner=False)
def health(service_url: str, key: str | None = None) -> Health:
    """The service's health as this key may see it, cached for a few seconds (every page shows it).

    In keys mode /health without a key says only ok/unavailable, so the signed-in key is sent;
    it is part of the cache key, so one user's counts are never shown to another.
    """
    s = settings()
    with WatercoolerClient(
        service_url, key, timeout=min(s.timeout_s, 5.0), hint=UNAVAILABLE_HINT
    ) as http:
        return http.health()


def checked_health() -> Health | None:
    """The health the entry point checked in this run (None when it has not)."""
    found = st.session_state.get(_HEALTH)
    return found if isinstance(found, Health) else None


def remember_health(found: Health) -> None:
    """Keep this run's health check for the pages."""
    st.session_state[_HEALTH] = found


def probe(http: WatercoolerClient) -> Access:
    """Ask the service what this client's key may do; raises Unauthorized for a bad key."""
    try:
        http.ingest_jobs(limit=1)
        admin = True
    except Forbidden:
        admin = False
    evals, available = True, True
    try:
        http.eval_datasets()
    except Forbidden:
        evals = False
    except NotFound:
        evals, available = False, False
    try:
        http.review_queue(limit=1)
        review = True
    except (Forbidden, NotFound):
        review = False
    return Access(
        signed_in=http.sends_key,
        admin=admin,
        evals=evals,
        evals_available=available,
        review=review,
    )


def access() -> Access:
    """What this session's caller may do (asked once per key)."""
    key = api_key()
    cached = st.session_state.get(_ACCESS)
    if isinstance(cached, tuple) and cached[0] == (settings().service_url, key):
        found: Access = cached[1]
        return found
    with client() as http:
        found = probe(http)
    st.session_state[_ACCESS] = ((settings().service_url, key), found)
    return found


def sign_in(key: str) -> str | None:
    """Check and keep a key; returns a message for the user when it was refused."""
    key = key.strip()
    if not key:
        return "Paste an API key or a sign-in token first."
    try:
        with client(key) as http:
            found = probe(http)
    except Unauthorized as exc:
        return exc.message
    st.session_state[_KEY] = key
    st.session_state[_ACCESS] = ((settings().service_url, key), found)
    log.info("signed in", extra={"admin": found.admin})
    return None


def sign_out(notice: str | None = None) -> None:
    """Forget the key (and say why, on the next sign-in prompt)."""
    if not st.session_state.get(_KEY) and forwarded_token():  # the proxy's token was refused
        st.session_state[_REFUSED_FORWARD] = forwarded_token()
    st.session_state.pop(_KEY, None)
    st.session_state.pop(_ACCESS, None)
    if notice:
        st.session_state[_NOTICE] = notice


def take_notice() -> str | None:
    """The reason the user was signed out, once."""
    notice = st.session_state.pop(_NOTICE, None)
    return str(notice) if notice else None


def show_error(exc: ClientError) -> None:
    """One clear box for a failed call (never a traceback)."""
    if isinstance(exc, ServiceUnavailable):
        st.error(exc.message, icon=":material/cloud_off:")
    elif isinstance(exc, Unauthorized):
        sign_out(exc.message)
        st.warning(
            f"{exc.message}. Sign in again with a valid API key (in the sidebar).",
            icon=":material/key:",
        )
    elif isinstance(exc, Forbidden):
        st.warning(exc.message, icon=":material/lock:")
    elif isinstance(exc, NotFound):
        st.warning(f"Not found: {exc.message}", icon=":material/search_off:")
    else:
        st.error(exc.message, icon=":material/error:")


@contextmanager
def guarded() -> Iterator[None]:
    """Show a failed service call as a message and stop the page there."""
    try:
        yield
    except ClientError as exc:
        log.info("service call failed", extra={"error": type(exc).__name__})
        show_error(exc)
        st.stop()


@st.cache_data(ttl=60, show_spinner=False)
def _directory(service_url: str, key: str | None) -> dict[str, Person]:
    with client(key) as http:
        return {p.id: p for p in http.people(limit=200).items}


def people_directory() -> dict[str, Person]:
    """Person id → person, from the directory (cached for a minute); empty if it fails."""
    try:
        return _directory(settings().service_url, api_key())
    except ClientError:
        return {}


@st.cache_data(ttl=60, show_spinner=False)
def _document_title(service_url: str, key: str | None, document_id: str) -> str | None:
    try:
        with client(key) as http:
            return http.document(document_id).title
    except NotFound:
        return None


def document_title(document_id: str) -> str | None:
    """A document's title (cached for a minute); None when it is missing, hidden or unreachable."""
    try:
        return _document_title(settings().service_url, api_key(), document_id)
    except ClientError:
        return None


@st.cache_data(ttl=60, show_spinner=False)
def _examples(service_url: str, key: str | None) -> list[str]:
    with client(key) as http:
        return http.examples()


def examples() -> list[str]:
    """Example questions from the service (cached for a minute); none if it fails."""
    try:
        return _examples(settings().service_url, api_key())
    except ClientError as exc:
        log.info("no example questions", extra={"error": type(exc).__name__})
        return []


def insights_access() -> bool:
    """Whether the insights endpoints answer this caller (trainers, admins); asked once per key."""
    key = (settings().service_url, api_key())
    cached = st.session_state.get(_INSIGHTS)
    if isinstance(cached, tuple) and cached[0] == key:
        return bool(cached[1])
    try:
        with client() as http:
            http.training_catalogue()
        allowed = True
    except (Forbidden, NotFound, Unauthorized, ServiceUnavailable):
        allowed = False
    except ClientError:  # e.g. a bad catalogue (400): the endpoint answered this caller
        allowed = True
    st.session_state[_INSIGHTS] = (key, allowed)
    return allowed


def people_names() -> dict[str, str]:
    """Person id → name, from the directory (cached for a minute); empty if it fails."""
    return {pid: person.name for pid, person in people_directory().items()}
