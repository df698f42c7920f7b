"""`make run` and `make ui` listen on this machine only, unless HOST opens them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.ui.conftest import dead_url

REPO = Path(__file__).resolve().parents[2]
PROC_TCP = Path("/proc/net/tcp")
LISTEN = "0A"
STAMP = ".venv/.installed-stamp"  # never reinstall from a test (-o: treat as up to date)


def _listening_address(port: int) -> str | None:
    """The IPv4 address a socket listens on at `port` (from the kernel's table), or None."""
    for line in PROC_TCP.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == LISTEN and int(hex_port, 16) == port:
            return ".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return None


def _ui_address(*make_vars: str) -> str | None:
    """Start `make ui` with `make_vars`, wait until it listens, stop it; the address."""
    port = int(dead_url().rsplit(":", 1)[1])
    proc = subprocess.Popen(
        ["make", "-o", STAMP, "ui", f"UI_PORT={port}", *make_vars],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while (address := _listening_address(port)) is None:
            assert proc.poll() is None, "make ui exited"
            assert time.monotonic() < deadline, "the UI did not start in 60 s"
            time.sleep(0.3)
        return address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.skipif(not PROC_TCP.exists(), reason="reads the Linux socket table")
def test_the_ui_listens_on_loopback_unless_host_opens_it() -> None:
    assert _ui_address() == "127.0.0.1"
    assert _ui_address("HOST=0.0.0.0") == "0.0.0.0"


def test_make_run_gives_the_service_the_same_host() -> None:
    def dry_run(*make_vars: str) -> str:
        done = subprocess.run(
            ["make", "-n", "-o", STAMP, "run", *make_vars],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        return done.stdout

    assert "serve --host 127.0.0.1 " in dry_run()
    assert "--server.address 127.0.0.1 " in dry_run()
    opened = dry_run("HOST=0.0.0.0")
    assert "serve --host 0.0.0.0 " in opened and "--server.address 0.0.0.0 " in opened
    assert "WATERCOOLER_UI__SERVICE_URL=http://127.0.0.1:" in opened  # the UI calls it locally
