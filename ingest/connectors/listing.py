"""Listing a source's files without leaving its folder.

The walk never follows a link (to a file or a folder) that resolves outside the source's
folder unless the source allows it (``follow_outside_links``), and it never enters a folder
twice (link loops). What it will not or cannot read is still listed, so that the job reports
it: `check_entry` raises SourceError for such entries — a link leading outside, a folder that
cannot be read — before anything is opened. File names that are not UTF-8 are kept, with
their odd bytes written as '\\xNN' (`escaped`), wherever a name becomes text.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from core.errors import SourceError
from core.sources import SourceConfig


def list_files(source: SourceConfig, suffixes: Collection[str]) -> list[Path]:
    """Files of a source with one of `suffixes`, sorted, skipping hidden files and folders.

    Also lists, for `check_entry` to report: links with one of `suffixes` that lead outside
    the folder, links to folders outside it, and folders that cannot be read.

    Raises:
        SourceError: the source path does not exist or cannot be read.
    """
    root = source.path
    if not root.exists():
        raise SourceError(str(root), "source path does not exist")
    if not root.is_dir():
        return [root]
    real_root = root.resolve()
    found: list[Path] = []
    entered: set[Path] = set()

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in entered:  # a link loop, or a second link to the same folder
            return
        entered.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            found.append(folder)  # check_entry says why it cannot be read
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows links: a link to a folder is a folder
            except OSError:
                found.append(path)
                continue
            outside = entry.is_symlink() and not _inside(path.resolve(), real_root)
            if is_dir:
                if outside and not source.follow_outside_links:
                    found.append(path)
                else:
                    walk(path)
            elif path.suffix.lower() in suffixes:
                found.append(path)

    try:
        walk(root)
    except OSError as exc:
        raise SourceError(str(root), f"cannot read: {exc.strerror or exc}") from exc
    return sorted(set(found))


def check_entry(source: SourceConfig, path: Path) -> None:
    """Refuse an entry of `list_files` that must not or cannot be read.

    Raises:
        SourceError: the entry is a link leading outside the source's folder (unless the
            source follows such links), or a folder that cannot be read.
    """
    root = source.path if source.path.is_dir() else source.path.parent
    if not source.follow_outside_links:
        target = path.resolve()
        if not _inside(target, root.resolve()):
            raise SourceError(
                str(path), f"link leads outside the source folder (to {target}); not followed"
            )
    if path.is_dir():
        try:
            os.scandir(path).close()
        except OSError as exc:
            raise SourceError(str(path), f"cannot read folder: {exc.strerror or exc}") from exc
        raise SourceError(str(path), "a folder, not a file")


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def escaped(name: str) -> str:
    """A name as valid UTF-8: bytes that are not (kept as surrogates by the OS layer) → '\\xNN'."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
