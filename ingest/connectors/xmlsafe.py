"""Safe, streaming XML reading for exports and feeds (defusedxml when installed)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from core.errors import SourceError

try:  # defusedxml refuses entity declarations and external references
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse as _iterparse

    _DEFUSED = True
except ImportError:  # pragma: no cover - defusedxml is normally installed
    from xml.etree.ElementTree import iterparse as _iterparse

    class DefusedXmlException(ValueError):  # type: ignore[no-redef]
        """Stand-in so the except clause below stays valid."""

    _DEFUSED = False

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def local(tag: str) -> str:
    """An element's tag without its namespace: '{ns}page' -> 'page'."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """An element's namespace URI, or '' when it has none."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def iterparse(
    data: bytes, path: Path, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, ET.Element]]:
    """Parse events over XML bytes; malformed or unsafe XML raises SourceError."""
    if not _DEFUSED and _DOCTYPE.search(data[:4096]):
        raise SourceError(str(path), "XML with a DOCTYPE declaration is refused (unsafe)")
    try:
        yield from _iterparse(io.BytesIO(data), events=events)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise SourceError(
            str(path), f"malformed XML at line {line}, column {column}: {reason}"
        ) from exc
    except DefusedXmlException as exc:
        raise SourceError(str(path), f"unsafe XML refused ({type(exc).__name__})") from exc


def parse(data: bytes, path: Path) -> ET.Element:
    """The root element of a whole XML document (for small files such as feeds)."""
    root = None
    for _, element in iterparse(data, path):
        root = element
    if root is None:  # pragma: no cover - iterparse raises on empty documents
        raise SourceError(str(path), "no XML root element")
    return root


def sniff(path: Path, max_bytes: int = 65536) -> tuple[str, set[str]]:
    """The root tag's local name and the namespaces declared near the top ('' if unreadable)."""
    namespaces: set[str] = set()
    try:
        with path.open("rb") as handle:
            head = handle.read(max_bytes)
        for event, item in _iterparse(io.BytesIO(head), events=("start-ns", "start")):
            if event == "start-ns":
                namespaces.add(item[1])
            else:
                return local(item.tag), namespaces
    except (OSError, ET.ParseError, DefusedXmlException):
        pass
    return "", namespaces
