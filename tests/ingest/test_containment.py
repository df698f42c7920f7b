"""Sources stay inside their roots: links leading outside, system folders, unreadable entries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from core.errors import ConfigError, SourceError
from core.sources import SourceConfig, load_sources
from ingest.connectors.documents import DocumentsConnector
from ingest.connectors.listing import check_entry, list_files
from ingest.prepare import file_hash_of

REPO = Path(__file__).resolve().parents[2]
SUFFIXES = (".md", ".txt")


def _source(root: Path, **fields: object) -> SourceConfig:
    return SourceConfig(name="docs", kind="doc", path=root, **fields)


def _listed(source: SourceConfig) -> dict[str, str]:
    """Each listed entry (relative) and why it is refused ('' when it may be read)."""
    out = {}
    for path in list_files(source, SUFFIXES):
        try:
            check_entry(source, path)
            out[path.relative_to(source.path).as_posix()] = ""
        except SourceError as exc:
            out[path.relative_to(source.path).as_posix()] = exc.reason
    return out


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """docs/ with a good file, links inside and outside, a link loop; secret/ beside it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("root:hunter2\n")
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "printing.md").write_text("# Printing\n\nUse the 3rd floor printer.\n")
    (docs / "passwd.txt").symlink_to("/etc/passwd")
    (docs / "stolen.md").symlink_to(secret / "passwords.txt")
    (docs / "outside").symlink_to(secret, target_is_directory=True)
    (docs / "alias.md").symlink_to(docs / "guides" / "printing.md")
    (docs / "guides" / "loop").symlink_to(docs, target_is_directory=True)
    return docs


def test_links_leading_outside_are_listed_and_refused(tree: Path) -> None:
    listed = _listed(_source(tree))
    assert listed["guides/printing.md"] == "" and listed["alias.md"] == ""  # inside: followed
    for name in ("passwd.txt", "stolen.md", "outside"):
        assert "link leads outside the source folder" in listed[name], name
    assert "/etc/passwd" in listed["passwd.txt"]
    assert not any("passwords" in name for name in listed)  # the folder was never entered
    assert not any("loop/" in name for name in listed)  # the loop was entered once


def test_following_outside_links_is_a_choice(tree: Path) -> None:
    listed = _listed(_source(tree, follow_outside_links=True))
    assert listed["passwd.txt"] == listed["stolen.md"] == ""
    assert listed["outside/passwords.txt"] == ""


def test_a_single_file_source_is_its_own_root(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A page\n\nText.\n")
    source = _source(page)
    assert list_files(source, SUFFIXES) == [page]
    check_entry(source, page)


@contextmanager
def _unprivileged() -> Iterator[None]:
    """Act as an ordinary user (root reads every file whatever its mode)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def test_unreadable_entries_are_reported_not_raised() -> None:
    top = Path(tempfile.mkdtemp(prefix="wc-unreadable-"))  # a folder 'nobody' may traverse
    try:
        top.chmod(0o755)
        (top / "locked").mkdir()
        (top / "locked" / "inside.md").write_text("# Hidden\n\nText.\n")
        (top / "locked").chmod(0)
        (top / "closed.md").write_text("# Closed\n\nText.\n")
        (top / "closed.md").chmod(0)
        (top / "open.md").write_text("# Open\n\nText.\n")
        (top / "open.md").chmod(0o644)
        source = _source(top)
        with _unprivileged():
            listed = _listed(source)
            with pytest.raises(SourceError, match="cannot read: Permission denied"):
                file_hash_of(top / "closed.md")
            with pytest.raises(SourceError, match="cannot read: Permission denied"):
                DocumentsConnector(source, 1_000_000).parse(top / "closed.md")
        assert listed == {
            "closed.md": "",  # listed; reading it is refused when it is hashed
            "locked": "cannot read folder: Permission denied",
            "open.md": "",
        }
    finally:
        (top / "locked").chmod(0o755)
        shutil.rmtree(top)


def _sources_file(folder: Path, path: str, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "sources.yaml"
    source = {"name": "docs", "kind": "doc", "path": path, **fields}
    config.write_text(yaml.safe_dump({"sources": [source]}))
    return config


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/", "root of the file system"),
        ("/etc", "inside the system folder /etc"),
        ("/proc/self", "inside the system folder /proc"),
        ("/usr/share", "inside the system folder /usr"),
        ("../elsewhere", "outside the sources file's folder"),
    ],
)
def test_source_paths_outside_or_in_system_folders_are_refused(
    tmp_path: Path, path: str, reason: str
) -> None:
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(ConfigError, match=reason):
        load_sources(_sources_file(tmp_path / "config", path))


def test_allow_outside_lets_a_source_leave_its_folder(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    config = _sources_file(tmp_path / "config", "../elsewhere", allow_outside=True)
    assert load_sources(config).sources[0].path == tmp_path / "elsewhere"
    with pytest.raises(ConfigError, match="root of the file system"):  # never '/'
        load_sources(_sources_file(tmp_path / "config", "/", allow_outside=True))


def test_cli_refuses_the_root_with_exit_code_2(tmp_path: Path) -> None:
    config = _sources_file(tmp_path / "config", "/")
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "run", "--config", str(config), "--data-dir", str(data)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "root of the file system" in result.stderr
    assert "Traceback" not in result.stderr
