"""GET /insights, /insights/topics/{id}, /insights/training-needs over a real service."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db.insights import insert_questions
from core.embedding import Embedder
from examples.tools.question_log import generate
from service.__main__ import main as service_main
from service.main import create_app
from tests.service.conftest import CORPUS, components, ingest, make_settings

CATALOGUE = Path(__file__).resolve().parents[2] / "examples" / "sample" / "training.yaml"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test corpus with the sample training catalogue in its sources file."""
    folder = tmp_path_factory.mktemp("insights-corpus")
    shutil.copytree(CORPUS / "wiki", folder / "wiki")
    shutil.copy(CORPUS / "people.yaml", folder / "people.yaml")
    shutil.copy(CATALOGUE, folder / "training.yaml")
    (folder / "sources.yaml").write_text(
        "people: people.yaml\ntraining: training.yaml\n"
        "sources:\n  - {name: wiki, kind: wiki, format: markdown, path: wiki}\n",
        encoding="utf-8",
    )
    return folder / "sources.yaml"


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, sources: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The service over the corpus, with a sample log of the last 12 weeks, and keys."""
    settings = make_settings(tmp_path_factory.mktemp("insights-data"))
    settings = settings.model_copy(
        update={"ingest": settings.ingest.model_copy(update={"config": sources})}
    )
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        built = components(client)
        log = generate(4, scale=0.1, end=datetime.now(UTC))
        insert_questions(built.db, [q.__dict__ for q in log])
        _, trainer = built.keys.create("tina", [], "trainer")
        _, reader = built.keys.create("rita", [], "reader")
        yield client, {"trainer": {"X-API-Key": trainer}, "reader": {"X-API-Key": reader}}


def test_only_trainers_and_admins_see_insights(app: Any) -> None:
    client, keys = app
    for path in (
        "/insights",
        "/insights/training-needs",
        "/insights/topics/0",
        "/insights/catalogue",
    ):
        assert client.get(path).status_code == 403
        assert client.get(path, headers=keys["reader"]).status_code == 403


def test_topics_and_drill_down(app: Any) -> None:
    client, keys = app
    response = client.get("/insights", headers=keys["trainer"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["message"] is None and len(report["topics"]) >= 5
    first = report["topics"][0]
    assert first["questions"] == sum(first["weekly"]) and first["label"]
    detail = client.get(f"/insights/topics/{first['id']}", headers=keys["trainer"])
    assert detail.status_code == 200
    questions = detail.json()["questions"]
    assert len(questions) == first["questions"]
    assert all(set(q) == {"question", "asked", "outcome", "reason"} for q in questions)
    missing = client.get("/insights/topics/9999", headers=keys["trainer"])
    assert missing.status_code == 404 and "topic 9999" in missing.json()["detail"]
    assert client.get("/insights?days=3", headers=keys["trainer"]).status_code == 422
    short = client.get("/insights?days=7", headers=keys["trainer"]).json()
    assert short["questions"] < report["questions"]


def test_training_needs_as_json_csv_and_markdown(app: Any, sources: Path) -> None:
    client, keys = app
    needs = client.get("/insights/training-needs", headers=keys["trainer"]).json()
    assert needs["programs"] == 7 and needs["needs"]
    programs = client.get("/insights/catalogue", headers=keys["trainer"]).json()
    assert len(programs) == 7 and programs[0]["last_revised"] == "2025-09-01"
    assert needs["needs"][0]["rank"] == 1
    assert {n["action"] for n in needs["needs"]} <= {"new_program", "change_program"}
    as_csv = client.get("/insights/training-needs?format=csv", headers=keys["trainer"])
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "training-needs.csv" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["topic"] for r in rows] == [n["topic"] for n in needs["needs"]]
    as_md = client.get("/insights/training-needs?format=md", headers=keys["trainer"])
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert as_md.text.startswith("# Training needs, ")
    bad = client.get("/insights/training-needs?format=pdf", headers=keys["trainer"])
    assert bad.status_code == 422


def test_a_bad_catalogue_is_a_400_naming_the_line(app: Any, sources: Path) -> None:
    client, keys = app
    catalogue = sources.parent / "training.yaml"
    good = catalogue.read_text(encoding="utf-8")
    try:
        catalogue.write_text("- {title: A, description: a}\n- {title: A, description: b}\n")
        response = client.get("/insights/training-needs", headers=keys["trainer"])
        assert response.status_code == 400
        assert "line 2: duplicate title 'A' (first on line 1)" in response.json()["detail"]
    finally:
        catalogue.write_text(good, encoding="utf-8")


def test_the_cli_writes_the_reports(
    app: Any, sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = app
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", str(components(client).settings.data_dir))
    monkeypatch.setenv("WATERCOOLER_INGEST__CONFIG", str(sources))
    out = tmp_path / "needs.csv"
    assert service_main(["insights", "needs", "--format", "csv", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("rank,action,score,topic,program")
    topics = tmp_path / "topics.md"
    assert service_main(["insights", "topics", "--output", str(topics)]) == 0
    assert "| topic | questions | trend |" in topics.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        service_main(["insights", "needs", "--days", "0"])
