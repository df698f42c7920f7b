"""The stores' healthcheck commands, exactly as docker-compose.yml writes them, run here: Redis's
and PostgreSQL's against the real servers on this machine, Qdrant's (bash asking /readyz over
/dev/tcp: the image has no curl) against a stand-in answering 200 or 503 on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.deploy.stack import COMPOSE, REPO, free_port, load, unescape

CLUSTER = REPO / "deploy/qdrant-cluster.compose.yml"


def _test(service: str, path: Any = COMPOSE) -> list[str]:
    """A service's healthcheck test as the container runs it (CMD form, $$ unescaped)."""
    test = load(path)["services"][service]["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return ["sh", "-c", unescape(test[1:])[0]]
    assert test[0] == "CMD"
    return unescape(test[1:])


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env or None)


class _Readyz(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b"all shards are ready" if self.status == 200 else b"some shards are not ready"
        self.send_response(self.status if self.path == "/readyz" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def readyz() -> Iterator[tuple[int, type[_Readyz]]]:
    handler = type("Handler", (_Readyz,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], handler
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("where", [(COMPOSE, "qdrant"), (CLUSTER, "qdrant-2")], ids=str)
def test_qdrant_check_passes_on_ready_and_fails_otherwise(
    readyz: tuple[int, type[_Readyz]], where: tuple[Any, str]
) -> None:
    port, handler = readyz
    argv = [arg.replace("127.0.0.1/6333", f"127.0.0.1/{port}") for arg in _test(where[1], where[0])]
    assert argv[0] == "bash"
    assert _run(argv).returncode == 0
    handler.status = 503  # up, but shards not ready
    assert _run(argv).returncode != 0
    closed = [a.replace(f"127.0.0.1/{port}", f"127.0.0.1/{free_port()}") for a in argv]
    assert _run(closed).returncode != 0


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="needs redis-cli")
def test_redis_check_against_the_real_server() -> None:
    # The local Redis has no password; REDISCLI_AUTH is how the container passes its own.
    argv = _test("redis")
    assert _run(argv, PATH="/usr/bin:/bin").returncode == 0
    wrong_port = ["sh", "-c", argv[2].replace("redis-cli", f"redis-cli -p {free_port()}")]
    assert _run(wrong_port, PATH="/usr/bin:/bin").returncode != 0
    assert load(COMPOSE)["services"]["redis"]["environment"]["REDISCLI_AUTH"]


@pytest.mark.skipif(shutil.which("pg_isready") is None, reason="needs pg_isready")
def test_postgres_check_against_the_real_server() -> None:
    # In the container pg_isready uses the local socket; here PGHOST points it at 127.0.0.1.
    argv = _test("postgres")
    assert _run(argv, PGHOST="127.0.0.1", PATH="/usr/bin:/bin").returncode == 0
    down = _run(argv, PGHOST="127.0.0.1", PGPORT=str(free_port()), PATH="/usr/bin:/bin")
    assert down.returncode != 0


def test_caddy_check_asks_its_admin_endpoint(readyz: tuple[int, type[_Readyz]]) -> None:
    argv = _test("caddy")
    assert argv[:3] == ["wget", "-q", "-O"] and argv[-1] == "http://127.0.0.1:2019/config/"
    if shutil.which("wget"):
        port, _ = readyz  # 404 on /config/: wget fails, as it must on an error status
        assert _run([*argv[:-1], f"http://127.0.0.1:{port}/config/"]).returncode != 0
        assert _run([*argv[:-1], f"http://127.0.0.1:{port}/readyz"]).returncode == 0


def test_url_check_says_why_it_failed(readyz: tuple[int, type[_Readyz]]) -> None:
    port, handler = readyz
    script = [sys.executable, str(REPO / "deploy/healthcheck.py")]
    ok = _run([*script, f"http://127.0.0.1:{port}/readyz"])
    assert ok.returncode == 0 and ok.stdout.strip().endswith(": 200")
    handler.status = 503
    down = _run([*script, f"http://127.0.0.1:{port}/readyz", "--timeout", "2"])
    assert down.returncode == 1 and "503 some shards are not ready" in down.stdout
    missing = _run([*script], HEALTHCHECK_URL=f"http://127.0.0.1:{port}/nowhere")
    assert missing.returncode == 1 and "404" in missing.stdout
