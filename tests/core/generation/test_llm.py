"""The LLM generator against a local OpenAI-compatible (and Ollama) server over real HTTP."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from core.config import LLMSettings
from core.errors import GenerationError
from core.generation.citations import validate_citations
from core.generation.llm import LLMGenerator
from core.schema import Passage
from tests.core.generation.llm_stub import LLMStub, Prompt, free_port, pieces_of

QUESTION = "What is the meal limit when travelling?"


def settings_for(url: str, **overrides: Any) -> LLMSettings:
    """LLM settings that point at `url` (the stub's /v1 for the OpenAI-compatible client)."""
    values: dict[str, Any] = {
        "generator": "llm",
        "base_url": f"{url}/v1",
        "model": "stub-model",
        "timeout_s": 5,
        **overrides,
    }
    return LLMSettings(**values)


def meals_answer(prompt: Prompt) -> str:
    """A grounded answer that cites whichever number the prompt gave the meals passage."""
    n = next(n for n, label in prompt.labels.items() if label.endswith("Travel > Meals"))
    return (
        f"When you travel for work, meals are reimbursed up to 55 EUR per day [{n}]. "
        f"Keep an itemised receipt for every meal over 10 EUR [{n}]."
    )


@pytest.fixture
def three(passages: dict[str, Passage]) -> list[Passage]:
    return [passages["hotels"], passages["meals"], passages["mileage"]]


def test_a_well_cited_answer_passes_through(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.reply = meals_answer
    result = LLMGenerator(settings_for(llm_stub.url)).generate(QUESTION, three)
    assert result.text == (
        "When you travel for work, meals are reimbursed up to 55 EUR per day [2]. "
        "Keep an itemised receipt for every meal over 10 EUR [2]."
    )
    assert result.unsupported_sentences == []
    assert result.removed_markers == []


def test_the_prompt_numbers_the_passages_and_carries_the_settings(
    llm_stub: LLMStub, passages: dict[str, Passage]
) -> None:
    llm_stub.reply = meals_answer
    eight = list(passages.values())
    settings = settings_for(llm_stub.url, max_passages=6, temperature=0.0, max_tokens=123)
    LLMGenerator(settings).generate(QUESTION, eight)
    body = llm_stub.requests[-1]
    prompt = llm_stub.last_prompt
    assert body["model"] == "stub-model"
    assert body["temperature"] == 0.0
    assert body["max_tokens"] == 123
    assert prompt.question == QUESTION
    assert prompt.labels == {
        1: "Travel and expense policy — Travel > Meals",
        2: "Travel and expense policy — Travel > Hotels",
        3: "Travel and expense policy — Submitting a claim",
        4: "Campus LMS administration — Content > Uploading a SCORM package",
        5: "Quiz and assessment standards (2025) — Pass mark",
        6: "Lisbon office guide — Visiting",
    }
    assert "[1] Travel and expense policy — Travel > Meals\nMeals\nWhen you travel" in prompt.user
    assert "The sources do not cover this." in prompt.system
    assert "[n]" in prompt.system or "[1]" in prompt.system


def test_a_marker_to_a_missing_passage_is_removed_and_reported(
    llm_stub: LLMStub, three: list[Passage]
) -> None:
    llm_stub.reply = lambda prompt: (
        "Meals are reimbursed up to 55 EUR per day [2]. Hotels are capped at 150 EUR [7]."
    )
    result = LLMGenerator(settings_for(llm_stub.url)).generate(QUESTION, three)
    assert (
        result.text
        == "Meals are reimbursed up to 55 EUR per day [2]. Hotels are capped at 150 EUR."
    )
    assert result.removed_markers == [7]
    assert result.unsupported_sentences == ["Hotels are capped at 150 EUR."]


def test_a_sentence_without_a_marker_is_flagged(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.reply = lambda prompt: (
        "Meals are reimbursed up to 55 EUR per day [2]. Most teams also pay for a welcome lunch."
    )
    result = LLMGenerator(settings_for(llm_stub.url)).generate(QUESTION, three)
    assert result.unsupported_sentences == ["Most teams also pay for a welcome lunch."]
    assert result.removed_markers == []


def test_a_slow_server_times_out_with_a_clear_error(
    llm_stub: LLMStub, three: list[Passage]
) -> None:
    llm_stub.delay_s = 3.0
    generator = LLMGenerator(settings_for(llm_stub.url, timeout_s=0.5, max_retries=1))
    started = time.monotonic()
    with pytest.raises(GenerationError, match=r"timed out after 0\.5 s") as info:
        generator.generate(QUESTION, three)
    assert time.monotonic() - started < 2.5  # two attempts of 0.5 s and a short backoff
    assert llm_stub.url in str(info.value)
    assert len(llm_stub.requests) == 2  # max_retries=1: one retry, no more


def test_an_http_error_is_a_generation_error(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.status = 400
    with pytest.raises(GenerationError, match="answered HTTP 400"):
        LLMGenerator(settings_for(llm_stub.url)).generate(QUESTION, three)


def test_streaming_yields_the_pieces_in_order(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.reply = meals_answer
    pieces = list(LLMGenerator(settings_for(llm_stub.url)).stream(QUESTION, three))
    assert len(pieces) > 5
    assert pieces == llm_stub.streamed
    assert llm_stub.requests[-1]["stream"] is True
    result = validate_citations("".join(pieces), len(three))
    assert result.text == meals_answer(llm_stub.last_prompt)
    assert result.unsupported_sentences == []
    assert result.removed_markers == []


@pytest.mark.parametrize("mode", ["generate", "stream"])
def test_nothing_listening_is_a_generation_error(three: list[Passage], mode: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    generator = LLMGenerator(settings_for(url, max_retries=0))
    with pytest.raises(GenerationError, match=f"cannot connect to the LLM at {re.escape(url)}"):
        if mode == "generate":
            generator.generate(QUESTION, three)
        else:
            list(generator.stream(QUESTION, three))


def test_the_global_llama_index_llm_is_never_set(llm_stub: LLMStub, three: list[Passage]) -> None:
    from llama_index.core import Settings

    LLMGenerator(settings_for(llm_stub.url)).generate(QUESTION, three)
    assert Settings._llm is None
    assert Settings._embed_model is None


def ollama_settings(url: str, **overrides: Any) -> LLMSettings:
    return settings_for(url, provider="ollama", base_url=url, **overrides)


def test_ollama_native_api(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.reply = meals_answer
    generator = LLMGenerator(ollama_settings(llm_stub.url, max_tokens=99))
    result = generator.generate(QUESTION, three)
    assert result.text == meals_answer(llm_stub.last_prompt)
    assert result.unsupported_sentences == []
    body = llm_stub.requests[-1]
    assert body["stream"] is False
    assert body["options"]["num_predict"] == 99
    assert body["options"]["num_ctx"] == 4096
    assert llm_stub.last_prompt.labels[2] == "Travel and expense policy — Travel > Meals"


def test_ollama_streaming(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.reply = meals_answer
    pieces = list(LLMGenerator(ollama_settings(llm_stub.url)).stream(QUESTION, three))
    assert pieces == llm_stub.streamed == pieces_of(meals_answer(llm_stub.last_prompt))


def test_ollama_errors(llm_stub: LLMStub, three: list[Passage]) -> None:
    llm_stub.status = 500
    with pytest.raises(GenerationError, match="answered HTTP 500"):
        LLMGenerator(ollama_settings(llm_stub.url)).generate(QUESTION, three)
    llm_stub.status, llm_stub.delay_s = 200, 3.0
    with pytest.raises(GenerationError, match=r"timed out after 0\.5 s"):
        LLMGenerator(ollama_settings(llm_stub.url, timeout_s=0.5)).generate(QUESTION, three)
    down = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GenerationError, match="cannot connect"):
        LLMGenerator(ollama_settings(down, max_retries=0)).generate(QUESTION, three)


def test_the_no_answer_reply_becomes_empty_text(llm_stub: LLMStub, three: list[Passage]) -> None:
    result = LLMGenerator(settings_for(llm_stub.url)).generate("Who won in 1998?", three)
    assert result.text == ""
    assert len(llm_stub.requests) == 1


def test_no_passages_means_no_call(llm_stub: LLMStub) -> None:
    generator = LLMGenerator(settings_for(llm_stub.url))
    assert generator.generate(QUESTION, []).text == ""
    assert list(generator.stream(QUESTION, [])) == []
    assert llm_stub.requests == []
