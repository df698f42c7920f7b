"""Fixtures of the generator tests: realistic passages and the LLM stub server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.schema import Passage
from tests.core.generation.llm_stub import LLMStub, serve
from tests.core.generation.samples import ALL


@pytest.fixture
def passages() -> dict[str, Passage]:
    """The passages by key."""
    return dict(ALL)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMStub]:
    """The OpenAI/Ollama stub served over HTTP on a loopback port, for this module."""
    yield from serve(LLMStub())


@pytest.fixture
def llm_stub(llm_server: LLMStub) -> LLMStub:
    """The running stub, reset to a prompt, well-behaved server for each test."""
    llm_server.reset()
    return llm_server
