"""What the deployment tests read: the compose files, the Dockerfile, and how to run a command
of theirs on this machine (the repository in place of the image's /app)."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
COMPOSE_FILES = (
    COMPOSE,
    REPO / "docker-compose.dev.yml",
    REPO / "deploy/qdrant-cluster.compose.yml",
)
IMAGE_APP = "/app"
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, $VAR; $$ is a literal $.
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def load(path: Path) -> dict[str, Any]:
    """A compose file as YAML data (anchors and merge keys resolved)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema, as check-jsonschema (a dev dependency) ships it."""
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    schema: dict[str, Any] = json.loads((vendor / "compose-spec.json").read_text("utf-8"))
    return schema


def variables(path: Path) -> set[str]:
    """Names of the variables a compose file interpolates (not the escaped $$ ones)."""
    text = path.read_text(encoding="utf-8").replace("$$", "")
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return {a or b for a, b in VARIABLE.findall(text)}


def unescape(argv: list[str]) -> list[str]:
    """A compose command as the container runs it: `$$` becomes `$`."""
    return [arg.replace("$$", "$") for arg in argv]


def defaults(arg: str) -> str:
    """A compose value with every `${VAR:-default}` at its default (as with an empty .env)."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}", r"\1", arg)


def on_this_machine(argv: list[str], replace: dict[str, str] | None = None) -> list[str]:
    """An image command run from the repository: `python` is this interpreter, /app the repo,
    variables at their defaults, and each `replace` key (a host, a port) swapped for its value
    inside every argument."""
    out = []
    for arg in map(defaults, argv):
        if arg == "python":
            arg = sys.executable
        elif arg.startswith(IMAGE_APP + "/"):
            arg = str(REPO) + arg.removeprefix(IMAGE_APP)
        for old, new in (replace or {}).items():
            arg = arg.replace(old, new)
        out.append(arg)
    return out


def dockerfile_instruction(name: str, stage: str = "runtime") -> str:
    """The last `name` instruction of a Dockerfile stage (continuation lines joined)."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    body = text.split(f" AS {stage}", 1)[1]
    found = re.findall(rf"^{name}\s+(.*)$", body, re.MULTILINE)
    assert found, f"no {name} in the {stage} stage"
    return found[-1].strip()


def exec_form(instruction: str) -> list[str]:
    """The JSON array at the end of a CMD/HEALTHCHECK instruction."""
    start = instruction.index("[")
    argv: list[str] = json.loads(instruction[start:])
    return argv


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def run_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without WATERCOOLER_ settings, on a fresh data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATERCOOLER_")}
    env.update({"WATERCOOLER_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO), **extra})
    return env


def wait_healthy(
    check: list[str], env: dict[str, str], proc: subprocess.Popen[bytes], timeout_s: float
) -> float:
    """Run a healthcheck command until it exits 0; the seconds that took. Fails if `proc` dies."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if proc.poll() is not None:
            raise AssertionError(f"{shlex.join(proc.args)} exited with {proc.returncode}")  # type: ignore[arg-type]
        if (
            subprocess.run(check, env=env, cwd=REPO, capture_output=True, timeout=30).returncode
            == 0
        ):
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"{shlex.join(check)} not healthy after {timeout_s} s")


def stop(proc: subprocess.Popen[bytes], timeout_s: float = 60) -> int:
    """SIGTERM, as `docker stop` sends; the exit code (killed after `timeout_s`)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
