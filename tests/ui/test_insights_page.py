"""The Insights page against a real service over the sample content and a sample question log."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from core.db.insights import insert_questions
from core.embedding import Embedder
from examples.tools.question_log import generate
from tests.ui.conftest import (
    REPO,
    Service,
    _serve,
    _settings,
    app,
    dead_url,
    no_exception,
    open_page,
)

PAGE = "views/insights.py"


@pytest.fixture(scope="module")
def insights_service(
    sample_data: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[Service]:
    """A service over a copy of the sample data, with a sample log that ended 35 days ago."""
    data_dir = tmp_path_factory.mktemp("ui-insights") / "data"
    shutil.copytree(sample_data, data_dir, ignore=shutil.ignore_patterns("service.key"))
    shutil.copytree(sample_data.parent / "beir", data_dir.parent / "beir")
    for service in _serve(_settings(data_dir), embedder):
        log = generate(9, scale=0.1, end=datetime.now(UTC) - timedelta(days=35))
        insert_questions(service.server.components.db, [q.__dict__ for q in log])
        yield service


@pytest.fixture
def env(insights_service: Service, monkeypatch: pytest.MonkeyPatch) -> Service:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", insights_service.url)
    return insights_service


def test_a_trainer_sees_topics_drill_down_and_training_needs(env: Service) -> None:
    at = open_page(app(env.trainer_key), PAGE)
    no_exception(at)
    assert at.title[0].value == "Insights"
    summary = " ".join(m.value for m in at.markdown)
    assert " questions in **" in summary
    topics = at.dataframe[0].value
    assert len(topics) >= 5 and {"topic", "questions", "trend", "escalated"} <= set(topics.columns)
    assert "Content to fix" in [h.value for h in at.subheader]
    fix = [str(link.proto.label) for link in at.main.get("page_link")]
    assert any("superseded · impact" in label for label in fix), fix
    assert at.selectbox[0].options  # the drill-down's topics
    questions = at.dataframe[1].value
    assert len(questions) > 0 and "reason" in questions.columns
    assert {b.label for b in at.download_button} >= {"Download CSV", "Download Markdown"}
    # An empty period says so instead of failing.
    at.segmented_control[0].set_value("Last 30 days").run()
    no_exception(at)
    # Other tests of the shared service may have asked a few questions in that period.
    assert re.fullmatch(
        r"No questions were asked in the last 30 days\.|Only \d+ questions were asked in the "
        r"last 30 days; topics need at least \d+ \(insights\.min_questions\)\.",
        at.info[0].value,
    ), at.info[0].value


def test_readers_get_no_insights(env: Service) -> None:
    at = app(env.reader_key)
    at.run()
    no_exception(at)
    # The page is not in a reader's navigation (the service refuses them anyway).
    with pytest.raises(ValueError, match="insights"):
        at.switch_page(PAGE)


CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO / "docs" / "screenshot-insights.png"


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="no Chromium (apt-get install chromium)")
def test_the_page_in_a_real_browser(insights_service: Service, tmp_path: Path) -> None:
    """A trainer signs in, opens Insights and sees topics; the screenshot is kept."""
    sync_api = pytest.importorskip("playwright.sync_api")
    url = dead_url()
    env = {**os.environ, "WATERCOOLER_UI__SERVICE_URL": insights_service.url}
    command = [
        sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.port",
        url.rsplit(":", 1)[1], "--server.address", "127.0.0.1", "--server.headless", "true",
    ]  # fmt: skip
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"]
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1300})
                page.goto(url)
                page.get_by_text("Sign in with an API key").click()
                page.get_by_label("API key").fill(insights_service.trainer_key)
                page.get_by_role("button", name="Sign in").click()
                page.get_by_role("link", name="Insights").click()
                page.wait_for_selector("text=questions in", timeout=120_000)
                page.wait_for_selector("text=Why questions failed", timeout=60_000)
                time.sleep(2.0)  # charts settle
                shot = tmp_path / "screenshot-insights.png"
                page.screenshot(path=str(shot), full_page=True)
            finally:
                browser.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert shot.stat().st_size > 20_000
    if os.environ.get("WATERCOOLER_UPDATE_SCREENSHOTS") == "1" or not SCREENSHOT.exists():
        shutil.copyfile(shot, SCREENSHOT)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
