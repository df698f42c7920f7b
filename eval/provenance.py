"""Where a run's results come from: the settings they depend on and the code and packages."""

from __future__ import annotations

import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from core.config import Settings

PACKAGES = ("watercooler", "sentence-transformers", "torch", "qdrant-edge-py", "llama-index-core")
REPO = Path(__file__).resolve().parent.parent


def run_settings(settings: Settings) -> dict[str, Any]:
    """The settings sections a run's results depend on (no secrets)."""
    sections = ("embedding", "chunking", "retrieval", "experts", "llm")
    dumped: dict[str, Any] = settings.model_dump(mode="json", include=set(sections))
    dumped["llm"].pop("api_key", None)
    return dumped


def environment() -> dict[str, Any]:
    """Git commit, dirty flag, Python and package versions of this run."""
    env: dict[str, Any] = {"python": platform.python_version(), "packages": {}}
    for name in PACKAGES:
        try:
            env["packages"][name] = version(name)
        except PackageNotFoundError:
            env["packages"][name] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=10
        )
        env["git_commit"] = commit.stdout.strip() or None
        env["git_dirty"] = bool(dirty.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        env["git_commit"], env["git_dirty"] = None, None
    return env
