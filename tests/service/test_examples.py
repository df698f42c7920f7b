"""GET /examples: example questions from what is asked and ingested, never canned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.embedding import Embedder
from service.main import create_app
from tests.service.conftest import RESTRICTED_TITLE, ingest, make_settings

PASS_MARK = "What is the pass mark for scored quizzes?"


def _client(data_dir: Path, embedder: Embedder, **overrides: Any) -> TestClient:
    return TestClient(create_app(make_settings(data_dir, **overrides), embedder=embedder))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A data directory holding the ingested test corpus (nothing asked yet)."""
    path = tmp_path_factory.mktemp("examples") / "data"
    ingest(make_settings(path), embedder)
    return path


@pytest.fixture
def client(data_dir: Path, embedder: Embedder) -> Iterator[TestClient]:
    with _client(data_dir, embedder) as test_client:
        yield test_client


def _examples(client: TestClient) -> list[str]:
    response = client.get("/examples")
    assert response.status_code == 200, response.text
    return list(response.json()["questions"])


def test_without_questions_the_recent_visible_documents_are_prompts(client: TestClient) -> None:
    examples = _examples(client)
    assert len(examples) == 4 and all(q.endswith("?") for q in examples)
    assert "What should I know about Quiz standards (2025)?" in examples
    assert not any("(2022)" in q for q in examples)  # superseded
    assert not any(RESTRICTED_TITLE in q for q in examples)  # hidden from this caller


def test_a_question_asked_often_comes_first(client: TestClient) -> None:
    for question in (PASS_MARK, PASS_MARK.lower(), "How do I reset my password manager?"):
        assert client.post("/ask", json={"question": question}).status_code == 200
    examples = _examples(client)
    assert examples[0] == PASS_MARK.lower()  # the newest spelling of the most asked
    assert "How do I reset my password manager?" not in examples  # asked once


def test_fixed_examples_and_none(data_dir: Path, embedder: Embedder) -> None:
    fixed = {"fixed": ["Where is the VPN guide?"]}
    with _client(data_dir, embedder, examples=fixed) as test_client:
        assert _examples(test_client) == ["Where is the VPN guide?"]
    with _client(data_dir, embedder, examples={"count": 0}) as test_client:
        assert _examples(test_client) == []


def test_nothing_ingested_means_no_examples(tmp_path: Path, embedder: Embedder) -> None:
    with _client(tmp_path / "empty", embedder) as test_client:
        assert _examples(test_client) == []
