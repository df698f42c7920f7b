"""The ingest CLI finds the service running on its data directory, on any port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from core.discovery import url_file

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sources(path: Path, name: str, folder: str) -> Path:
    source = {"name": name, "kind": "wiki", "format": "markdown", "path": folder}
    path.write_text(yaml.safe_dump({"sources": [source]}))
    return path


def _wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, "the service exited"
        assert time.monotonic() < deadline, "the service did not start in 180 s"
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code in (200, 503):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


def test_the_cli_ingests_another_sources_file_through_the_running_service(
    tmp_path: Path,
) -> None:
    shutil.copytree(SAMPLE / "wiki-md" / "security", tmp_path / "security")
    shutil.copytree(SAMPLE / "wiki-md" / "oncall", tmp_path / "oncall")
    own = _sources(tmp_path / "own.yaml", "security", "security")
    other = _sources(tmp_path / "other.yaml", "oncall", "oncall")
    data_dir, port = tmp_path / "data", _free_port()
    env = {
        **os.environ,
        "WATERCOOLER_DATA_DIR": str(data_dir),
        "WATERCOOLER_INGEST__CONFIG": str(own),
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, service)
        assert url_file(data_dir).read_text().strip() == url
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "ingest",
                "run",
                "--data-dir",
                str(data_dir),
                "--config",
                str(other),
                "--quiet",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert f"ingesting through the service at {url}" in done.stderr
        assert "oncall" in done.stdout and "security" not in done.stdout
        assert httpx.get(f"{url}/health").json()["counts"]["documents"] > 0
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=60)
    assert not url_file(data_dir).exists(), "the announcement outlived the service"
