"""The UI signs in like the API: a pasted OIDC token (AppTest), or the token a sign-in proxy
passes with the browser's requests (`ui.forward_token`, a real browser through Streamlit).

The service runs in keys mode with OIDC beside keys, trusting a provider served on loopback
(tests/service/oidc_provider.py); tokens are minted by the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import LiveServer, ingest, make_settings
from tests.service.oidc_provider import Provider, serve
from tests.ui.conftest import app, html, no_exception

SIGN_IN_KEY = "page-sign-in-key"
SIGN_IN_BUTTON = "FormSubmitter:page-sign-in-Sign in"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The identity provider on a loopback port."""
    yield from serve()


@pytest.fixture(scope="module")
def oidc_service(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, provider: Provider
) -> Iterator[LiveServer]:
    """The service in keys mode, accepting the provider's tokens (admins: group wc-admins)."""
    settings = make_settings(
        tmp_path_factory.mktemp("ui-oidc") / "data",
        service={"auth_mode": "keys"},
        auth=provider.settings(admin_groups=["wc-admins"]),
    )
    ingest(settings, embedder)
    with LiveServer(create_app(settings, embedder=embedder)) as live:
        yield live


def test_a_pasted_token_signs_in_and_a_bad_one_is_refused(
    oidc_service: LiveServer, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", oidc_service.url)
    at = app().run()
    no_exception(at)
    assert "Sign in to Watercooler" in html(at)
    at.text_input(key=SIGN_IN_KEY).input(provider.token("x@example.com", expires_in=-3600))
    at.button(key=SIGN_IN_BUTTON).click().run()
    no_exception(at)
    assert any("the token has expired" in e.value for e in at.error)
    assert "wc_api_key" not in at.session_state

    at.text_input(key=SIGN_IN_KEY).input(provider.token("ana.silva@example.com", ["wc-admins"]))
    at.button(key=SIGN_IN_BUTTON).click().run()
    no_exception(at)
    page = html(at)
    assert "Ask Watercooler" in page
    assert "Signed in with a sign-in token · <b>admin</b>" in page


def test_an_api_key_still_says_so(
    oidc_service: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", oidc_service.url)
    _, key = oidc_service.components.keys.create("ui-script", [], "reader")
    at = app(key).run()
    no_exception(at)
    assert "Signed in with an API key · <b>reader</b>" in html(at)


def test_a_forwarded_token_is_ignored_unless_the_ui_is_told_to_use_it(
    oidc_service: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", oidc_service.url)
    at = app().run()  # AppTest sends no headers: forward_token off or on, nobody is signed in
    no_exception(at)
    assert "Sign in to Watercooler" in html(at)
    monkeypatch.setenv("WATERCOOLER_UI__FORWARD_TOKEN", "true")
    at = app().run()
    no_exception(at)
    assert "Sign in to Watercooler" in html(at)


# A real browser, for what AppTest cannot send: the headers of the browser's own requests.
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"no Chromium at {CHROMIUM}")
def test_the_token_a_sign_in_proxy_passes_signs_the_user_in(
    oidc_service: LiveServer,
    provider: Provider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.ui.test_browser import CHROMIUM_ARGS, _streamlit

    monkeypatch.setenv("WATERCOOLER_UI__FORWARD_TOKEN", "true")  # inherited by Streamlit
    streamlit = _streamlit(oidc_service.url, tmp_path / "streamlit.log")
    ui_url = next(streamlit)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                token = provider.token("ana.silva@example.com", ["wc-admins"])
                proxied = browser.new_context(
                    extra_http_headers={"Authorization": f"Bearer {token}"}
                )
                page = proxied.new_page()
                page.goto(ui_url)
                page.get_by_text("Signed in through your company sign-in").wait_for(timeout=60_000)
                assert page.get_by_role("button", name="Sign out").count() == 0
                expired = browser.new_context(
                    extra_http_headers={
                        "Authorization": f"Bearer {provider.token(expires_in=-3600)}"
                    }
                )
                page = expired.new_page()
                page.goto(ui_url)
                page.get_by_text("Sign in to Watercooler").wait_for(timeout=60_000)
                assert "the token has expired" in page.locator("body").inner_text()
            finally:
                browser.close()
    finally:
        streamlit.close()
