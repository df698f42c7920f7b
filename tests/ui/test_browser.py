"""A real browser: headless Chromium asks on the Ask page, follows a citation to its author.

Needs Debian's `chromium` (`apt-get install chromium`; .ci/run installs it) and the Python
`playwright` package (dev extras); the browser is never downloaded by Playwright. The screenshot
goes to the test's tmp folder; with WATERCOOLER_UPDATE_SCREENSHOTS=1 (or when it is missing) it
also replaces docs/screenshot-ask.png, the one the README shows.
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

import httpx
import pytest

from tests.ui.conftest import MEAL_AUTHOR, MEAL_QUESTION, REPO, Service, dead_url

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
    url = dead_url()  # a free port, taken by Streamlit below
    port = url.rsplit(":", 1)[1]
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {**os.environ, "WATERCOOLER_UI__SERVICE_URL": service.url}
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
            page.wait_for_selector("a.wc-cite", timeout=60_000)
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
