"""The error every dataset loader raises for a file it cannot use."""

from __future__ import annotations

from pathlib import Path

from core.errors import WatercoolerError


class DatasetError(WatercoolerError):
    """A dataset file is missing or malformed; the message names the file and line."""

    def __init__(self, path: Path | str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason
