"""End to end over real HTTP: uvicorn on a loopback port, an empty data dir, ingestion through
the service (endpoint and CLI), then answers, streamed and whole, fetched with httpx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.auth import local_key_path, read_local_key
from core.embedding import Embedder
from ingest.__main__ import main as ingest_cli
from service.main import create_app
from tests.service.conftest import LiveServer, make_settings, wait_for_job
from tests.service.test_ask import PASS_MARK, sse_events


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[LiveServer]:
    """The service on an empty data directory, served by uvicorn."""
    settings = make_settings(tmp_path_factory.mktemp("live"))
    with LiveServer(create_app(settings, embedder=embedder)) as live:
        yield live


@pytest.fixture(scope="module")
def admin(server: LiveServer) -> dict[str, str]:
    """The headers of the service's local admin key."""
    key = read_local_key(local_key_path(server.components.settings))
    assert key is not None
    return {"Authorization": f"Bearer {key}"}


def test_an_empty_service_is_healthy_and_knows_nothing(server: LiveServer) -> None:
    health = httpx.get(f"{server.url}/health")
    assert health.status_code == 200
    report = health.json()
    assert report["status"] == "ok" and report["counts"]["chunks"] == 0
    assert report["index"]["model"] == "all-MiniLM-L6-v2" and report["index"]["dimension"] == 384
    assert report["database_reachable"] is True
    answer = httpx.post(f"{server.url}/ask", json={"question": PASS_MARK}, timeout=30).json()
    assert answer["abstained"] is True
    # Facets are cached per caller and filters: an empty index caches empty counts...
    search = httpx.get(f"{server.url}/search", params={"q": PASS_MARK}, timeout=30).json()
    assert search["facets"]["kinds"] == []


def test_an_ingest_job_runs_in_the_service_and_a_second_one_is_refused(
    server: LiveServer, admin: dict[str, str]
) -> None:
    embedder = server.components.embedder
    with httpx.Client(base_url=server.url, headers=admin, timeout=30) as http:
        # Hold the model while starting: the job cannot get past its first chunk yet.
        with embedder._lock:  # type: ignore[attr-defined]
            started = http.post("/ingest/jobs", json={})
            assert started.status_code == 202
            job = started.json()
            assert job["status"] == "running" and job["source"] is None
            second = http.post("/ingest/jobs", json={"source": "wiki"})
            assert second.status_code == 409
            assert job["id"] in second.json()["detail"]
            assert http.get("/health").json()["ingest_job"] == job["id"]
        done = wait_for_job(http.get, job["id"], admin)
        assert done["status"] == "succeeded", done["error"]
        assert done["report"]["totals"]["new"] == 6
        assert done["report"]["failures"] == []
        assert done["progress"]["parse"] == {"done": 6, "total": 6}
        assert done["progress"]["embed"]["done"] == done["report"]["totals"]["chunks"]
        # ...and a finished job clears them, so the new content is counted at once.
        facets = http.get("/search", params={"q": PASS_MARK}).json()["facets"]
        visible = sum(v["count"] for v in facets["kinds"])  # public passages only
        assert 0 < visible < done["report"]["totals"]["chunks"]
        recent = http.get("/ingest/jobs").json()["items"]
        assert recent[0]["id"] == job["id"] and recent[0]["status"] == "succeeded"
        assert http.post("/ingest/jobs", json={"source": "nope"}).status_code == 400
        assert http.get("/ingest/jobs/not-a-job").status_code == 404


def test_the_ingest_cli_goes_through_the_running_service(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    key = read_local_key(local_key_path(server.components.settings))
    code = ingest_cli(["run", "--service-url", server.url, "--api-key", str(key), "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert f"ingesting through the service at {server.url}" in out.err
    assert "Ingestion report" in out.out and "TOTAL" in out.out
    runs = server.components.runs.latest(limit=1)
    assert runs[0].status == "succeeded" and runs[0].report is not None
    assert runs[0].report["totals"]["unchanged"] == 6  # everything was ingested already
    refused = ingest_cli(["run", "--service-url", server.url, "--api-key", "wc_bad", "--quiet"])
    assert refused == 2


def test_answers_over_http_whole_and_streamed(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answer = http.post("/ask", json={"question": PASS_MARK}).json()
        assert "80 percent" in answer["text"] and answer["citations"]
        with http.stream("POST", "/ask/stream", json={"question": PASS_MARK}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            raw = "".join(response.iter_text())
    events = sse_events(raw)
    names = [name for name, _ in events]
    assert names[0] == "token" and names[-3:] == ["citations", "people", "done"]
    done = events[-1][1]
    assert isinstance(done, dict) and done["text"] == answer["text"]
    assert done["citations"] == answer["citations"]
    health = httpx.get(f"{server.url}/health").json()
    # What an anonymous reader may see: not the hr page (one document, two passages).
    assert health["counts"] == {"documents": 5, "chunks": 10, "people": 4}


def test_the_cli_runs_standalone_when_no_service_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WATERCOOLER_INGEST__CONFIG", str(tmp_path / "missing.yaml"))
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing answers there
    code = ingest_cli(["run", "--service-url", nowhere, "--data-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert "through the service" not in err
    assert code == 2 and "sources file not found" in err  # the standalone path read the config
