"""The Insights page against a real service over the sample content and a sample question log."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.db.insights import insert_questions
from core.embedding import Embedder
from examples.tools.question_log import generate
from tests.ui.conftest import Service, _serve, _settings, app, no_exception, open_page

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
    assert len(topics) >= 5 and {"topic", "questions", "trend"} <= set(topics.columns)
    assert at.selectbox[0].options  # the drill-down's topics
    questions = at.dataframe[1].value
    assert len(questions) > 0 and "reason" in questions.columns
    assert {b.label for b in at.download_button} >= {"Download CSV", "Download Markdown"}
    # An empty period says so instead of failing.
    at.segmented_control[0].set_value("Last 30 days").run()
    no_exception(at)
    assert at.info[0].value == "No questions were asked in the last 30 days."


def test_readers_get_no_insights(env: Service) -> None:
    at = app(env.reader_key)
    at.run()
    no_exception(at)
    # The page is not in a reader's navigation (the service refuses them anyway).
    with pytest.raises(ValueError, match="insights"):
        at.switch_page(PAGE)
