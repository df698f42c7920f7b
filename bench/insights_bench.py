"""Insights benchmark: how long the Insights page's requests take over a 100k-question log.

    python -m bench.insights_bench [--questions 100000] [--out bench/insights.json]

The sample log generator (examples/tools/question_log.py) is scaled to `--questions` over 12
weeks and written into a fresh SQLite database; the real service (create_app, TestClient,
real MiniLM embedder) answers a trainer's requests:

    cold          GET /insights on an empty cache: every distinct wording embedded, the topic
                  model fitted on a sample, every question assigned, all cached
    warm          GET /insights with the database cache only (as after a restart): the log
                  read with its cached topics, and summarised
    reopen        GET /insights again: the built report from memory (the log unchanged)
    needs         GET /insights/training-needs (the catalogue's programs embedded)
    drill-down    GET /insights/topics/{largest}
    incremental   1% more questions logged, then GET /insights (only they are embedded)

The page opens with one GET /insights (target: warm < 5 s).
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
        figures["load_s"] = round(time.perf_counter() - start, 2)
        figures["distinct_wordings"] = len({q.question for q in log})
        _, key = built.keys.create("bench-trainer", [], "trainer")
        headers = {"X-API-Key": key}
        figures["cold_s"], _ = _timed(client, "/insights", headers)
        client.app.state.insights._reports.clear()  # type: ignore[attr-defined]
        figures["warm_s"], response = _timed(client, "/insights", headers)
        figures["reopen_s"], _ = _timed(client, "/insights", headers)
        report = response.json()
        figures["topics"] = len(report["topics"])
        figures["needs_s"], _ = _timed(client, "/insights/training-needs", headers)
        largest = report["topics"][0]["id"]
        figures["drill_down_s"], _ = _timed(client, f"/insights/topics/{largest}", headers)
        extra = generate(8, scale=questions / 100 / sample_size(), end=end - timedelta(minutes=1))
        extra = [q for q in extra if q.created > end - timedelta(days=7)]
        insert_questions(built.db, [{**q.__dict__, "id": f"x-{q.id}"} for q in extra])
        figures["incremental_questions"] = len(extra)
        figures["incremental_s"], _ = _timed(client, "/insights", headers)
    for key in ("cold_s", "warm_s", "reopen_s", "needs_s", "drill_down_s", "incremental_s"):
        figures[key] = round(figures[key], 2)
    figures["cpu"] = _cpu()
    figures["cores"] = os.cpu_count()
    figures["load_average"] = os.getloadavg()
    return figures


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
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="insights-bench-") as work:
        figures = run(args.questions, Path(work))
    text = json.dumps(figures, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
