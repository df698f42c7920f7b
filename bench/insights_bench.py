"""Insights benchmark: how long the Insights page's requests take over a 100k-question log.

    python -m bench.insights_bench [--questions 100000 | --quick] [--out bench/insights.json]

The sample log generator (examples/tools/question_log.py) is scaled to `--questions` (`--quick`:
10,000) over 12 weeks and written into a fresh SQLite database; the real service (create_app,
TestClient, real MiniLM embedder) answers a trainer's requests:

    cold          GET /insights on an empty cache: every distinct wording embedded, the topic
                  model fitted on a sample, every question assigned, all cached
    restart_open  a new app over the same database, GET /insights at once (it waits for the
                  start-up job when that is still preparing the report)
    restart_prepare  another restart: how long the start-up job takes to prepare the report
                  (insights.prepare_on_start: the log read with its cached topics, reasons)
    restart_prepared_open  GET /insights once it has: only the caller's summary
    reopen        GET /insights again: the built report from memory (the log unchanged)
    needs         GET /insights/training-needs (the catalogue's programs embedded)
    drill-down    GET /insights/topics/{largest}
    incremental   1% more questions logged, then GET /insights (only they are embedded)

The page opens with one GET /insights (target: < 5 s after a restart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.config import apply_runtime_env, get_settings
from core.db.insights import insert_questions
from examples.tools.question_log import WEEKS, generate, planted_topics

CATALOGUE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "watercooler.yaml"


def sample_size() -> float:
    """The expected number of questions of the sample log at scale 1."""
    return sum(
        t.weekly * sum(1.0 + t.growth * week for week in range(WEEKS)) for t in planted_topics()
    )


def _timed(client: Any, path: str, headers: dict[str, str]) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(path, headers=headers)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
    return elapsed, response


def run(questions: int, work: Path) -> dict[str, Any]:
    """The benchmark's figures (module docstring)."""
    from fastapi.testclient import TestClient

    from service.main import create_app

    end = datetime.now(UTC)
    log = generate(7, scale=questions / sample_size(), end=end - timedelta(hours=1))
    settings = get_settings(data_dir=work, ingest={"config": CATALOGUE})
    figures: dict[str, Any] = {"questions": len(log)}
    with TestClient(create_app(settings)) as client:
        built = client.app.state.components  # type: ignore[attr-defined]
        start = time.perf_counter()
        insert_questions(built.db, [q.__dict__ for q in log])
        figures["load_s"] = time.perf_counter() - start
        figures["distinct_wordings"] = len({q.question for q in log})
        _, key = built.keys.create("bench-trainer", [], "trainer")
        headers = {"X-API-Key": key}
        figures["cold_s"], _ = _timed(client, "/insights", headers)
    # A restart: a new app over the same database; its start-up job prepares the report.
    with TestClient(create_app(settings)) as client:
        figures["restart_open_s"], _ = _timed(client, "/insights", headers)
    with TestClient(create_app(settings)) as client:
        figures["restart_prepare_s"] = _prepared(client)
        figures["restart_prepared_open_s"], response = _timed(client, "/insights", headers)
        figures["reopen_s"], _ = _timed(client, "/insights", headers)
        report = response.json()
        figures["topics"] = len(report["topics"])
        figures["needs_s"], _ = _timed(client, "/insights/training-needs", headers)
        largest = report["topics"][0]["id"]
        figures["drill_down_s"], _ = _timed(client, f"/insights/topics/{largest}", headers)
        extra = generate(8, scale=questions / 100 / sample_size(), end=end - timedelta(minutes=1))
        extra = [q for q in extra if q.created > end - timedelta(days=7)]
        built = client.app.state.components  # type: ignore[attr-defined]
        insert_questions(built.db, [{**q.__dict__, "id": f"x-{q.id}"} for q in extra])
        figures["incremental_questions"] = len(extra)
        figures["incremental_s"], _ = _timed(client, "/insights", headers)
    for name, value in figures.items():
        if name.endswith("_s"):
            figures[name] = round(value, 2)
    figures["cpu"] = _cpu()
    figures["cores"] = os.cpu_count()
    figures["load_average"] = os.getloadavg()
    return figures


def _prepared(client: Any, timeout_s: float = 600.0) -> float:
    """Seconds from the app being up until its start-up job has prepared the report."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        engine = getattr(client.app.state, "insights", None)
        if engine is not None and engine.ready.is_set():
            return time.perf_counter() - start
        time.sleep(0.05)
    raise RuntimeError("the insights start-up job did not finish")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures as JSON (and write them to --out)."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(prog="python -m bench.insights_bench")
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 questions")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as work:
        figures = run(10_000 if args.quick else args.questions, Path(work))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
