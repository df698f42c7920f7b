"""The golden-set loader: defaults, and validation errors with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import DatasetError
from eval.datasets.golden import GoldenUser, load_golden

ANSWERABLE = {
    "id": "q-001",
    "question": "When did the Berlin office open?",
    "reference_answer": "In 2019.",
    "relevant_document_ids": ["doc-berlin"],
    "expected_people": ["ana-1a2b3c"],
    "answerable": True,
    "tags": ["offices"],
    "user": {"id": "u-7", "groups": ["eng"]},
}
UNANSWERABLE = {
    "id": "q-002",
    "question": "What is next year's bonus pool?",
    "answerable": False,
    "expected_people": ["cfo-9f8e7d"],
}


def _write(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "golden.jsonl"
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_items_with_defaults(tmp_path: Path) -> None:
    items = load_golden(_write(tmp_path, ANSWERABLE, "", UNANSWERABLE))
    assert [item.id for item in items] == ["q-001", "q-002"]
    assert items[0].user == GoldenUser(id="u-7", groups=["eng"])
    assert items[0].relevant_document_ids == ["doc-berlin"]
    assert items[1].user == GoldenUser(id="reader", groups=[])  # a reader with no groups
    assert (items[1].reference_answer, items[1].tags) == ("", [])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({**UNANSWERABLE, "relevant_document_ids": ["d"]}, "unanswerable item lists relevant"),
        ({**UNANSWERABLE, "reference_answer": "Ten."}, "unanswerable item has a reference"),
        ({**ANSWERABLE, "reference_answer": " "}, "answerable item needs a reference_answer"),
        ({**ANSWERABLE, "answerable": "true"}, "answerable: Input should be a valid boolean"),
        ({**ANSWERABLE, "tgas": ["x"]}, "tgas: Extra inputs are not permitted"),
        ({**ANSWERABLE, "question": ""}, "question: String should have at least 1 character"),
        ({**ANSWERABLE, "tags": ["a", "a"]}, "tags repeats an entry"),
        (
            {**ANSWERABLE, "user": {"groups": [1]}},
            r"user\.groups\.0: Input should be a valid string",
        ),
        ({"question": "q?", "answerable": True, "reference_answer": "a"}, "id: Field required"),
        ("{broken", "invalid JSON"),
    ],
)
def test_invalid_item_names_its_line(tmp_path: Path, bad: object, message: str) -> None:
    path = _write(tmp_path, ANSWERABLE, bad)
    with pytest.raises(DatasetError, match=message) as caught:
        load_golden(path)
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"{path}:2: ")


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, ANSWERABLE, UNANSWERABLE, {**UNANSWERABLE, "id": "q-001"})
    with pytest.raises(
        DatasetError, match=r"golden\.jsonl:3: duplicate id 'q-001' \(first on line 1\)"
    ):
        load_golden(path)


def test_empty_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no items"):
        load_golden(_write(tmp_path, ""))
    with pytest.raises(DatasetError, match="cannot open"):
        load_golden(tmp_path / "absent.jsonl")
