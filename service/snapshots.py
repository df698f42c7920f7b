"""Qdrant server snapshots for backups (`index.backend=server`), through Qdrant's REST API.

    save     POST /collections/{c}/snapshots?wait=true, download the file it names, then
             delete it from the server's disk
    recover  POST /collections/{c}/snapshots/upload?priority=snapshot (the collection becomes
             the snapshot's content)

Sent with `index.api_key` as Qdrant's `api-key` header. A collection snapshot holds the shards of
the node that answers: on a multi-node cluster snapshot each node (Qdrant's documentation on
snapshots), or re-ingest from the sources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.config import Settings
from core.errors import ConfigError, VectorIndexError

log = logging.getLogger(__name__)

TRANSFER_TIMEOUT_S = 3600.0  # a large collection's snapshot takes a while to make and move


@contextmanager
def _qdrant(settings: Settings, action: str) -> Iterator[httpx.Client]:
    """A client of the configured Qdrant server; HTTP failures become VectorIndexError."""
    index = settings.index
    if not index.url:
        raise ConfigError("index.url is not set: where is the Qdrant server?")
    headers = {"api-key": index.api_key.get_secret_value()} if index.api_key else {}
    timeout = httpx.Timeout(TRANSFER_TIMEOUT_S, connect=index.timeout_s)
    try:
        with httpx.Client(base_url=index.url.rstrip("/"), headers=headers, timeout=timeout) as http:
            yield http
    except httpx.HTTPStatusError as exc:
        detail = exc.response.text[:500]
        raise VectorIndexError(
            f"{action} failed: Qdrant answered {exc.response.status_code}: {detail}"
        ) from exc
    except httpx.HTTPError as exc:
        raise VectorIndexError(f"{action} failed: {exc}") from exc


def save_snapshot(settings: Settings, target: Path) -> int:
    """Snapshot the collection into `target`; its size in bytes (0: no collection yet)."""
    collection = settings.index.collection
    base = f"/collections/{collection}/snapshots"
    with _qdrant(settings, f"snapshot of collection {collection!r}") as http:
        made = http.post(base, params={"wait": "true"})
        if made.status_code == 404:
            return 0
        made.raise_for_status()
        name = made.json()["result"]["name"]
        try:
            with http.stream("GET", f"{base}/{name}") as response:
                response.raise_for_status()
                with target.open("wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
        finally:  # the server keeps no copy: backups live where the operator put them
            http.delete(f"{base}/{name}")
    size = target.stat().st_size
    log.info("index snapshot saved", extra={"collection": collection, "bytes": size})
    return size


def recover_snapshot(settings: Settings, source: Path) -> None:
    """Replace the collection with the snapshot at `source`."""
    collection = settings.index.collection
    with (
        _qdrant(settings, f"recovery of collection {collection!r}") as http,
        source.open("rb") as snapshot,
    ):
        response = http.post(
            f"/collections/{collection}/snapshots/upload",
            params={"priority": "snapshot", "wait": "true"},
            files={"snapshot": (source.name, snapshot, "application/octet-stream")},
        )
        response.raise_for_status()
    log.info("index snapshot recovered", extra={"collection": collection})
