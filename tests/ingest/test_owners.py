"""CODEOWNERS-style owners files: gitignore matching, last match wins, malformed lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.errors import ConfigError
from ingest.owners import OwnersFile
from tests.ingest.connector_support import FIXTURES

OWNERS = FIXTURES / "owners" / "OWNERS"
HELPDESK = [(None, "it-helpdesk@acme.example")]


@pytest.fixture(scope="module")
def owners() -> OwnersFile:
    return OwnersFile.load(OWNERS)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("README.md", HELPDESK),  # '*' matches at any depth
        ("a/b/report.pdf", [("Legal Team", "legal@acme.example")]),
        (
            "handbook/leave.docx",  # '/handbook/' anchors to the root and owns everything under it
            [(None, "hr@acme.example"), ("Priya Raman", "priya.raman@acme.example")],
        ),
        (
            "handbook/forms/expenses.pdf",  # last matching line wins over '*.pdf'
            [(None, "hr@acme.example"), ("Priya Raman", "priya.raman@acme.example")],
        ),
        ("team/handbook/x.md", HELPDESK),  # anchored: not at depth
        ("docs/intro.md", [("@samlee", None)]),  # 'docs/*' owns direct children only
        ("docs/api/intro.md", HELPDESK),
        ("notes/drafts/idea.md", [(None, "ola.berg@acme.example")]),  # '**/' may be empty
        ("notes/2024/q1/drafts/idea.md", [(None, "ola.berg@acme.example")]),
        ("notes/drafts", HELPDESK),  # trailing '/' matches only inside the folder
        ("src/build", [("Build Cop", None)]),  # a bare name matches files at any depth
        ("build/out/app.o", [("Build Cop", None)]),  # ...and everything in such a folder
        (
            "policies/security/keys/rotation.md",
            [(None, "alex.kim@acme.example"), (None, "sre@acme.example")],
        ),
        ("policies/security.md", HELPDESK),
    ],
)
def test_owners_for_paths(
    owners: OwnersFile, relative: str, expected: list[tuple[str | None, str | None]]
) -> None:
    found = owners.owners_for(OWNERS.parent / relative)
    assert [(c.name, c.email) for c in found] == expected
    assert all(c.weight == 1.0 for c in found)


def test_paths_outside_the_owners_folder_have_no_owners(owners: OwnersFile) -> None:
    assert owners.owners_for(OWNERS.parent.parent / "docs" / "x.md") == []
    assert owners.owners_for(Path("/elsewhere/report.pdf")) == []


def test_no_match_means_no_owners(tmp_path: Path) -> None:
    narrow = tmp_path / "OWNERS"
    narrow.write_text("/finance/  cfo@acme.example\n")
    assert OwnersFile.load(narrow).owners_for(tmp_path / "hr" / "pay.md") == []


def test_returned_owners_are_copies(owners: OwnersFile) -> None:
    first = owners.owners_for(OWNERS.parent / "README.md")
    first[0].person_id = "someone"
    assert owners.owners_for(OWNERS.parent / "README.md")[0].person_id is None


def test_pattern_without_owners_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"BROKEN_OWNERS: line 2: pattern '/finance/' has no owners"
    ):
        OwnersFile.load(FIXTURES / "owners" / "BROKEN_OWNERS")


def test_missing_file_and_unbalanced_quotes(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read owners file"):
        OwnersFile.load(tmp_path / "OWNERS")
    quoted = tmp_path / "OWNERS"
    quoted.write_text('*  "Unclosed Name\n')
    with pytest.raises(ConfigError, match="line 1: No closing quotation"):
        OwnersFile.load(quoted)


@pytest.mark.parametrize(
    "pattern",
    [
        "**/" * 30 + "x.md",
        "/".join(["**/a*"] * 12) + "/zz",
        "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
        "a/" + "**/?*/" * 20 + "end",
    ],
)
def test_adversarial_patterns_match_in_linear_time(tmp_path: Path, pattern: str) -> None:
    owners_file = tmp_path / "OWNERS"
    owners_file.write_text(f"{pattern}  sre@acme.example\n")
    owners = OwnersFile.load(owners_file)
    near_misses = ["/".join(["a"] * 40) + "/y", "a" * 200, "/".join(["a" * 30] * 30)]
    started = time.perf_counter()
    for relative in near_misses:
        assert owners.owners_for(tmp_path / relative) == []
    assert time.perf_counter() - started < 0.5


def test_deep_globstar_patterns_still_match(tmp_path: Path) -> None:
    owners_file = tmp_path / "OWNERS"
    owners_file.write_text("**/" * 30 + "x.md  sre@acme.example\n/a/**/b/*.md  b@acme.example\n")
    owners = OwnersFile.load(owners_file)
    assert [c.email for c in owners.owners_for(tmp_path / "p/q/x.md")] == ["sre@acme.example"]
    assert [c.email for c in owners.owners_for(tmp_path / "a/b/c.md")] == ["b@acme.example"]
    assert [c.email for c in owners.owners_for(tmp_path / "a/1/2/b/c.md")] == ["b@acme.example"]
    assert owners.owners_for(tmp_path / "a/1/2/b/c/d.md") == []
