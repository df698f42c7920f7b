"""Choosing a generator from settings; the optional local model's missing-extra error."""

from __future__ import annotations

import builtins
import os
from pathlib import Path
from typing import Any

import pytest

from core.config import get_settings
from core.errors import ConfigError, GenerationError
from core.generation import Generator, make_generator
from core.generation.extractive import ExtractiveGenerator
from core.generation.llm import LLMGenerator
from core.generation.local import LocalLlamaGenerator
from core.schema import Passage


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No `.env` file and no WATERCOOLER_LLM__* variables of the machine running the tests."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("WATERCOOLER_LLM__")]:
        monkeypatch.delenv(key)


def test_the_default_is_extractive(embedder: Any) -> None:
    settings = get_settings()
    assert settings.answer.generator == "extractive"
    generator = make_generator(settings.answer.generator, settings, embedder)
    assert isinstance(generator, ExtractiveGenerator)
    assert isinstance(generator, Generator)


def test_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch, embedder: Any) -> None:
    monkeypatch.setenv("WATERCOOLER_LLM__GENERATOR", "llm")
    monkeypatch.setenv("WATERCOOLER_LLM__BASE_URL", "http://127.0.0.1:8000/v1")
    monkeypatch.setenv("WATERCOOLER_LLM__MODEL", "qwen2.5-7b-instruct")
    monkeypatch.setenv("WATERCOOLER_LLM__API_KEY", "sk-test")
    settings = get_settings()
    assert settings.llm.timeout_s == 60
    assert settings.llm.max_retries == 1
    generator = make_generator("llm", settings, embedder)
    assert isinstance(generator, LLMGenerator)
    assert isinstance(generator, Generator)
    assert "sk-test" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WATERCOOLER_LLM__GENERATOR": "llm"}, "needs llm.model"),
        ({"WATERCOOLER_LLM__GENERATOR": "llm", "WATERCOOLER_LLM__MODEL": "m"}, "llm.base_url"),
        ({"WATERCOOLER_LLM__GENERATOR": "local"}, "local_model_path"),
        ({"WATERCOOLER_LLM__GENERATOR": "gpt"}, "generator"),
        ({"WATERCOOLER_LLM__PROVIDER": "anthropic"}, "provider"),
    ],
)
def test_incomplete_llm_settings_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_ollama_needs_no_base_url(embedder: Any) -> None:
    settings = get_settings(llm={"generator": "llm", "provider": "ollama", "model": "qwen2.5"})
    generator = make_generator("llm", settings, embedder)
    assert isinstance(generator, LLMGenerator)
    assert generator.base_url == "http://localhost:11434"


def test_unknown_or_unconfigured_names_are_config_errors(embedder: Any) -> None:
    settings = get_settings()
    with pytest.raises(ConfigError, match="unknown generator 'gpt'"):
        make_generator("gpt", settings, embedder)
    with pytest.raises(ConfigError, match=r"needs llm\.model"):
        make_generator("llm", settings, embedder)


def test_local_without_llama_cpp_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedder: Any
) -> None:
    model = tmp_path / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    model.write_bytes(b"GGUF")
    real_import = builtins.__import__

    def no_llama_cpp(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "llama_cpp" or name.startswith("llama_cpp."):
            raise ImportError("No module named 'llama_cpp'")
        return real_import(name, *args, **kwargs)

    # llama-cpp-python is not installed here; the patch keeps the test true where it is.
    monkeypatch.setattr(builtins, "__import__", no_llama_cpp)
    settings = get_settings(llm={"generator": "local", "local_model_path": str(model)})
    with pytest.raises(GenerationError, match=r"pip install 'watercooler\[local-llm\]'"):
        make_generator("local", settings, embedder)


class _FakeLlama:
    """Answers like llama_cpp.Llama.create_chat_completion (llama-cpp-python is not here)."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.calls: list[dict[str, Any]] = []

    def create_chat_completion(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        if not kwargs["stream"]:
            message = {"role": "assistant", "content": self.reply}
            return {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        chunks = [{"role": "assistant"}, *({"content": w} for w in self.reply.split(" "))]
        return iter([{"choices": [{"index": 0, "delta": d}]} for d in [*chunks, {}]])


def test_local_generator_prompts_validates_and_streams(passages: dict[str, Passage]) -> None:
    fake = _FakeLlama("Meals are capped at 55 EUR per day [1]. Hotels are capped too [9].")
    settings = get_settings(llm={"max_tokens": 200})
    generator = LocalLlamaGenerator(settings.llm, llama=fake)
    shown = list(passages.values())
    result = generator.generate("What is the meal limit?", shown)
    assert result.text == "Meals are capped at 55 EUR per day [1]. Hotels are capped too."
    assert result.removed_markers == [9]
    call = fake.calls[-1]
    assert call["max_tokens"] == 200
    assert call["messages"][1]["content"].startswith("Passages:\n\n[1] Travel and expense policy")
    assert "[7]" not in call["messages"][1]["content"]  # max_passages=6
    assert sum(len(m["content"]) for m in call["messages"]) < 2048 * 3
    assert " ".join(generator.stream("What is the meal limit?", shown)) == fake.reply
