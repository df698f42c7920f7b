"""The parse stage: small files go to a worker in groups, and a group that breaks a limit is
parsed again file by file, so each file's own failure is reported and the others ingested."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import pytest

from core.config import ChunkingSettings
from core.db import Database, ManifestStore
from core.errors import SourceError
from core.schema import Block, Document, SourceKind, document_id
from core.sources import SourceConfig
from ingest import produce
from ingest.chunking import Chunker
from ingest.items import FileDone, Parsed
from ingest.parse_pool import ParsePool, parse_each
from ingest.people import PeopleResolver
from ingest.produce import Job, ParseStage
from ingest.report import IngestReport
from ingest.sandbox import Limits


class NotesConnector:
    """One document per text file; 'slow' files hang, 'bad' files are refused (picklable)."""

    def __init__(self, source: SourceConfig) -> None:
        self.source = source

    def files(self) -> list[Path]:
        return sorted(self.source.path.glob("*.txt"))

    def parse(self, path: Path) -> list[Document]:
        text = path.read_text()
        if "slow" in path.name:
            time.sleep(60)
        if "bad" in path.name:
            raise SourceError(path.name, "not a note")
        native = path.stem
        return [
            Document(
                id=document_id(self.source.name, native),
                source=self.source.name,
                native_id=native,
                kind=SourceKind.DOC,
                title=native,
                path=path.name,
                text=text,
                blocks=[Block(text=text, start=0, end=len(text))],
            )
        ]


def test_parse_each_keeps_each_items_own_outcome() -> None:
    def task(n: int) -> int:
        if n == 2:
            raise SourceError("x", "two is refused")
        if n == 3:
            raise ValueError("three")
        return n * 10

    assert [outcome[:2] for outcome in parse_each(task, [1, 2, 3])] == [
        (True, 10),
        (False, "two is refused"),
        (False, "cannot parse: three"),
    ]


def test_a_group_over_the_time_limit_is_parsed_file_by_file(
    tmp_path: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    names = ["a.txt", "b-bad.txt", "c-slow.txt", "d.txt", "e.txt"]
    for name in names:
        (notes / name).write_text(f"The note called {name}.")
    config = SourceConfig(name="notes", kind="doc", path=notes)
    monkeypatch.setattr(produce, "connector_for", lambda source, *_: NotesConnector(source))
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    items: queue.Queue[object] = queue.Queue()
    report = IngestReport()
    job = Job(PeopleResolver([]), None, "ctx", report, None, {"notes"})
    chunker = Chunker(ChunkingSettings(), embedder.token_lengths, embedder.token_offsets)
    try:
        with ParsePool(Limits(timeout_s=3, memory_mb=300), workers=1) as pool:
            stage = ParseStage(
                job,
                manifest=ManifestStore(db),
                chunker=chunker,
                pool=pool,
                cache=None,
                items=items,
                max_file_bytes=1 << 20,
                max_unpacked_bytes=1 << 20,
                max_chunks_per_file=100,
            )
            stage.run([config])
    finally:
        db.dispose()
    queued = []
    while not items.empty():
        queued.append(items.get())
    done = {i.path: i.error for i in queued if isinstance(i, FileDone)}
    assert list(done) == names  # in file order
    assert done["b-bad.txt"] == "not a note"
    assert done["c-slow.txt"] is not None and "took longer than 3 s" in done["c-slow.txt"]
    assert [done[n] for n in ("a.txt", "d.txt", "e.txt")] == [None, None, None]
    parsed = [i.doc.native_id for i in queued if isinstance(i, Parsed)]
    assert parsed == ["a", "d", "e"]
    assert [f.path for f in report.failures] == ["b-bad.txt", "c-slow.txt"]
