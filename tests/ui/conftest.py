"""UI fixtures: the bundled sample content ingested once, and the real service over it.

`service` is the service in open mode on a loopback port (uvicorn in a thread), with keys for
an admin and a reader; `keys_service` is a second one in keys mode over a copy of the same data.
The pages are tested with Streamlit's AppTest against these, never against canned answers.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings, get_settings
from core.db import Database
from core.embedding import Embedder
from core.index.factory import open_index
from core.sources import bundled_sources_file, load_sources
from eval.launcher import InProcessLauncher
from ingest.job import build_pipeline
from service.main import create_app
from tests.service.conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "ui" / "app.py"
SAMPLE_DOCUMENTS = 94

# Facts of the sample content (examples/sample/README.md, "Facts for the golden set").
MEAL_QUESTION = "What is the daily meal allowance when travelling on business?"
MEAL_AUTHOR = "Liam"  # Liam O'Connor, Finance Director
UNANSWERABLE = "What is the airspeed velocity of an unladen swallow?"
TINY_BEIR = "tiny-beir"


@dataclass
class Service:
    """A running service and keys for its callers."""

    url: str
    admin_key: str
    trainer_key: str
    reader_key: str
    server: LiveServer


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings over `data_dir`; eval runs and BEIR datasets in folders beside it."""
    if "eval" in Settings.model_fields:  # the eval suite's settings (service/routes/evals.py)
        overrides["eval"] = {
            "runs_dir": data_dir.parent / "eval-runs",
            "beir_dir": data_dir.parent / "beir",
        }
    return get_settings(data_dir=data_dir, ingest={"config": bundled_sources_file()}, **overrides)


def _tiny_beir(root: Path) -> None:
    """A three-passage BEIR dataset (corpus, queries, qrels) for a quick eval run."""
    folder = root / TINY_BEIR
    (folder / "qrels").mkdir(parents=True)
    corpus = [
        ("d1", "Expenses", "Claim meals up to 55 euros per day when travelling on business."),
        ("d2", "Content Hub", "A course package may be at most 500 MB in Content Hub."),
        ("d3", "Quizzes", "The pass mark for scored quizzes is 80 percent."),
    ]
    queries = [("q1", "daily meal allowance"), ("q2", "maximum package size")]
    (folder / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": i, "title": t, "text": x}) + "\n" for i, t, x in corpus)
    )
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": i, "text": x}) + "\n" for i, x in queries)
    )
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")


def _ingest(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """Ingest the sample content for real, before any service owns the index."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    index = open_index(settings)
    try:
        pipeline = build_pipeline(
            settings, load_sources(bundled_sources_file()), index=index, embedder=embedder, db=db
        )
        return pipeline.run().to_dict()
    finally:
        index.close()
        db.dispose()


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data directory holding the ingested sample content (ingested once per session)."""
    data_dir = tmp_path_factory.mktemp("ui-sample") / "data"
    _tiny_beir(data_dir.parent / "beir")
    report = _ingest(_settings(data_dir), embedder)
    assert report["totals"]["new"] == SAMPLE_DOCUMENTS and not report["failures"]
    return data_dir


def _serve(settings: Settings, embedder: Embedder) -> Iterator[Service]:
    with LiveServer(create_app(settings, embedder=embedder, evals=InProcessLauncher())) as live:
        keys = live.components.keys
        _, admin = keys.create("ui-admin", [], "admin", label="ui tests")
        _, trainer = keys.create("ui-trainer", [], "trainer", label="ui tests")
        _, reader = keys.create("ui-reader", [], "reader", label="ui tests")
        yield Service(live.url, admin, trainer, reader, live)


@pytest.fixture(scope="session")
def service(sample_data: Path, embedder: Embedder) -> Iterator[Service]:
    """The service over the sample content, in open mode."""
    yield from _serve(_settings(sample_data), embedder)


@pytest.fixture(scope="session")
def keys_service(
    sample_data: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[Service]:
    """A second service in keys mode, over a copy of the data (an index has one owner)."""
    data_dir = tmp_path_factory.mktemp("ui-keys") / "data"
    shutil.copytree(sample_data, data_dir, ignore=shutil.ignore_patterns("service.key"))
    shutil.copytree(sample_data.parent / "beir", data_dir.parent / "beir")
    yield from _serve(_settings(data_dir, service={"auth_mode": "keys"}), embedder)


@pytest.fixture(scope="session")
def moderated_service(
    sample_data: Path, tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[Service]:
    """A service over a copy of the sample with the sample's moderation state
    (examples/tools/moderation.py); a copy, so a trainer's changes stay out of `service`."""
    from examples.tools.moderation import main as write_sample_moderation

    data_dir = tmp_path_factory.mktemp("ui-moderated") / "data"
    shutil.copytree(sample_data, data_dir, ignore=shutil.ignore_patterns("service.key"))
    shutil.copytree(sample_data.parent / "beir", data_dir.parent / "beir")
    db_url = f"sqlite:///{data_dir / 'watercooler.db'}"
    assert write_sample_moderation(["--write", "--db", db_url]) == 0
    yield from _serve(_settings(data_dir), embedder)


@pytest.fixture
def ui_env(service: Service, monkeypatch: pytest.MonkeyPatch) -> Service:
    """Point the UI at the open-mode service."""
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", service.url)
    return service


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def app(api_key: str | None = None, **query: str) -> AppTest:
    """The UI as AppTest runs it, signed in with `api_key`, with query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if api_key:
        at.session_state["wc_api_key"] = api_key
    at.query_params.update(query)
    return at


def open_page(at: AppTest, page: str, **query: str) -> AppTest:
    """Run the app, then switch to `page` (e.g. "views/search.py") and run it."""
    at.run()
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(query)
    return at.run()


def html(at: AppTest) -> str:
    """All the HTML the page drew, as one string."""
    return "\n".join(str(h.value) for h in at.html)


def no_exception(at: AppTest) -> None:
    """The page ran without an uncaught exception."""
    assert not at.exception, [e.value for e in at.exception]
