"""GET /metrics: Prometheus text with request, answer and ingestion series, read by its parser."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from core.embedding import Embedder
from service.main import create_app
from service.queue import QueueLauncher, connect
from tests.service.conftest import Callers, components, ingest, make_settings, wait_for_job

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    """An open-mode app of its own (its counters start at zero) over the ingested corpus."""
    settings = make_settings(tmp_path_factory.mktemp("metrics-data"))
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


def scrape(client: TestClient, headers: dict[str, str] | None = None) -> Samples:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_per_route_template(metered: TestClient) -> None:
    before = scrape(metered)
    for doc in ("a", "b", "c"):
        assert metered.get(f"/documents/{doc}").status_code == 404
    assert metered.get("/search", params={"q": "meal allowance"}).status_code == 200
    assert metered.get("/no/such/page").status_code == 404
    after = scrape(metered)
    key = {"method": "GET", "route": "/documents/{document_id}", "status": "404"}
    assert (
        value(after, "watercooler_http_requests_total", **key)
        - value(before, "watercooler_http_requests_total", **key)
        == 3
    )
    search = {"method": "GET", "route": "/search"}
    assert value(after, "watercooler_http_requests_total", **search, status="200") >= 1
    assert value(after, "watercooler_http_request_duration_seconds_count", **search) >= 1
    assert value(after, "watercooler_http_request_duration_seconds_sum", **search) > 0
    slash = {"method": "GET", "route": "/people", "status": "200"}
    people_before = value(before, "watercooler_http_requests_total", **slash)
    assert metered.get("/people/").status_code == 200  # served as /people, counted so
    counted = value(scrape(metered), "watercooler_http_requests_total", **slash)
    assert counted - people_before == 1
    stray = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, "watercooler_http_requests_total", **stray) >= 1
    assert not any("/no/such/page" in str(labels) for _, labels in after)


def test_answers_and_abstentions_are_counted(metered: TestClient) -> None:
    before = scrape(metered)
    answered = metered.post("/ask", json={"question": "What is the daily meal allowance?"})
    abstained = metered.post("/ask", json={"question": "Who won the 1954 football world cup?"})
    assert not answered.json()["abstained"] and abstained.json()["abstained"]
    after = scrape(metered)
    for outcome in ("answered", "abstained"):
        grew = value(after, "watercooler_answers_total", outcome=outcome) - value(
            before, "watercooler_answers_total", outcome=outcome
        )
        assert grew == 1, outcome


def test_ingestion_throughput_is_reported(metered: TestClient) -> None:
    _, key = components(metered).keys.create("metrics-admin", [], "admin")
    admin = {"Authorization": f"Bearer {key}"}
    job = metered.post("/ingest/jobs", json={}, headers=admin)
    assert job.status_code == 202, job.text
    done = wait_for_job(metered.get, job.json()["id"], admin)
    assert done["status"] == "succeeded", done
    samples = scrape(metered)
    assert value(samples, "watercooler_ingest_runs_total", status="succeeded") >= 1
    chunks = done["report"]["totals"]["chunks"]
    seconds = done["report"]["seconds"]
    assert value(samples, "watercooler_ingest_last_run_chunks") == chunks
    assert value(samples, "watercooler_ingest_last_run_seconds") == pytest.approx(seconds)
    if seconds:
        rate = value(samples, "watercooler_ingest_last_run_chunks_per_second")
        assert rate == pytest.approx(chunks / seconds)
    assert value(samples, "watercooler_ingest_running") == 0


def test_keys_mode_shows_metrics_to_admins_only(
    keys_client: TestClient, keys_callers: Callers
) -> None:
    assert keys_client.get("/metrics").status_code == 401
    assert keys_client.get("/metrics", headers=keys_callers.reader).status_code == 403
    samples = scrape(keys_client, keys_callers.admin)
    assert value(samples, "watercooler_ingest_running") == 0


def test_the_queue_depth_is_the_length_of_the_job_queue(
    metered: TestClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert not any(name == "watercooler_queue_depth" for name, _ in scrape(metered))  # no queue
    redis_url = "redis://127.0.0.1:6379/11"  # this helper's database number
    settings = make_settings(
        tmp_path_factory.mktemp("queue-metrics"),
        queue={"redis_url": redis_url, "name": f"deploy-auth-ops-{uuid.uuid4().hex[:8]}"},
    )
    built = components(metered)
    try:
        launcher = QueueLauncher(settings, built.runs, connect(settings))
        launcher.queue.count  # noqa: B018 - reaches Redis, or skips below
    except Exception as exc:  # no Redis here
        pytest.skip(f"no Redis at {redis_url}: {exc}")
    in_process = built.jobs
    try:
        for n in range(2):  # nobody works this queue: the jobs wait
            launcher.queue.enqueue("builtins.print", n)
        built.jobs = launcher
        assert value(scrape(metered), "watercooler_queue_depth") == 2
    finally:
        built.jobs = in_process
        launcher.queue.delete(delete_jobs=True)
