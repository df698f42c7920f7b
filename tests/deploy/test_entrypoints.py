"""The image's commands, run on this machine as the containers run them (no Docker engine here):
the API under uvicorn, the UI under Streamlit and a queue worker, each until its own
healthcheck command, as docker-compose.yml and the Dockerfile write it, says healthy."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from tests.deploy.stack import (
    COMPOSE,
    REPO,
    dockerfile_instruction,
    exec_form,
    free_port,
    load,
    on_this_machine,
    run_env,
    stop,
    wait_healthy,
)

REDIS_URL = "redis://127.0.0.1:6379/13"  # this suite's own database number
START_TIMEOUT_S = 240  # a loaded 2-core machine loads torch and the model slowly


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:  # type: ignore[type-arg]
    return load(COMPOSE)["services"]


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_the_image_defaults_are_the_api_and_its_readiness() -> None:
    cmd = exec_form(dockerfile_instruction("CMD"))
    assert cmd == ["python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
    check = exec_form(dockerfile_instruction("HEALTHCHECK"))
    assert check == ["python", "/app/deploy/healthcheck.py"]
    assert dockerfile_instruction("USER") == "watercooler"


def test_api_command_serves_and_passes_its_healthcheck(services: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    api = services["api"]
    port = str(free_port())
    swap = {"0.0.0.0": "127.0.0.1", "8000": port}
    argv = on_this_machine(api["command"], swap)
    check = on_this_machine(api["healthcheck"]["test"][1:], swap)
    env = run_env(tmp_path / "data", WATERCOOLER_SERVICE__AUTH_MODE="keys")
    proc = _start(argv, env, tmp_path / "api.log")
    try:
        wait_healthy(check, env, proc, START_TIMEOUT_S)
        # The Dockerfile's HEALTHCHECK (no URL: $HEALTHCHECK_URL or the API's readiness).
        image_check = on_this_machine(exec_form(dockerfile_instruction("HEALTHCHECK")))
        url = f"http://127.0.0.1:{port}/health/ready"
        ok = subprocess.run(image_check, env={**env, "HEALTHCHECK_URL": url}, capture_output=True)
        assert ok.returncode == 0, ok.stdout
        # SIGTERM (docker stop): a clean exit
        assert stop(proc) == 0, (tmp_path / "api.log").read_text(errors="replace")[-2000:]
    finally:
        stop(proc)
    after = subprocess.run(check, env=env, capture_output=True, text=True)
    assert after.returncode == 1 and "refused" in after.stdout


def test_ui_command_serves_and_passes_its_healthcheck(services: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    ui = services["ui"]
    port = str(free_port())
    swap = {"0.0.0.0": "127.0.0.1", "8501": port}
    argv = on_this_machine(ui["command"], swap)
    check = on_this_machine(ui["healthcheck"]["test"][1:], swap)
    env = run_env(tmp_path / "data", **{k: str(v) for k, v in ui["environment"].items()})
    proc = _start(argv, env, tmp_path / "ui.log")
    try:
        wait_healthy(check, env, proc, START_TIMEOUT_S)
    finally:
        stop(proc)


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"deploy-images-{uuid.uuid4().hex[:8]}"
    yield name
    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(f"*{name}*"))
    if keys:
        redis.delete(*keys)
    redis.close()


def test_worker_command_registers_and_passes_its_healthcheck(
    services: dict,  # type: ignore[type-arg]
    tmp_path: Path,
    queue_name: str,
) -> None:
    worker = services["worker"]
    argv = on_this_machine(worker["command"])
    check = on_this_machine(worker["healthcheck"]["test"][1:])
    # The embedded index with the queue switched on: no Qdrant server runs here.
    env = run_env(
        tmp_path / "data",
        WATERCOOLER_QUEUE__ENABLED="true",
        WATERCOOLER_QUEUE__REDIS_URL=REDIS_URL,
        WATERCOOLER_QUEUE__NAME=queue_name,
    )
    before = subprocess.run(check, env=env, capture_output=True, text=True)
    assert before.returncode == 1 and "no worker" in before.stdout
    proc = _start(argv, env, tmp_path / "worker.log")
    log = tmp_path / "worker.log"
    try:
        wait_healthy(check, env, proc, START_TIMEOUT_S)
        # SIGTERM, then as long as `docker stop` waits before killing it
        grace = float(worker["stop_grace_period"].removesuffix("s"))
        assert stop(proc, grace) == 0, log.read_text(errors="replace")[-2000:]
    finally:
        stop(proc)
    after = subprocess.run(check, env=env, capture_output=True, text=True)
    assert after.returncode == 1, after.stdout  # a stopped worker leaves no registration


def test_worker_check_reports_an_unreachable_redis(services: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    check = on_this_machine(services["worker"]["healthcheck"]["test"][1:])
    dead = f"redis://127.0.0.1:{free_port()}/0"
    env = run_env(tmp_path / "data", WATERCOOLER_QUEUE__REDIS_URL=dead)
    result = subprocess.run(check, env=env, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout.startswith("redis:")
