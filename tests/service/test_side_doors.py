"""Side doors: redirects built from the Host header, keys in access logs, what /health tells a
caller without a key, and the CORS default."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.config import ServiceSettings
from core.embedding import Embedder
from eval.launcher import InProcessLauncher
from service.access_log import ACCESS_LOGGER
from service.main import create_app
from tests.service.conftest import Callers, LiveServer, components, make_settings

SECRET = "wc_0123456789abcdefghijklmnopqrstuvwxyz"
ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("path", ["/people/", "/health/", "/search/?q=quiz"])
def test_a_trailing_slash_answers_in_place_without_a_redirect(
    client: TestClient, path: str
) -> None:
    response = client.get(path, headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 200
    assert "location" not in response.headers
    assert "evil.example" not in response.text


@pytest.fixture(scope="module")
def logged_server(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[LiveServer]:
    """A service behind uvicorn with its access log on."""
    settings = make_settings(tmp_path_factory.mktemp("access-log"))
    with LiveServer(create_app(settings, embedder=embedder), log_level="info") as live:
        yield live


def test_keys_sent_in_the_query_string_never_reach_the_access_log(
    logged_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(caplog.handler)  # uvicorn's access logger does not propagate
    try:
        for params in ({"api_key": SECRET}, {"key": SECRET, "q": "ann"}, {"Token": SECRET}):
            response = httpx.get(f"{logged_server.url}/people", params=params)
            assert response.status_code == 200  # ignored: keys count only in headers
    finally:
        access.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 3
    assert all(SECRET not in line and "=[redacted]" in line for line in lines), lines
    assert "q=ann" in lines[1]  # other parameters stay readable


def test_health_without_a_key_in_keys_mode_says_only_whether_it_works(
    keys_client: TestClient,
) -> None:
    response = keys_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "auth_mode": "keys"}
    assert keys_client.get("/health", headers={"X-API-Key": "wc_wrong"}).status_code == 401


def test_health_counts_only_what_the_caller_may_see(
    keys_client: TestClient, keys_callers: Callers
) -> None:
    counts = {
        who: keys_client.get("/health", headers=getattr(keys_callers, who)).json()["counts"]
        for who in ("reader", "hr", "admin")
    }
    # The hr page (one document, two passages) counts for the hr reader only.
    assert counts["hr"] == {"documents": 6, "chunks": 12, "people": 4}
    assert counts["reader"] == counts["admin"] == {"documents": 5, "chunks": 10, "people": 4}


def test_cors_is_off_unless_origins_are_configured(client: TestClient) -> None:
    assert ServiceSettings().cors_origins == []
    preflight = client.options(
        "/ask",
        headers={"origin": "http://localhost:8501", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "# WATERCOOLER_SERVICE__CORS_ORIGINS=[]\n" in example  # the default, as it is


@pytest.mark.parametrize("dataset", ["~nobody-such-user/set", "/etc", "{beir}"])
def test_an_eval_run_names_a_listed_dataset_never_a_path(
    tmp_path: Path, embedder: Embedder, dataset: str
) -> None:
    beir = tmp_path / "beir-set"  # a readable BEIR folder outside eval.beir_dir
    beir.mkdir()
    (beir / "corpus.jsonl").write_text('{"_id": "1", "text": "t"}\n', encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    app = create_app(settings, embedder=embedder, evals=InProcessLauncher())
    with TestClient(app) as client:
        _, key = components(client).keys.create("tess", [], "trainer")
        response = client.post(
            "/evals/runs",
            json={"dataset": dataset.format(beir=beir)},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 400, response.text
    assert "choose one from GET /evals/datasets" in response.json()["detail"]
