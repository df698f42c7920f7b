"""Qdrant Edge durability: what flush() acknowledged survives a SIGKILL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from core.index.base import IndexMeta, SearchFilter
from core.index.edge import EdgeIndex

META = IndexMeta("test-model", 4, "1")

CHILD = textwrap.dedent(
    """
    import os, signal, sys, uuid
    from pathlib import Path
    from core.index.base import IndexMeta, IndexPoint, SparseVector
    from core.index.edge import EdgeIndex

    index = EdgeIndex(Path(sys.argv[1]))
    index.ensure(IndexMeta("test-model", 4, "1"))
    index.upsert([
        IndexPoint(str(uuid.uuid4()), [1.0, float(i), 0.0, 0.0], SparseVector([i], [1.0]),
                   {"document_id": f"d{i % 10}", "public": i % 2 == 0})
        for i in range(1000)
    ])
    index.flush()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_flushed_points_survive_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "index"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -9, result.stderr
    index = EdgeIndex(path)
    try:
        assert index.meta() == META
        assert index.count() == 1000
        assert index.count(SearchFilter(principals=[])) == 500
        assert len(index.document_ids()) == 10
        assert index.search(dense=[1.0, 0.0, 0.0, 0.0], mode="dense", limit=1)
    finally:
        index.close()
