"""The eval endpoints through real HTTP (TestClient): datasets, start, list, read, charts, roles."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.config import get_settings
from core.embedding import Embedder
from eval.launcher import InProcessLauncher
from service.components import Components
from service.main import create_app
from service.routes.evals import EvalJobs

DATA = Path(__file__).parent / "fixtures"
TINY = str(DATA / "tiny-beir")


@pytest.fixture(scope="module")
def app_client(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """The app in keys mode over an empty index, with reader, trainer and admin keys."""
    root = tmp_path_factory.mktemp("evals-service")
    settings = get_settings(
        data_dir=root / "data",
        service={"auth_mode": "keys"},
        eval={"runs_dir": root / "runs", "beir_dir": DATA},
    )
    served = create_app(settings, embedder=embedder, evals=InProcessLauncher())
    with TestClient(served) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        components: Components = app.state.components
        headers = {}
        for role in ("reader", "trainer", "admin"):
            _, plain = components.keys.create(f"u-{role}", [], role)
            headers[role] = {"Authorization": f"Bearer {plain}"}
        yield client, headers


def _wait(client: TestClient, run_id: str, headers: dict[str, str]) -> Any:
    deadline = time.monotonic() + 120
    while True:
        run = client.get(f"/evals/runs/{run_id}", headers=headers).json()
        if run["status"] != "running":
            return run
        assert time.monotonic() < deadline, "eval run still running after 120 s"
        time.sleep(0.2)


def test_readers_may_not_use_evals(app_client: Any) -> None:
    client, headers = app_client
    assert client.get("/evals/runs", headers=headers["reader"]).status_code == 403
    assert client.get("/evals/datasets").status_code == 401
    body = {"dataset": TINY, "retrievers": ["hybrid"]}
    assert client.post("/evals/runs", json=body, headers=headers["reader"]).status_code == 403


def test_datasets_lists_golden_fitz_gov_and_beir_folders(app_client: Any) -> None:
    client, headers = app_client
    listed = client.get("/evals/datasets", headers=headers["trainer"]).json()
    by_name = {d["name"]: d for d in listed}
    assert by_name[TINY] == {"name": TINY, "kind": "beir", "items": 5}
    assert by_name["fitz-gov"]["kind"] == "beir" and by_name["fitz-gov"]["items"] > 1000
    assert by_name["fitz-gov-cases"]["kind"] == "behaviour"
    assert by_name["fitz-gov-cases"]["items"] > 1000
    assert {d["kind"] for d in listed} <= {"golden", "beir", "behaviour"}


def test_bad_requests_are_400(app_client: Any) -> None:
    client, headers = app_client
    for body in (
        {"dataset": "nope"},
        {"dataset": TINY, "retrievers": ["magic"]},
        {"dataset": TINY, "generators": ["oracle"]},
    ):
        response = client.post("/evals/runs", json=body, headers=headers["trainer"])
        assert response.status_code == 400, body
        assert response.json()["error"] == "bad_request"


def test_run_start_list_read_and_chart(app_client: Any) -> None:
    client, headers = app_client
    body = {"dataset": TINY, "retrievers": ["bm25", "dense", "hybrid"], "limit": 4}
    started = client.post("/evals/runs", json=body, headers=headers["trainer"])
    assert started.status_code == 202 and started.json()["status"] == "running"
    run_id = started.json()["id"]
    run = _wait(client, run_id, headers["admin"])
    assert run["status"] == "succeeded" and run["error"] is None
    report = run["report"]
    assert set(report["retrieval"]) == {"bm25", "dense", "hybrid"}
    assert set(report["retrieval"]["hybrid"]["ndcg@10"]) >= {"mean", "ci_low", "ci_high", "n"}
    assert len(report["questions"]) == 4
    assert report["questions"][0]["retrieved"]["hybrid"]
    listed = client.get("/evals/runs", headers=headers["trainer"]).json()
    assert run_id in [r["id"] for r in listed]
    assert {"id", "dataset", "created", "status"} == set(listed[0])
    chart = client.get(f"/evals/runs/{run_id}/charts/ndcg10.png", headers=headers["trainer"])
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content[:4] == b"\x89PNG"


def test_unknown_runs_and_charts_are_404(app_client: Any) -> None:
    client, headers = app_client
    assert client.get("/evals/runs/nope", headers=headers["admin"]).status_code == 404
    assert client.get("/evals/runs/..", headers=headers["admin"]).status_code == 404
    runs = client.get("/evals/runs", headers=headers["admin"]).json()
    if runs:
        url = f"/evals/runs/{runs[0]['id']}/charts/report.json"
        assert client.get(url, headers=headers["admin"]).status_code == 404


def test_one_run_at_a_time(app_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, headers = app_client
    release = threading.Event()

    def blocked_run(*args: Any, **kwargs: Any) -> None:
        release.wait(30)
        raise RuntimeError("stopped by the test")

    app: FastAPI = client.app
    jobs: EvalJobs = app.state.eval_jobs
    monkeypatch.setattr(jobs.launcher, "run", blocked_run)
    body = {"dataset": TINY, "retrievers": ["hybrid"]}
    first = client.post("/evals/runs", json=body, headers=headers["trainer"])
    second = client.post("/evals/runs", json=body, headers=headers["admin"])
    release.set()
    assert first.status_code == 202
    assert second.status_code == 409 and second.json()["error"] == "job_running"
    assert jobs.wait(30)
