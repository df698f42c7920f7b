"""The Dockerfile agrees with the project: it copies every package, nothing it copies is left
out of the build context by .dockerignore, and its torch is the project's pin."""

from __future__ import annotations

import fnmatch
import re
import tomllib

from tests.deploy.stack import REPO

DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime_copies() -> list[str]:
    """Sources of the runtime stage's COPY lines (not those from the build stage)."""
    runtime = DOCKERFILE.split(" AS runtime", 1)[1]
    return [
        line.split()[1]
        for line in runtime.splitlines()
        if line.startswith("COPY ") and "--from" not in line
    ]


def _ignored(path: str) -> bool:
    """Whether .dockerignore leaves `path` out of the build context (last match wins)."""
    ignored = False
    for raw in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate, pattern = line.startswith("!"), line.lstrip("!")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        pattern = pattern.removeprefix("**/")
        if any(
            fnmatch.fnmatch(p, pattern) or fnmatch.fnmatch(p.split("/")[-1], pattern)
            for p in prefixes
        ):
            ignored = not negate
    return ignored


def test_every_package_is_copied_into_the_image() -> None:
    packages = [
        p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    ]
    copied = _runtime_copies()
    missing = [p for p in packages if p not in copied]
    assert not missing, f"the image lacks {missing}: add a COPY line"


def test_what_the_image_copies_exists_and_reaches_the_build_context() -> None:
    for source in [*_runtime_copies(), "pyproject.toml", "vendor/en_core_web_sm"]:
        assert (REPO / source).exists(), source
        assert not _ignored(source), f"{source} is excluded by .dockerignore"
    assert _ignored(".env") and _ignored("data") and _ignored(".venv")
    assert _ignored("deploy/Caddyfile") and not _ignored("deploy/healthcheck.py")


def test_the_image_installs_the_projects_torch_from_pytorchs_index() -> None:
    pins = [d for d in PYPROJECT["project"]["dependencies"] if d.startswith("torch==")]
    assert len(pins) == 1
    assert f"pip install {pins[0]} --index-url" in DOCKERFILE
    assert f'echo "{pins[0]}" > constraints.txt' in DOCKERFILE
    assert re.search(r"ARG TORCH_VARIANT=cpu\n", DOCKERFILE)
    assert "ARG TORCH_INDEX=https://download.pytorch.org/whl/${TORCH_VARIANT}" in DOCKERFILE
