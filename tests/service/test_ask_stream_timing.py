"""/ask/stream over uvicorn on long real documents: the first token soon after retrieval.

The corpus is the long reStructuredText dataset descriptions scikit-learn ships (the eval
suite depends on it), ingested for real, so the answers' units carry their vectors from
ingestion. The service reports when its first token left (`timings_ms.first_token`, from the
question); the client notes when each frame arrived.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.real_corpus import site_packages
from core.config import get_settings
from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import LiveServer, ingest_sources

MANUALS = (
    "olivetti_faces.rst",
    "twenty_newsgroups.rst",
    "wine_data.rst",
    "iris.rst",
    "california_housing.rst",
    "digits.rst",
)
QUESTIONS = (
    "Who collected the Olivetti faces?",
    "How are the 20 newsgroups split into train and test?",
    "What does the wine dataset measure?",
)
FIRST_TOKEN_AFTER_RETRIEVAL_MS = 100


@pytest.fixture(scope="module")
def manuals(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data dir with the manuals ingested."""
    root = tmp_path_factory.mktemp("manuals")
    docs = root / "docs"
    docs.mkdir()
    for name in MANUALS:
        source = site_packages() / "sklearn" / "datasets" / "descr" / name
        if not source.is_file():
            pytest.skip(f"scikit-learn's {name} is not installed")
        shutil.copyfile(source, docs / name)
    sources = root / "sources.yaml"
    sources.write_text("sources:\n  - {name: manuals, kind: doc, path: docs}\n", encoding="utf-8")
    settings = get_settings(data_dir=root / "data", ingest={"config": sources})
    report = ingest_sources(settings, embedder, sources)
    assert report["totals"]["chunks"] > 10
    return root


def _stream(url: str, question: str) -> tuple[list[tuple[str, Any, float]], float]:
    """(event, data, seconds after sending) of each frame, and the total seconds."""
    frames: list[tuple[str, Any, float]] = []
    started = time.perf_counter()
    with (
        httpx.Client(timeout=60) as client,
        client.stream("POST", f"{url}/ask/stream", json={"question": question}) as response,
    ):
        assert response.status_code == 200
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                frames.append((event, json.loads(line[6:]), time.perf_counter() - started))
    return frames, time.perf_counter() - started


def test_the_first_token_leaves_soon_after_retrieval(manuals: Path, embedder: Embedder) -> None:
    settings = get_settings(data_dir=manuals / "data", ingest={"config": manuals / "sources.yaml"})
    with LiveServer(create_app(settings, embedder=embedder)) as live:
        _stream(live.url, QUESTIONS[0])  # warm-up
        gaps = []
        for question in QUESTIONS:
            frames, total_s = _stream(live.url, question)
            names = [name for name, _, _ in frames]
            assert names[-1] == "done" and names.count("token") >= 2, names
            done = frames[-1][1]
            assert not done["abstained"] and len(done["text"]) > 150
            timings = done["timings_ms"]
            gaps.append(timings["first_token"] - timings["retrieve"])
            first_token_s = next(at for name, _, at in frames if name == "token")
            assert first_token_s <= frames[-1][2] <= total_s
    # the slowest question's gap: answerability + the generator up to its first sentence
    assert max(gaps) <= FIRST_TOKEN_AFTER_RETRIEVAL_MS, gaps
