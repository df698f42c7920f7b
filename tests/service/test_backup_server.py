"""Backups with a Qdrant server: the collection's snapshot saved and recovered over Qdrant's API.

No Qdrant server can run here, so a stand-in on loopback serves the four snapshot endpoints
(create, download, delete, upload) with Qdrant's paths, parameters and bodies, and checks the
`api-key` header; the collection is an opaque byte string, as a snapshot is to us.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import FastAPI, File, Header, HTTPException, Query, UploadFile
from fastapi.responses import Response

from core.config import Settings
from core.db import Database
from core.errors import VectorIndexError
from service.backup import SNAPSHOT_FILE, backup, restore
from tests.service.conftest import LiveServer, make_settings

API_KEY = "qdrant-test-key-0123456789"


@dataclass
class Qdrant:
    """The stand-in's state: collections' content and the snapshots still on its disk."""

    collections: dict[str, bytes] = field(default_factory=dict)
    snapshots: dict[str, bytes] = field(default_factory=dict)


def stand_in(state: Qdrant) -> FastAPI:
    app = FastAPI()

    def check(key: str | None) -> None:
        if key != API_KEY:
            raise HTTPException(401, "Invalid API key or JWT")

    @app.post("/collections/{name}/snapshots")
    def create(
        name: str, wait: bool = False, api_key: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        check(api_key)
        if name not in state.collections or not wait:
            raise HTTPException(404, f"Collection `{name}` doesn't exist!")
        snapshot = f"{name}-{len(state.snapshots) + 1}.snapshot"
        state.snapshots[snapshot] = state.collections[name]
        return {"result": {"name": snapshot, "size": len(state.collections[name])}, "status": "ok"}

    @app.get("/collections/{name}/snapshots/{snapshot}")
    def download(
        name: str, snapshot: str, api_key: Annotated[str | None, Header()] = None
    ) -> Response:
        check(api_key)
        return Response(state.snapshots[snapshot], media_type="application/octet-stream")

    @app.delete("/collections/{name}/snapshots/{snapshot}")
    def delete(
        name: str, snapshot: str, api_key: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        check(api_key)
        del state.snapshots[snapshot]
        return {"result": True, "status": "ok"}

    @app.post("/collections/{name}/snapshots/upload")
    async def upload(
        name: str,
        snapshot: Annotated[UploadFile, File()],
        priority: Annotated[str, Query()],
        api_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, object]:
        check(api_key)
        assert priority == "snapshot"
        state.collections[name] = await snapshot.read()
        return {"result": True, "status": "ok"}

    return app


@pytest.fixture
def qdrant() -> Iterator[tuple[Qdrant, str]]:
    state = Qdrant()
    with LiveServer(stand_in(state)) as server:
        yield state, server.url


def settings_for(tmp_path: Path, url: str, key: str = API_KEY) -> Settings:
    settings = make_settings(
        tmp_path / "data", index={"backend": "server", "url": url, "api_key": key}
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Database(settings.database_url).dispose()  # the database exists, as the service leaves it
    return settings


def test_the_collection_snapshot_round_trips(tmp_path: Path, qdrant: tuple[Qdrant, str]) -> None:
    state, url = qdrant
    state.collections["watercooler"] = b"points of the first ingestion" * 1000
    settings = settings_for(tmp_path, url)
    report = backup(settings, tmp_path / "backup")
    assert report.index == "server" and report.snapshot_bytes == 29_000
    assert (tmp_path / "backup" / SNAPSHOT_FILE).read_bytes() == state.collections["watercooler"]
    assert state.snapshots == {}  # nothing left on the server's disk
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["snapshot_bytes"] == 29_000

    state.collections["watercooler"] = b"a broken re-ingestion"
    _, aside = restore(settings, tmp_path / "backup")
    assert state.collections["watercooler"] == b"points of the first ingestion" * 1000
    assert (aside / SNAPSHOT_FILE).read_bytes() == b"a broken re-ingestion"
    assert state.snapshots == {}


def test_no_collection_yet_backs_up_the_database_alone(
    tmp_path: Path, qdrant: tuple[Qdrant, str]
) -> None:
    state, url = qdrant
    report = backup(settings_for(tmp_path, url), tmp_path / "backup")
    assert report.snapshot_bytes == 0
    assert not (tmp_path / "backup" / SNAPSHOT_FILE).exists()
    restore(settings_for(tmp_path, url), tmp_path / "backup")
    assert state.collections == {}


def test_a_refused_api_key_is_a_clear_error(tmp_path: Path, qdrant: tuple[Qdrant, str]) -> None:
    state, url = qdrant
    state.collections["watercooler"] = b"x"
    settings = settings_for(tmp_path, url, key="a-wrong-key-0123456789")
    with pytest.raises(VectorIndexError, match="Qdrant answered 401"):
        backup(settings, tmp_path / "backup")
