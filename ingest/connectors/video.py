"""Video transcripts: WebVTT and SRT files, with an optional sidecar '<stem>.yaml'.

Each cue becomes a block with its start and end time in seconds. Sidecar fields: title,
url, presenter (the author), date, tags, groups.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from core.errors import SourceError
from core.schema import Block, Document
from core.sources import SourceConfig
from ingest.connectors.base import file_document, read_text_file, sidecar_meta
from ingest.connectors.listing import list_files

logger = logging.getLogger(__name__)

SUFFIXES = (".vtt", ".srt")
_TIME = r"(?:(\d+):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_LOOKS_TIMED = re.compile(r"^\s*(?:\d+:)*\d+[.,:]\d+.*-|.*-->")  # a timing line, maybe broken
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


class VideoConnector:
    """Reads transcript files; one Document per video."""

    def __init__(self, source: SourceConfig, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        """The .vtt and .srt transcripts under the root."""
        return list_files(self.source, SUFFIXES)

    def parse(self, path: Path) -> list[Document]:
        """The transcript in one file, one block per cue."""
        text = read_text_file(path, self.max_bytes)
        try:
            cues = parse_cues(text, webvtt=path.suffix.lower() == ".vtt")
        except ValueError as exc:
            raise SourceError(str(path), str(exc)) from exc
        if not cues:
            raise SourceError(str(path), "no cues in transcript")
        document = file_document(
            self.source, path, sidecar_meta(path, self.max_bytes), cues, first_title=None
        )
        logger.debug("parsed transcript", extra={"path": document.path, "cues": len(cues)})
        return [document]


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float:
    return (
        int(hours or 0) * 3600
        + int(minutes) * 60
        + int(seconds)
        + int(fraction.ljust(3, "0")) / 1000
    )


def parse_cues(text: str, *, webvtt: bool) -> list[Block]:
    """Cue blocks of a WebVTT or SRT transcript; identical consecutive cues are merged.

    Raises:
        ValueError: a missing WEBVTT header, a malformed timing line, or a cue that ends
            before it starts (with the line number).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if webvtt and not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValueError("line 1: missing 'WEBVTT' header")
    cues: list[Block] = []
    for start_line, block in _blocks(lines, skip_header=webvtt):
        if webvtt and block[0].split(" ", 1)[0].split("\t", 1)[0] in _SKIPPED_BLOCKS:
            continue
        timing_at = next((i for i, line in enumerate(block[:2]) if _LOOKS_TIMED.match(line)), None)
        if timing_at is None:
            raise ValueError(f"line {start_line}: expected a cue timing line 'start --> end'")
        number = start_line + timing_at
        match = _TIMING.match(block[timing_at])
        if not match:
            raise ValueError(
                f"line {number}: malformed cue timing {block[timing_at].strip()!r} "
                "(expected 'hh:mm:ss.mmm --> hh:mm:ss.mmm')"
            )
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end < start:
            raise ValueError(
                f"line {number}: cue ends ({end:.3f}s) before it starts ({start:.3f}s)"
            )
        payload = _payload(block[timing_at + 1 :])
        if not payload:
            continue
        if cues and cues[-1].text == payload:
            cues[-1].time_end = max(cues[-1].time_end or end, end)
        else:
            cues.append(Block(text=payload, time_start=start, time_end=end))
    return cues


def _blocks(lines: list[str], *, skip_header: bool) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                first = number
            current.append(line)
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks[1:] if skip_header and blocks else blocks


def _payload(lines: list[str]) -> str:
    """Cue text without markup: '<v Ana>Hi' becomes 'Ana: Hi'; other tags are dropped."""
    text = " ".join(line.strip() for line in lines)
    text = _VOICE.sub(lambda m: f"{m[1].strip()}: ", text)
    text = _TAG.sub("", _ASS_TAG.sub("", text))
    return " ".join(html.unescape(text).split())
