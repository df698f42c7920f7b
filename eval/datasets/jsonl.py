"""Line-numbered JSONL reading and field checks that name the file and line of a problem."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import DatasetError


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (line number, text without the newline) for every line of a UTF-8 file."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DatasetError(path, f"cannot open: {exc.strerror or exc}") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DatasetError(path, "not UTF-8 text", number) from exc
            yield number, line.rstrip("\r\n")


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line; a bad line raises DatasetError."""
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} (column {exc.colno})"
            raise DatasetError(path, reason, number) from exc
        if not isinstance(value, dict):
            raise DatasetError(path, "expected a JSON object", number)
        yield number, value


def id_field(obj: dict[str, Any], key: str, path: Path, line: int) -> str:
    """A required, non-empty id; integers are accepted and turned into strings."""
    if key not in obj:
        raise DatasetError(path, f"missing field {key!r}", line)
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DatasetError(
            path, f"field {key!r} must be a string, got {type(value).__name__}", line
        )
    if not str(value).strip():
        raise DatasetError(path, f"field {key!r} is empty", line)
    return str(value)


def text_field(obj: dict[str, Any], key: str, path: Path, line: int) -> str:
    """A required string field (it may be empty)."""
    if key not in obj:
        raise DatasetError(path, f"missing field {key!r}", line)
    value = obj[key]
    if not isinstance(value, str):
        raise DatasetError(
            path, f"field {key!r} must be a string, got {type(value).__name__}", line
        )
    return value


def dict_field(obj: dict[str, Any], key: str, path: Path, line: int) -> dict[str, Any]:
    """An optional JSON-object field ({} when absent or null)."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DatasetError(
            path, f"field {key!r} must be an object, got {type(value).__name__}", line
        )
    return value
