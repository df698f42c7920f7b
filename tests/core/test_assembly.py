"""The one assembly of the answer stack, and the assistant's per-question passage limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.assembly import build_stack, index_meta
from core.config import Settings, get_settings
from core.db import PeopleStore
from core.index.base import CHUNKER_VERSION, IndexMeta, VectorIndex
from core.schema import Answer, Principal

PUBLIC = Principal(user_id="pat")
MEALS = "How much is the daily meal allowance on business trips?"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The gate wide open: these tests are about wiring and limits, not abstention.
    retrieval = {"abstain_threshold": -1.0, "answerability_threshold": 0.0}
    return get_settings(data_dir=tmp_path, retrieval=retrieval)


def test_the_stack_has_what_the_settings_allow_and_says_why_not_the_rest(
    index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings
) -> None:
    stack = build_stack(settings, index, memo, people)
    assert list(stack.generators) == ["extractive"]
    assert set(stack.unavailable) == {"llm", "local"} and all(stack.unavailable.values())
    assert stack.assistant.retriever is stack.retriever
    assert stack.assistant.generators is stack.generators
    assert stack.retriever.settings == settings.retrieval


def test_limit_caps_the_passages_an_answer_is_drawn_from(
    index: VectorIndex, memo: Any, people: PeopleStore, settings: Settings
) -> None:
    stack = build_stack(settings, index, memo, people, ["extractive"])
    top = stack.retriever.search(MEALS, PUBLIC, limit=1).passages[0]
    assert len(stack.retriever.search(MEALS, PUBLIC).passages) > 1
    answer = stack.assistant.ask(MEALS, PUBLIC, limit=1)
    assert [c.chunk_id for c in answer.citations] == [top.chunk_id]
    kind, done = list(stack.assistant.ask_stream(MEALS, PUBLIC, limit=1))[-1]
    assert kind == "done" and isinstance(done, Answer)
    assert [c.chunk_id for c in done.citations] == [top.chunk_id]


def test_index_meta_names_the_model_and_the_chunker(memo: Any) -> None:
    assert index_meta(memo) == IndexMeta(memo.model_name, memo.dimension, CHUNKER_VERSION)
