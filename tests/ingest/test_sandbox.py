"""Parsing under limits: a slow, greedy or crashing parse is reported and the worker replaced."""

from __future__ import annotations

import os
import signal
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import SourceError
from core.sources import SourceConfig
from ingest.connectors.documents import DocumentsConnector
from ingest.sandbox import Limits, Sandbox
from tests.fixtures.hostile import zip_bomb


def echo(value: str) -> str:
    return value


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def greedy(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def refuse(path: str) -> None:
    raise SourceError(path, "not a PDF")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=5, memory_mb=300)) as box:
        yield box


def test_answers_come_back_from_one_long_lived_worker(sandbox: Sandbox) -> None:
    assert sandbox.run("a", echo, "hello") == "hello"
    worker = sandbox._process
    assert sandbox.run("b", greedy, 50) == 50 << 20
    assert sandbox._process is worker  # the same process serves every file


def test_a_parse_that_takes_too_long_is_killed(sandbox: Sandbox) -> None:
    quick = Sandbox(Limits(timeout_s=0.5, memory_mb=300))
    try:
        quick.run("warm", echo, "up")
        started = time.perf_counter()
        with pytest.raises(SourceError, match=r"took longer than 0.5 s to parse"):
            quick.run("slow.pdf", sleepy, 60)
        assert time.perf_counter() - started < 10
        assert quick.run("next", echo, "fine") == "fine"  # a new worker
    finally:
        quick.close()


def test_a_parse_that_needs_too_much_memory_is_stopped(sandbox: Sandbox) -> None:
    with pytest.raises(SourceError, match=r"used more than 300 MB to parse") as caught:
        sandbox.run("big.docx", greedy, 1024)
    assert caught.value.path == "big.docx"
    assert sandbox.run("next", echo, "fine") == "fine"


def test_a_parser_that_dies_is_reported(sandbox: Sandbox) -> None:
    with pytest.raises(SourceError, match=r"the parser stopped \(signal 9\)"):
        sandbox.run("crash.pptx", crash)
    assert sandbox.run("next", echo, "fine") == "fine"


def test_a_files_own_error_keeps_its_reason(sandbox: Sandbox) -> None:
    with pytest.raises(SourceError, match=r"^x\.pdf: not a PDF$"):
        sandbox.run("x.pdf", refuse, "ignored")


def test_a_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    zip_bomb(bomb, 64)
    assert bomb.stat().st_size < 1 << 20
    with zipfile.ZipFile(bomb) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 64 << 20
    connector = DocumentsConnector(
        SourceConfig(name="d", kind="doc", path=tmp_path), 1 << 20, max_unpacked_bytes=32 << 20
    )
    with pytest.raises(SourceError, match=r"unpacks to 64 MB, over the limit of 32 MB"):
        connector.parse(bomb)


def test_a_real_parser_out_of_memory_is_reported_as_such(tmp_path: Path) -> None:
    page = tmp_path / "big.md"
    page.write_text("# Title\n\n" + "A paragraph about the printer and the kettle.\n\n" * 100_000)
    connector = DocumentsConnector(SourceConfig(name="d", kind="doc", path=tmp_path), 50 << 20)
    with (
        Sandbox(Limits(timeout_s=120, memory_mb=32)) as small,
        pytest.raises(SourceError, match=r"used more than 32 MB to parse"),
    ):
        small.run("big.md", connector.parse, page)
