"""A real browser: headless Chromium asks on the Ask page, follows a citation to its author;
a trainer sees a real eval run on the Evals page, and verifies a document on the Review page
whose badge then shows on the Ask page; demo identities play the ask-an-expert loop (abstain,
escalate, the expert answers from the Inbox, the paraphrase cites the answer).

Needs Debian's `chromium` (`apt-get install chromium`; .ci/run installs it) and the Python
`playwright` package (dev extras); the browser is never downloaded by Playwright. The screenshot
goes to the test's tmp folder; with WATERCOOLER_UPDATE_SCREENSHOTS=1 (or when it is missing) it
also replaces docs/screenshot-ask.png, docs/screenshot-review.png and docs/screenshot-inbox.png,
the ones the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.embedding import Embedder
from eval.request import RunRequest
from eval.runner import run_eval
from tests.ui.conftest import (
    MEAL_AUTHOR,
    MEAL_QUESTION,
    REPO,
    Service,
    _serve,
    _settings,
    dead_url,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = REPO / "docs" / "screenshot-ask.png"
REVIEW_SCREENSHOT = REPO / "docs" / "screenshot-review.png"
# Expired in the sample's moderation state (examples/tools/moderation.py); this question cites it.
EXPIRED_TITLE = "Information Security Policy"
SECURITY_QUESTION = "Who approves exceptions to the information security policy?"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install '.[dev]')"
)
VIEWPORT = {"width": 1400, "height": 1000}


@pytest.fixture(scope="module")
def ui_url(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free loopback port, pointed at the test service."""
    yield from _streamlit(service.url, tmp_path_factory.mktemp("streamlit") / "streamlit.log")


@pytest.fixture(scope="module")
def moderated(moderated_service: Service) -> Service:
    """The service over the sample with its moderation state (tests/ui/conftest.py)."""
    return moderated_service


@pytest.fixture(scope="module")
def moderated_ui(moderated: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Streamlit pointed at the moderated service."""
    log = tmp_path_factory.mktemp("streamlit-moderated") / "streamlit.log"
    yield from _streamlit(moderated.url, log)


def _streamlit(service_url: str, log: Path) -> Iterator[str]:
    """Run the UI on a free loopback port against `service_url` until the generator closes."""
    url = dead_url()  # a free port, taken by Streamlit below
    port = url.rsplit(":", 1)[1]
    env = {**os.environ, "WATERCOOLER_UI__SERVICE_URL": service_url}
    command = [
        sys.executable, "-m", "streamlit", "run", "ui/app.py",
        "--server.port", port, "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_ask_then_follow_a_citation_to_its_author_in_a_real_browser(
    ui_url: str, tmp_path: Path
) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(ui_url)
            box = page.get_by_placeholder("Ask about a policy")
            box.wait_for(timeout=30_000)
            box.fill(MEAL_QUESTION)
            box.press("Enter")
            page.wait_for_selector("a.wc-cite", timeout=150_000)  # a loaded CI machine
            page.wait_for_selector(".wc-person-name", timeout=30_000)
            answer = page.locator(".wc-answer").inner_text()
            assert "EUR 55" in answer
            assert page.locator("a.wc-cite").count() >= 2
            assert page.locator(".wc-person-name").first.inner_text()
            assert page.locator("#wc-source-1").count() == 1
            page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)  # nothing hovered
            time.sleep(1.0)  # let the last elements settle
            shot = tmp_path / "screenshot-ask.png"
            page.screenshot(path=str(shot))

            # A citation opens its document with the passage marked; its author is a click away.
            page.get_by_role("link", name="Open in context").first.click()
            page.wait_for_selector("mark#wc-cited", timeout=30_000)
            page.get_by_role("link", name=re.compile(MEAL_AUTHOR)).first.click()
            page.wait_for_selector("text=Documents (", timeout=30_000)
            mail = page.locator("a[href^='mailto:']").first.get_attribute("href")
            assert mail == "mailto:liam.oconnor@brightpath.example"
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000
    if os.environ.get("WATERCOOLER_UPDATE_SCREENSHOTS") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)


def _sign_in(page: Any, key: str) -> None:
    """Sign in through the sidebar's API-key form."""
    page.get_by_text("Sign in with an API key").click()
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def _no_error_shown(page: Any) -> None:
    """No Streamlit exception box, traceback or validation error anywhere on the page."""
    assert page.locator("[data-testid='stException']").count() == 0
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "ValidationError" not in body


def test_the_evals_page_shows_a_real_golden_run_in_a_real_browser(
    moderated: Service, moderated_ui: str, embedder: Embedder
) -> None:
    settings = moderated.server.components.settings
    request = RunRequest("golden-smoke", ["hybrid"], ["extractive"], limit=3)
    run_eval(request, settings, runs_dir=settings.eval.runs_dir, embedder=embedder)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(moderated_ui)
            _sign_in(page, moderated.trainer_key)
            page.get_by_role("link", name="Evals").click()
            # The newest run is shown: a golden report with answers that cite document ids.
            page.wait_for_selector("text=Per question", timeout=120_000)
            page.wait_for_selector("text=People to contact", timeout=30_000)
            assert page.get_by_text("Answers", exact=True).count() >= 1  # golden reports only
            _no_error_shown(page)
        finally:
            browser.close()


def test_a_trainer_verifies_on_the_review_page_and_the_ask_page_shows_the_badge(
    moderated: Service, moderated_ui: str, tmp_path: Path
) -> None:
    trainer = {"Authorization": f"Bearer {moderated.trainer_key}"}
    queue = httpx.get(f"{moderated.url}/review/queue", headers=trainer, timeout=30).json()
    doc_id = next(i["document_id"] for i in queue["items"] if i["title"] == EXPIRED_TITLE)
    asked = httpx.post(
        f"{moderated.url}/ask", json={"question": SECURITY_QUESTION}, timeout=60
    ).json()
    cited = [c for c in asked["citations"] if c["document_id"] == doc_id]
    assert cited and "expired" in cited[0]["moderation"]["label"]  # before: shown as expired
    fresh = re.compile(r"expires in (89|90) days")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(moderated_ui)
            _sign_in(page, moderated.trainer_key)
            page.get_by_role("link", name="Review").click()
            page.wait_for_selector("text=documents need a trainer", timeout=60_000)
            page.wait_for_selector(f".st-key-verify-{doc_id} button", timeout=30_000)
            page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)
            time.sleep(1.0)  # let the last elements settle
            shot = tmp_path / "screenshot-review.png"
            page.screenshot(path=str(shot))
            _no_error_shown(page)

            # The expired verification is extended for 90 days from the queue.
            page.locator(f".st-key-verify-{doc_id} button").click()
            page.wait_for_selector(f"text=Verified: {EXPIRED_TITLE}", timeout=30_000)

            page.get_by_role("link", name="Ask").click()
            box = page.get_by_placeholder("Ask about a policy")
            box.wait_for(timeout=30_000)
            box.fill(SECURITY_QUESTION)
            box.press("Enter")
            page.wait_for_selector("a.wc-cite", timeout=150_000)  # a loaded CI machine
            badge = page.locator(".wc-verified", has_text=fresh)
            badge.first.wait_for(timeout=30_000)
            assert badge.first.inner_text().startswith("Verified by")
            _no_error_shown(page)
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000
    if os.environ.get("WATERCOOLER_UPDATE_SCREENSHOTS") == "1" or not REVIEW_SCREENSHOT.exists():
        shutil.copyfile(shot, REVIEW_SCREENSHOT)


INBOX_SCREENSHOT = REPO / "docs" / "screenshot-inbox.png"
BIKE_QUESTION = "Where can I park my bicycle at the London office?"  # the sample can't answer
BIKE_PARAPHRASE = "Where do I leave my bike at the London office?"
BIKE_ANSWER = (
    "Bicycles go in the locked bike store in the basement car park of the London office; "
    "Facilities hands out the access fob."
)


@pytest.fixture(scope="module")
def expert_ui(
    sample_data: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[Service, str]]:
    """A service over its own copy of the sample (the expert's answer is written to its index)
    and the UI pointed at it."""
    data_dir = tmp_path_factory.mktemp("ui-experts") / "data"
    shutil.copytree(sample_data, data_dir, ignore=shutil.ignore_patterns("service.key"))
    shutil.copytree(sample_data.parent / "beir", data_dir.parent / "beir")
    for service in _serve(_settings(data_dir), embedder):
        log = tmp_path_factory.mktemp("streamlit-experts") / "streamlit.log"
        for url in _streamlit(service.url, log):
            yield service, url


def _act_as(page: Any, name: str) -> None:
    """Pick a demo identity in the sidebar."""
    page.locator(".st-key-wc_demo_person input").click(timeout=30_000)
    page.keyboard.type(name)  # the select filters its options; Enter takes the first
    page.keyboard.press("Enter")
    page.wait_for_selector(f"text=acting as {name}", timeout=30_000)


def _ask(page: Any, question: str) -> None:
    page.get_by_role("link", name="Ask").first.click()
    box = page.get_by_placeholder("Ask about a policy")
    box.wait_for(timeout=30_000)
    box.fill(question)
    box.press("Enter")


def test_ask_an_expert_from_abstention_to_a_cited_answer_in_a_real_browser(
    expert_ui: tuple[Service, str], tmp_path: Path
) -> None:
    service, ui = expert_ui
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(ui)
            _act_as(page, "Priya Natarajan")
            _ask(page, BIKE_QUESTION)
            page.get_by_role("button", name="Ask an expert").click(timeout=90_000)
            sent = page.locator("text=/^Sent to .+\\./").first
            sent.wait_for(timeout=60_000)
            expert = re.match(r"Sent to (.+?)\. ", sent.inner_text())
            assert expert, sent.inner_text()
            name = expert.group(1)

            _act_as(page, name)
            page.get_by_role("link", name="Inbox").click()
            page.wait_for_selector(f"text={BIKE_QUESTION}", timeout=60_000)
            page.wait_for_selector("text=from Priya Natarajan", timeout=30_000)
            page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)
            time.sleep(1.0)  # let the last elements settle
            shot = tmp_path / "screenshot-inbox.png"
            page.screenshot(path=str(shot))
            page.get_by_role("textbox", name="Your answer").fill(BIKE_ANSWER)
            page.get_by_role("button", name="Send answer").click()
            page.wait_for_selector(f"text=Answered: {BIKE_QUESTION}", timeout=60_000)
            _no_error_shown(page)

            _act_as(page, "Priya Natarajan")
            _ask(page, BIKE_PARAPHRASE)
            page.wait_for_selector("a.wc-cite", timeout=90_000)
            assert "basement car park" in page.locator(".wc-answer").inner_text()
            page.wait_for_selector("text=Expert answer", timeout=30_000)
            assert page.locator(".wc-person-name").first.inner_text() == name
            _no_error_shown(page)
        finally:
            browser.close()
    request = service.server.components.expert_requests.store.asked_by(
        next(p.id for p in service.server.components.people.list(query="Priya Natarajan"))
    )[0]
    assert request.status == "answered" and request.history[-1].action == "answered"
    assert shot.stat().st_size > 20_000
    if os.environ.get("WATERCOOLER_UPDATE_SCREENSHOTS") == "1" or not INBOX_SCREENSHOT.exists():
        shutil.copyfile(shot, INBOX_SCREENSHOT)
