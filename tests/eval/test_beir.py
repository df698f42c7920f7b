"""The BEIR loader on a tiny valid dataset and on broken files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from core.errors import DatasetError, WatercoolerError
from eval.datasets.beir import load_beir

CORPUS = [
    {"_id": "d1", "title": "Berlin", "text": "The Berlin office opened in 2019."},
    {"_id": "d2", "title": "", "text": "Lisbon handles support.", "metadata": {"lang": "en"}},
    {"_id": 3, "title": "Numbers", "text": "An integer id."},
]
QUERIES = [
    {"_id": "q1", "text": "When did Berlin open?", "metadata": {"team": "eng"}},
    {"_id": "q2", "text": "Who handles support?"},
    {"_id": "q3", "text": "Not judged in this split."},
]
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\t3\t0\nq2\td2\t1\n"


def _write(root: Path, corpus: str, queries: str, qrels: str) -> Path:
    (root / "qrels").mkdir(parents=True)
    (root / "corpus.jsonl").write_text(corpus, encoding="utf-8")
    (root / "queries.jsonl").write_text(queries, encoding="utf-8")
    (root / "qrels" / "test.tsv").write_text(qrels, encoding="utf-8")
    return root


def _jsonl(rows: Sequence[object]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return _write(tmp_path / "tiny", _jsonl(CORPUS), _jsonl(QUERIES), QRELS)


def test_loads_a_valid_dataset(dataset_dir: Path) -> None:
    dataset = load_beir(dataset_dir)
    assert dataset.name == "tiny"
    assert set(dataset.corpus) == {"d1", "d2", "3"}
    assert dataset.corpus["d2"].metadata == {"lang": "en"}
    assert dataset.corpus["d1"].title == "Berlin"
    assert dataset.queries == {"q1": "When did Berlin open?", "q2": "Who handles support?"}
    assert dataset.qrels == {"q1": {"d1": 2, "3": 0}, "q2": {"d2": 1}}
    assert dataset.metadata["query_metadata"] == {"q1": {"team": "eng"}}
    assert dataset.metadata["split"] == "test"


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    root = _write(tmp_path / "b", _jsonl(CORPUS) + "\n\n", _jsonl(QUERIES), QRELS + "\n")
    assert len(load_beir(root).corpus) == 3


GOOD_CORPUS = _jsonl(CORPUS)
GOOD_QUERIES = _jsonl(QUERIES)


@pytest.mark.parametrize(
    ("corpus", "queries", "qrels", "where", "message"),
    [
        (GOOD_CORPUS + "{not json\n", GOOD_QUERIES, QRELS, "corpus.jsonl:4", "invalid JSON"),
        ('["a list"]\n', GOOD_QUERIES, QRELS, "corpus.jsonl:1", "expected a JSON object"),
        ('{"_id": "d1", "title": "t"}\n', GOOD_QUERIES, QRELS, "corpus.jsonl:1", "'text'"),
        ('{"title": "t", "text": "x"}\n', GOOD_QUERIES, QRELS, "corpus.jsonl:1", "'_id'"),
        ('{"_id": "d1", "text": "x"}\n', GOOD_QUERIES, QRELS, "corpus.jsonl:1", "'title'"),
        (
            '{"_id": true, "title": "", "text": "x"}\n',
            GOOD_QUERIES,
            QRELS,
            "corpus.jsonl:1",
            "string",
        ),
        (GOOD_CORPUS + _jsonl(CORPUS[:1]), GOOD_QUERIES, QRELS, "corpus.jsonl:4", "duplicate"),
        ("", GOOD_QUERIES, QRELS, "corpus.jsonl", "no documents"),
        (GOOD_CORPUS, '{"_id": "q1", "text": 5}\n', QRELS, "queries.jsonl:1", "'text' must be"),
        (GOOD_CORPUS, '{"_id": "q1", "text": " "}\n', QRELS, "queries.jsonl:1", "empty text"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q9\td1\t1\n", "test.tsv:5", "unknown query id 'q9'"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q2\td9\t1\n", "test.tsv:5", "unknown document id"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q2\td1\thigh\n", "test.tsv:5", "integer"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q2\td1\t1.5\n", "test.tsv:5", "integer"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q2 d1 1\n", "test.tsv:5", "3 tab-separated"),
        (GOOD_CORPUS, GOOD_QUERIES, QRELS + "q1\td1\t1\n", "test.tsv:5", "twice"),
        (GOOD_CORPUS, GOOD_QUERIES, "q1\td1\t1\n", "test.tsv:1", "header"),
        (GOOD_CORPUS, GOOD_QUERIES, "query-id\tcorpus-id\tscore\n", "test.tsv", "no judgments"),
    ],
)
def test_bad_files_name_file_and_line(
    tmp_path: Path, corpus: str, queries: str, qrels: str, where: str, message: str
) -> None:
    root = _write(tmp_path / "bad", corpus, queries, qrels)
    with pytest.raises(DatasetError, match=message) as caught:
        load_beir(root)
    assert where in str(caught.value)


def test_missing_split_and_bad_encoding(dataset_dir: Path) -> None:
    with pytest.raises(DatasetError, match=r"dev\.tsv: cannot open"):
        load_beir(dataset_dir, split="dev")
    (dataset_dir / "queries.jsonl").write_bytes(b'{"_id": "q1", "text": "ok"}\n\xff\xfe\n')
    with pytest.raises(DatasetError, match=r"queries\.jsonl:2: not UTF-8"):
        load_beir(dataset_dir)


def test_dataset_error_is_a_watercooler_error() -> None:
    error = DatasetError("x.jsonl", "broken", 3)
    assert isinstance(error, WatercoolerError)
    assert (error.path, error.line, error.reason, str(error)) == (
        "x.jsonl",
        3,
        "broken",
        "x.jsonl:3: broken",
    )
