"""Pinned Debian packages fetched without root and unpacked once into a cache folder.

    unpacked(name, version) → <cache>/<name>_<version>/root/   (the package's file tree)

`apt-get download name=version` fetches the .deb into <cache>/<name>_<version>/ and
`dpkg-deb -x` unpacks it beside it (the way `bench.corpus` builds its corpus, which eval does
not import). The default cache is ~/.cache/watercooler/eval-data; a finished unpack is marked
with `unpacked.ok`, so a killed run starts over instead of reading half a tree. A pin the
archive no longer has raises `DatasetError` naming the package.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from core.errors import DatasetError

log = logging.getLogger(__name__)

DEFAULT_CACHE = Path.home() / ".cache" / "watercooler" / "eval-data"
_DONE = "unpacked.ok"
_TIMEOUT_S = 300  # a documentation package is a few MB; the mirror answers in seconds


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, check=False, timeout=_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DatasetError(what, f"{command[0]} failed: {exc}") from exc
    if done.returncode:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise DatasetError(what, f"{' '.join(command[:2])} failed: {last}")


def _folder(name: str, version: str, cache: Path | None) -> Path:
    return (cache or DEFAULT_CACHE) / f"{name}_{version.replace(':', '%3a')}"


def is_unpacked(name: str, version: str, cache: Path | None = None) -> bool:
    """Whether the package is already in the cache (nothing is downloaded)."""
    return (_folder(name, version, cache) / _DONE).is_file()


def unpacked(name: str, version: str, cache: Path | None = None) -> Path:
    """The root of the unpacked package tree, downloading and unpacking it when not cached."""
    what = f"debian package {name}={version}"
    folder = _folder(name, version, cache)
    root = folder / "root"
    if (folder / _DONE).is_file():
        return root
    folder.mkdir(parents=True, exist_ok=True)
    pattern = f"{name}_{version.replace(':', '%3a')}_*.deb"
    if not sorted(folder.glob(pattern)):
        _run(["apt-get", "download", f"{name}={version}"], folder, what)
    archives = sorted(folder.glob(pattern))
    if not archives:
        raise DatasetError(what, "apt-get download left no archive")
    shutil.rmtree(root, ignore_errors=True)
    _run(["dpkg-deb", "-x", str(archives[0]), str(root)], folder, what)
    (folder / _DONE).write_text(archives[0].name, encoding="utf-8")
    log.info("debian package unpacked", extra={"package": name, "version": version})
    return root
