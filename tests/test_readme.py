"""The README is self-contained: every link it makes points at a file in the repository."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PARENT_PATH = re.compile(r"`\.\./[^`]*`")


def test_every_link_stays_in_the_repository_and_exists() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+://", target):
            continue
        path = (REPO / target).resolve()
        assert REPO in path.parents, f"{target} is outside the repository"
        assert path.exists(), f"{target} does not exist"
    assert not PARENT_PATH.findall(text), "a path outside the repository"
