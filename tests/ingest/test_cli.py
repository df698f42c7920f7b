"""The ingest CLI's exit statuses: one per error code, and a real mismatch exits 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import (
    ConfigError,
    GenerationError,
    IndexLockedError,
    IndexMismatchError,
    SourceError,
    StorageError,
    VectorIndexError,
)
from core.index.base import CHUNKER_VERSION, IndexMeta
from core.index.edge import EdgeIndex
from ingest.__main__ import EXIT_CONFIG, EXIT_FAILED, EXIT_INDEX, exit_status, main


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (ConfigError.code, EXIT_CONFIG),
        (SourceError.code, EXIT_CONFIG),
        ("validation_error", EXIT_CONFIG),  # the service refused the request body
        ("unauthenticated", EXIT_CONFIG),
        ("forbidden", EXIT_CONFIG),
        (IndexMismatchError.code, EXIT_INDEX),
        (VectorIndexError.code, EXIT_FAILED),
        (StorageError.code, EXIT_FAILED),
        (GenerationError.code, EXIT_FAILED),
        ("interrupted", EXIT_FAILED),
        ("internal", EXIT_FAILED),
        (None, EXIT_FAILED),
    ],
)
def test_each_error_code_has_its_exit_status(code: str | None, status: int) -> None:
    assert exit_status(code) == status


def test_an_index_built_with_another_model_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = EdgeIndex(tmp_path / "index")
    index.ensure(IndexMeta("some-other-model", 768, CHUNKER_VERSION))
    index.close()
    code = main(["run", "--standalone", "--data-dir", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_INDEX
    assert "index mismatch" in err and "some-other-model" in err


def test_an_index_held_by_another_process_exits_1_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = EdgeIndex(tmp_path / "index")
    holder.ensure(IndexMeta("all-MiniLM-L6-v2", 384, CHUNKER_VERSION))
    try:
        with pytest.raises(IndexLockedError):
            EdgeIndex(tmp_path / "index")
        code = main(["run", "--standalone", "--data-dir", str(tmp_path), "--quiet"])
    finally:
        holder.close()
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert code == EXIT_FAILED
    assert "another process" in err and "--service-url" in err
