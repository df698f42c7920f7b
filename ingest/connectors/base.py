"""What a connector is, and the text builder connectors use to keep block spans exact."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from core.config import SourceConfig
from core.errors import SourceError
from core.schema import Block, Document


class Connector(Protocol):
    """Reads one source: lists its files, turns one file into zero or more documents."""

    source: SourceConfig

    def files(self) -> list[Path]:
        """The files this source reads, sorted (raises SourceError if the root is missing)."""
        ...

    def parse(self, path: Path) -> list[Document]:
        """Documents in one file; raises SourceError with a clear reason if it is unreadable."""
        ...


class TextBuilder:
    """Accumulates blocks into one document text, recording each block's character span."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []

    def add(
        self,
        text: str,
        heading_path: list[str] | None = None,
        time_start: float | None = None,
        time_end: float | None = None,
    ) -> None:
        """Append a block (blank text is ignored); blocks are separated by a blank line."""
        text = text.strip()
        if not text:
            return
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self.blocks.append(
            Block(
                text=text,
                heading_path=list(heading_path or []),
                start=start,
                end=self._length,
                time_start=time_start,
                time_end=time_end,
            )
        )

    @property
    def text(self) -> str:
        """The document text so far."""
        return "".join(self._parts)


def read_text_file(path: Path, max_bytes: int) -> str:
    """Read a text file as UTF-8 (BOM tolerated), refusing empty, oversized or binary files."""
    data = read_bytes(path, max_bytes)
    if b"\x00" in data[:8192]:
        raise SourceError(str(path), "binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), f"not valid UTF-8 (byte {exc.start})") from exc


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file, refusing missing, empty and oversized ones with a clear reason."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise SourceError(str(path), "empty file")
        if size > max_bytes:
            raise SourceError(str(path), f"file too large ({size} bytes > limit {max_bytes})")
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from exc
