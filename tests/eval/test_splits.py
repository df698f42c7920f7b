"""The fixed tuning/test halves: stable, disjoint; the golden halves match their sources."""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets.golden import load_golden
from eval.datasets.splits import half, parse_half, split, with_halves
from eval.suites import GOLDEN_DIR


def _ids(name: str) -> list[str]:
    return [item.id for item in load_golden(GOLDEN_DIR / name)]


def test_halves_are_fixed_and_seeded() -> None:
    assert half("fact-001") == half("fact-001")
    ids = [f"q{i}" for i in range(400)]
    halves = split(ids, key=str)
    assert 150 < len(halves["tune"]) < 250 and not set(halves["tune"]) & set(halves["test"])
    # Another seed deals the same items differently.
    assert split(ids, key=str, seed="fitz-gov-cases") != halves


def test_golden_dev_and_test_files_are_the_split_of_sample_and_holdout() -> None:
    sample = _ids("sample-v1.jsonl")
    holdout = _ids("holdout-v1.jsonl")
    assert _ids("dev-v1.jsonl") == [i for i in sample if half(i) == "tune"]
    assert _ids("test-v1.jsonl") == [i for i in sample if half(i) == "test"] + holdout


def test_every_line_is_copied_byte_for_byte() -> None:
    source = {
        json.loads(line)["id"]: line
        for name in ("sample-v1.jsonl", "holdout-v1.jsonl")
        for line in (GOLDEN_DIR / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    for name in ("dev-v1.jsonl", "test-v1.jsonl"):
        for line in Path(GOLDEN_DIR / name).read_text(encoding="utf-8").splitlines():
            assert source[json.loads(line)["id"]] == line


def test_a_set_name_and_its_halves_are_parsed_back() -> None:
    assert with_halves("faq") == ("faq", "faq-tune", "faq-test")
    assert [parse_half(n, ["faq", "owners"]) for n in with_halves("faq")] == [
        ("faq", None),
        ("faq", "tune"),
        ("faq", "test"),
    ]
    assert parse_half("owners-test", ["faq", "owners"]) == ("owners", "test")
    assert parse_half("faq-dev", ["faq"]) is None and parse_half("golden", ["faq"]) is None
