"""The service benchmark: its synthetic corpus and statistics (fast), and a --quick run (slow).

The quick run takes ~2 minutes (a real ingestion of the sample content, three service
starts, a 5 s load run), hence the `slow` marker; it checks that every figure is produced
and no request failed, not the figures themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.load import summary
from bench.service_report import report
from bench.synthetic import BaseCorpus, ScaledCorpus
from core.index.base import SparseVector


def base(tmp_path: Path) -> BaseCorpus:
    """Two real-looking points of two documents, the second superseding the first."""
    dense = np.eye(2, 4, dtype=np.float32)
    payloads = [
        {
            "chunk_id": f"0000000{i}-0000-0000-0000-000000000000",
            "document_id": doc,
            "kind": "wiki",
            "groups": groups,
            "author_ids": ["ann"],
            "updated": "2025-01-01T00:00:00+00:00",
            "superseded_by": successor,
        }
        for i, (doc, groups, successor) in enumerate([("old", ["hr"], "new"), ("new", [], None)])
    ]
    ids = [str(p["chunk_id"]) for p in payloads]
    sparse = [SparseVector([1, 5], [0.5, 1.0]), SparseVector([2], [1.0])]
    return BaseCorpus(tmp_path / "data", ids, dense, sparse, payloads)


def test_scaled_corpus_clones_real_points_with_new_ids(tmp_path: Path) -> None:
    corpus = ScaledCorpus(base(tmp_path), 5, tmp_path)
    points = corpus.points(0, 10)
    assert len(points) == 5
    assert len({p.id for p in points}) == 5
    # copy 0 is the real corpus, unchanged
    assert [p.payload["document_id"] for p in points[:2]] == ["old", "new"]
    assert points[0].dense == [1.0, 0.0, 0.0, 0.0]
    # later copies: new document ids, supersession kept inside the copy, the rest as is
    assert points[2].payload["document_id"] == "old-c1"
    assert points[2].payload["superseded_by"] == "new-c1"
    assert points[3].payload["superseded_by"] is None
    assert points[4].payload["document_id"] == "old-c2"
    assert points[2].payload["chunk_id"] == points[2].id
    assert points[2].payload["groups"] == ["hr"] and points[2].sparse == points[0].sparse
    # perturbed, renormalised, still close to the original
    vectors = np.asarray([p.dense for p in points])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert 0.8 < vectors[2] @ vectors[0] < 1.0


def test_scaled_corpus_caches_its_vectors(tmp_path: Path) -> None:
    first = ScaledCorpus(base(tmp_path), 6, tmp_path)
    again = ScaledCorpus(base(tmp_path), 6, tmp_path)
    assert (first.dir / "vectors.npy").exists()
    assert np.array_equal(first.vectors, again.vectors)


def test_summary_in_milliseconds() -> None:
    fig = summary([0.010, 0.020, 0.030, 0.040, 1.0])
    assert fig["n"] == 5
    assert fig["p50_ms"] == 30.0
    assert fig["max_ms"] == 1000.0
    assert summary([]) == {"n": 0}


@pytest.mark.slow
def test_quick_run_end_to_end(tmp_path: Path) -> None:
    from bench.service_bench import main

    out = tmp_path / "service.json"
    assert main(["--quick", "--work-dir", str(tmp_path / "work"), "--out", str(out)]) == 0
    figures = json.loads(out.read_text())
    size = figures["sizes"]["2000"]
    for key in ("search", "ask", "ask_cold", "search_rerank"):
        assert size["http"][key]["errors"] == 0
        assert size["http"][key]["n"] > 0
    assert size["http"]["load"]["errors"] == 0 and size["http"]["load"]["requests_ok"] > 0
    assert size["index"]["hybrid"]["edge"]["n"] == size["index"]["hybrid"]["local_mode"]["n"]
    assert "targets on 2 cores" in report(figures)


class _Timed:
    """An index stand-in for the side-by-side timer: it only has to answer search()."""

    def __init__(self) -> None:
        self.calls = 0

    def search(self, **_: object) -> list[object]:
        self.calls += 1
        return []


def test_side_by_side_without_local_queries_skips_the_comparison() -> None:
    from bench.service_bench import Query, _side_by_side

    edge, local = _Timed(), _Timed()
    batch = [Query(text="q", dense=[0.0, 0.0, 0.0], sparse=SparseVector([], []))] * 4
    figures = _side_by_side(
        {"edge": edge, "local_mode": local},  # type: ignore[dict-item]
        batch,
        {},
        local_limit=0,
    )
    assert edge.calls == 5 and local.calls == 1  # the warm-up only
    assert figures["edge"]["p50_ms"] >= 0 and "ratio_local_over_edge" not in figures


def test_the_real_corpus_is_installed_manuals_in_a_valid_sources_file(tmp_path: Path) -> None:
    from bench.real_corpus import FILES, MIN_FILES, real_sources
    from core.sources import load_sources

    sources = load_sources(real_sources(tmp_path))
    assert [s.kind.value for s in sources.sources] == ["doc"]
    copied = [p for p in (tmp_path / "real-docs" / "docs").rglob("*") if p.is_file()]
    assert MIN_FILES <= len(copied) <= len(FILES)
    assert sum(p.stat().st_size for p in copied) > 200_000  # long documents, not snippets
    assert {p.suffix for p in copied} <= {".md", ".rst"}
