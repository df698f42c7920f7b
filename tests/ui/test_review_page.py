"""The Review page and moderation badges, with AppTest against a real service.

A trainer sees a flagged document in the queue with its reason, verifies it with one click,
and the Ask page then shows "Verified by ..." on its citation; a reader flags a citation from
the Ask page. The service runs over its own copy of the sample data, so these states never
change what the other UI tests rank.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.embedding import Embedder
from eval.launcher import InProcessLauncher
from service.main import create_app
from tests.service.conftest import LiveServer
from tests.ui.conftest import MEAL_QUESTION, Service, _settings, app, html, no_exception, open_page

REVIEW = "views/review.py"


@pytest.fixture(scope="module")
def review_env(
    sample_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: Embedder,
    monkeypatch_module: pytest.MonkeyPatch,
) -> Iterator[Service]:
    """A service (open mode) over a copy of the sample data, and the UI pointed at it."""
    data_dir = tmp_path_factory.mktemp("ui-review") / "data"
    shutil.copytree(sample_data, data_dir, ignore=shutil.ignore_patterns("service.key"))
    shutil.copytree(sample_data.parent / "beir", data_dir.parent / "beir")
    settings = _settings(data_dir)
    with LiveServer(create_app(settings, embedder=embedder, evals=InProcessLauncher())) as live:
        keys = live.components.keys
        _, admin = keys.create("ui-admin", [], "admin")
        _, trainer = keys.create("ui-trainer", [], "trainer")
        _, reader = keys.create("ui-reader", [], "reader")
        monkeypatch_module.setenv("WATERCOOLER_UI__SERVICE_URL", live.url)
        yield Service(live.url, admin, trainer, reader, live)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def meal_document(service: Service) -> tuple[str, str]:
    """The id and title of the document the meal question is answered from."""
    hit = httpx.get(f"{service.url}/search", params={"q": MEAL_QUESTION}).json()["passages"][0]
    return hit["document_id"], hit["title"]


def test_a_trainer_verifies_from_the_queue_and_the_ask_page_shows_it(
    review_env: Service,
) -> None:
    doc, title = meal_document(review_env)
    reader = {"Authorization": f"Bearer {review_env.reader_key}"}
    r = httpx.post(
        f"{review_env.url}/documents/{doc}/flags", json={"kind": "outdated"}, headers=reader
    )
    assert r.status_code == 201

    at = open_page(app(review_env.trainer_key), REVIEW)
    no_exception(at)
    page = html(at)
    assert title in page and "flagged by 1 person (outdated)" in page
    assert "Flagged by 1 person" in page  # the item's badge
    at.button(key=f"verify-{doc}").click().run(timeout=180)
    no_exception(at)
    assert f"Verified: {title}" in [s.value for s in at.success]
    history = httpx.get(f"{review_env.url}/documents/{doc}/history").json()
    assert [(e["who"], e["to_state"]) for e in history["events"]] == [("ui-trainer", "verified")]
    # Verified and its flag answered: no longer queued for either. (Other tests' feedback on the
    # shared question log may keep it queued for other reasons, e.g. "not helpful" answers.)
    trainer = {"Authorization": f"Bearer {review_env.trainer_key}"}
    queue = httpx.get(f"{review_env.url}/review/queue", headers=trainer).json()
    left = [r for item in queue["items"] if item["document_id"] == doc for r in item["reasons"]]
    assert not any("flag" in r or "verif" in r for r in left), left

    asked = app().run()
    asked.text_input(key="ask_question").input(MEAL_QUESTION)
    asked.button[0].click().run(timeout=180)
    no_exception(asked)
    assert "Verified by ui-trainer · " in html(asked) and "expires in 89 days" in html(asked)


def test_a_reader_flags_a_citation_from_the_ask_page(review_env: Service) -> None:
    at = app(review_env.reader_key).run()
    at.text_input(key="ask_question").input("How many attempts do learners get at a quiz?")
    at.button[0].click().run(timeout=180)
    no_exception(at)
    citation = at.session_state["ask_result"].result.citations[0]
    before = httpx.get(f"{review_env.url}/documents/{citation.document_id}/history").json()
    at.radio(key="flag-kind-citation-1").set_value("unclear")
    at.text_input(key="flag-note-citation-1").input("which quizzes does this cover?")
    at.button(key="flag-send-citation-1").click().run(timeout=180)
    no_exception(at)
    assert "Thanks: a trainer will review it." in [s.value for s in at.success]
    after = httpx.get(f"{review_env.url}/documents/{citation.document_id}/history").json()
    assert len(after["flags"]) == len(before["flags"]) + 1
    assert after["flags"][-1]["kind"] == "unclear"
    assert after["flags"][-1]["note"] == "which quizzes does this cover?"


def test_the_review_page_is_listed_for_trainers_only(review_env: Service) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(app(review_env.reader_key), REVIEW)
    at = open_page(app(review_env.admin_key), REVIEW)
    no_exception(at)
    assert "What needs a trainer" in html(at)
