"""`service.log_format=json`: `python -m service serve` writes one JSON object per log line."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.jsonlog import JsonFormatter

REPO = Path(__file__).resolve().parents[2]


def test_the_formatter_keeps_extra_fields_and_exceptions() -> None:
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "job %s", "args": ("done",), "run_id": "r1"}
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "job done" and line["run_id"] == "r1" and line["logger"] == "x"
    assert line["time"].endswith("Z")
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.makeLogRecord({"msg": "failed", "exc_info": sys.exc_info()})
    assert "ValueError: boom" in json.loads(JsonFormatter().format(failed))["exception"]


def test_the_served_service_logs_json_lines(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "WATERCOOLER_DATA_DIR": str(tmp_path / "data"),
        "WATERCOOLER_SERVICE__LOG_FORMAT": "json",
        "WATERCOOLER_SERVICE__PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/live").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "did not start"
            time.sleep(0.3)
        httpx.get(f"http://127.0.0.1:{port}/health/ready")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    lines = [line for line in stderr.splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    ready = [e for e in entries if e["message"] == "service ready"]
    assert ready and ready[0]["auth_mode"] == "open" and ready[0]["logger"] == "service.components"
    assert any(e["logger"] == "uvicorn.access" and "/health/ready" in e["message"] for e in entries)
    stray = [line for line in stderr.splitlines() if line.startswith(("INFO", "WARNING"))]
    assert not stray, stray  # nothing in the text format once JSON is chosen
