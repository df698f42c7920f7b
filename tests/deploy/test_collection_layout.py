"""A server collection's layout (shards, replicas, on-disk payload, int8 quantization).

Local mode accepts the layout and searches as before (it ignores it); what a real server
receives is read from the requests qdrant_client sends to a recording stand-in on 127.0.0.1
that answers the few REST calls `ensure` and `search` make (no Qdrant server runs here).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from qdrant_client import QdrantClient

from core.config import IndexSettings, get_settings
from core.errors import ConfigError
from core.index.base import DENSE, SPARSE, IndexMeta, IndexPoint, SparseVector
from core.index.factory import open_index
from core.index.server import ServerIndex

META = IndexMeta("test-model", 4, "1")
CLUSTER = IndexSettings(
    shard_number=6,
    replication_factor=2,
    write_consistency_factor=2,
    on_disk_payload=True,
    vectors_on_disk=True,
    quantization="int8",
    oversampling=3.0,
)


class _Recorder(BaseHTTPRequestHandler):
    """Answers like a Qdrant server with an empty cluster; records method, path and body."""

    calls: list[tuple[str, str, Any]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = self.path.split("?")[0]
        self.calls.append((self.command, path, body))
        if path.endswith("/exists"):
            result: Any = {"exists": False}
        elif path.endswith("/points/query"):
            result = {"points": []}
        elif path.endswith("/index"):
            result = {"operation_id": 1, "status": "completed"}
        else:
            result = True
        data = json.dumps({"result": result, "status": "ok", "time": 0.0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[tuple[str, str, Any]]]]:
    calls: list[tuple[str, str, Any]] = []
    handler = type("Handler", (_Recorder,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


def _server_index(url: str, layout: IndexSettings) -> ServerIndex:
    client = QdrantClient(url=url, timeout=5, check_compatibility=False)
    return ServerIndex(client, "wc", layout)


def test_a_new_collection_is_created_with_the_cluster_layout(recorder: Any) -> None:
    url, calls = recorder
    index = _server_index(url, CLUSTER)
    index.ensure(META)
    index.close()
    created = [
        body for method, path, body in calls if method == "PUT" and path == "/collections/wc"
    ]
    assert len(created) == 1
    body = created[0]
    assert body["shard_number"] == 6
    assert body["replication_factor"] == 2
    assert body["write_consistency_factor"] == 2
    assert body["on_disk_payload"] is True
    assert body["vectors"][DENSE] == {"size": 4, "distance": "Cosine", "on_disk": True}
    assert body["quantization_config"] == {
        "scalar": {"type": "int8", "quantile": 0.99, "always_ram": True}
    }
    assert body["metadata"]["watercooler"]["model"] == "test-model"


def test_default_layout_is_one_unquantized_shard(recorder: Any) -> None:
    url, calls = recorder
    index = _server_index(url, IndexSettings())
    index.ensure(META)
    index.search(dense=[1.0, 0, 0, 0], mode="dense")
    index.close()
    body = next(b for m, p, b in calls if m == "PUT" and p == "/collections/wc")
    assert (body["shard_number"], body["replication_factor"]) == (1, 1)
    assert body.get("quantization_config") is None
    query = next(b for m, p, b in calls if p.endswith("/points/query"))
    assert query.get("params") is None


def test_dense_queries_rescore_quantized_results(recorder: Any) -> None:
    url, calls = recorder
    index = _server_index(url, CLUSTER)
    index.search(dense=[1.0, 0, 0, 0], mode="dense", limit=5)
    index.search(dense=[1.0, 0, 0, 0], sparse=SparseVector([1], [1.0]), mode="hybrid")
    index.close()
    dense, hybrid = [b for m, p, b in calls if p.endswith("/points/query")]
    rescore = {"quantization": {"rescore": True, "oversampling": 3.0}}
    assert dense["params"] == rescore
    prefetch = {p["using"]: p for p in hybrid["prefetch"]}
    assert prefetch[DENSE]["params"] == rescore
    assert prefetch[SPARSE].get("params") is None  # sparse vectors are not quantized


def test_without_rescoring_no_oversampling_is_sent(recorder: Any) -> None:
    url, calls = recorder
    index = _server_index(url, CLUSTER.model_copy(update={"rescore": False}))
    index.search(dense=[1.0, 0, 0, 0], mode="dense")
    index.close()
    query = next(b for m, p, b in calls if p.endswith("/points/query"))
    assert query["params"] == {"quantization": {"rescore": False}}


def test_hnsw_ef_goes_with_dense_queries_only(recorder: Any) -> None:
    url, calls = recorder
    index = _server_index(url, IndexSettings(hnsw_ef=256))
    index.search(dense=[1.0, 0, 0, 0], mode="dense")
    index.search(sparse=SparseVector([1], [1.0]), mode="sparse")
    index.close()
    dense, sparse = [b for m, p, b in calls if p.endswith("/points/query")]
    assert dense["params"] == {"hnsw_ef": 256}
    assert sparse.get("params") is None


def test_local_mode_accepts_the_cluster_layout_and_still_searches() -> None:
    index = ServerIndex(QdrantClient(":memory:"), "wc", CLUSTER)
    index.ensure(META)
    points = [
        IndexPoint(f"00000000-0000-0000-0000-00000000000{i}", vec, SparseVector([i], [1.0]), {})
        for i, vec in enumerate(([1.0, 0, 0, 0], [0, 1.0, 0, 0], [0.9, 0.1, 0, 0]))
    ]
    index.upsert(points)
    # Local mode is brute force: it warns once that quantization's search params do nothing.
    with pytest.warns(UserWarning, match="no effect"):
        hits = index.search(dense=[1.0, 0, 0, 0], mode="dense", limit=2)
    assert [h.id for h in hits] == [points[0].id, points[2].id]
    index.close()


def test_factory_hands_the_settings_layout_to_the_adapter(recorder: Any) -> None:
    url, calls = recorder
    settings = get_settings(
        index={"backend": "server", "url": url, "shard_number": 3, "quantization": "int8"}
    )
    index = open_index(settings)
    index.ensure(META)
    index.close()
    body = next(b for m, p, b in calls if m == "PUT" and p == "/collections/watercooler")
    assert body["shard_number"] == 3
    assert body["quantization_config"]["scalar"]["type"] == "int8"


def test_write_consistency_above_the_replicas_is_refused() -> None:
    with pytest.raises(ConfigError, match="write_consistency_factor"):
        get_settings(index={"replication_factor": 1, "write_consistency_factor": 2})
