"""How CLIs find the service that owns a data directory, whatever its port.

`python -m service serve` writes the URL clients reach it at to ``<data_dir>/service.url``
when it starts and removes it when it stops. A CLI reads it (and checks that the service
answers: a crash can leave the file behind) before opening the index itself.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

SERVICE_URL_FILE = "service.url"


def url_file(data_dir: Path) -> Path:
    """Where the service announces its URL."""
    return data_dir / SERVICE_URL_FILE


def announce(data_dir: Path, url: str) -> None:
    """Write the service's URL into its data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url_file(data_dir).write_text(url + "\n", encoding="utf-8")


def withdraw(data_dir: Path) -> None:
    """Remove the announcement (the service stopped)."""
    with contextlib.suppress(FileNotFoundError):
        url_file(data_dir).unlink()


def announced_url(data_dir: Path) -> str | None:
    """The URL a service announced in this data directory, if any."""
    try:
        url = url_file(data_dir).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return url.rstrip("/") or None
