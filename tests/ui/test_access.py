"""The service down, signing in when the service wants a key, and a refused key."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.ui.conftest import REPO, Service, app, dead_url, html, no_exception
from ui.sidebar import ADMIN_KEY_COMMAND


def test_a_service_that_does_not_answer_is_one_clear_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = dead_url()
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", url)
    at = app().run()
    no_exception(at)
    assert len(at.error) == 1
    message = at.error[0].value
    assert f"The Watercooler service at {url} is not answering" in message
    assert "make run" in message and "WATERCOOLER_UI__SERVICE_URL" in message
    assert at.button[0].label == "Try again"


def test_keys_mode_asks_for_a_key_and_refuses_a_bad_one(
    keys_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", keys_service.url)
    at = app().run()
    no_exception(at)
    assert "Sign in to Watercooler" in html(at)
    with pytest.raises(ValueError):
        at.switch_page("views/ask.py")  # no page but sign-in is offered without a key
    at.text_input(key="page-sign-in-key").input("wc_not-a-real-key")
    at.button(key="FormSubmitter:page-sign-in-Sign in").click().run()
    no_exception(at)
    assert any("Your API key was refused" in e.value for e in at.error)
    assert "wc_api_key" not in at.session_state

    at.text_input(key="page-sign-in-key").input(keys_service.reader_key)
    at.button(key="FormSubmitter:page-sign-in-Sign in").click().run()
    no_exception(at)
    page = html(at)
    assert "Ask Watercooler" in page and "<b>reader</b>" in page


def test_a_revoked_key_signs_the_user_out(
    keys_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", keys_service.url)
    keys = keys_service.server.components.keys
    entry, key = keys.create("ui-leaver", [], "reader", label="revoked in a test")
    at = app(key).run()
    assert "Ask Watercooler" in html(at)
    keys.revoke(entry.id)
    at.session_state["wc_access"] = None  # as in a new browser session with the same key
    at.run()
    no_exception(at)
    assert "Sign in to Watercooler" in html(at)
    assert any("invalid or revoked" in w.value for w in at.warning)


def test_a_guest_is_told_the_command_that_makes_an_admin_key_and_it_works(
    ui_env: Service,
) -> None:
    at = app().run()
    no_exception(at)
    hint = " ".join(c.value for c in at.sidebar.caption)
    assert "Ingestion" in hint and "Evals" in hint and f"`{ADMIN_KEY_COMMAND}`" in hint
    data_dir = ui_env.server.components.settings.data_dir
    made = subprocess.run(
        [sys.executable, *ADMIN_KEY_COMMAND.split()[1:]],
        cwd=REPO,
        env={**os.environ, "WATERCOOLER_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    at.sidebar.text_input(key="sidebar-sign-in-key").input(made.stdout.strip())
    at.sidebar.button(key="FormSubmitter:sidebar-sign-in-Sign in").click().run()
    no_exception(at)
    at.switch_page("views/ingestion.py").run()  # listed now: the key is an admin's
    no_exception(at)
    assert "Ingestion" in html(at)


def test_a_signed_in_reader_sees_what_the_service_holds_in_keys_mode(
    keys_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", keys_service.url)
    anonymous = app().run()
    no_exception(anonymous)
    assert "Sign in to see what it holds" in html(anonymous)
    assert "0 documents" not in html(anonymous)

    signed_in = app(keys_service.reader_key).run()
    no_exception(signed_in)
    page = html(signed_in)
    # /health without the key shows no counts in keys mode: the sidebar must send the key
    assert re.search(r"[1-9][\d,]* documents · [1-9][\d,]* passages", page), page[:2000]
