"""A local GGUF model (e.g. Qwen2.5-Coder-1.5B-Instruct Q4_K_M) through llama-cpp-python.

llama-cpp-python is the optional extra `local-llm` and is imported only when this generator
is built. The context is kept short (2,048 tokens): on a CPU, prompt length is what costs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.clock import elapsed_ms
from core.config import LLMSettings
from core.errors import ConfigError, GenerationError
from core.generation.base import Generated
from core.generation.citations import is_no_answer, validate_citations
from core.generation.prompt import chat_messages
from core.schema import Passage

log = logging.getLogger(__name__)

N_CTX = 2048
PROMPT_OVERHEAD_TOKENS = 300  # system prompt, labels and the chat template
CHARS_PER_TOKEN = 3

INSTALL_HINT = (
    "generator 'local' needs llama-cpp-python: pip install 'watercooler[local-llm]' "
    "(it compiles llama.cpp; see the README for CPU build flags), "
    "or use generator 'llm' with a llama.cpp / Ollama / vLLM server instead"
)


def load_llama(model_path: Path, n_ctx: int = N_CTX) -> Any:
    """The llama.cpp model, or a GenerationError that says how to install the binding."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise GenerationError(INSTALL_HINT) from exc
    if not model_path.is_file():
        raise ConfigError(f"llm.local_model_path {model_path} is not a file")
    try:
        return Llama(model_path=str(model_path), n_ctx=n_ctx, verbose=False)
    except (ValueError, RuntimeError, OSError) as exc:
        raise GenerationError(f"cannot load the GGUF model {model_path}: {exc}") from exc


class LocalLlamaGenerator:
    """Answers with a GGUF model run in-process by llama.cpp."""

    name = "local"

    def __init__(
        self, settings: LLMSettings, llama: Any | None = None, *, max_passages: int = 6
    ) -> None:
        if llama is None:
            if settings.local_model_path is None:
                raise ConfigError("generator 'local' needs llm.local_model_path (a GGUF file)")
            llama = load_llama(settings.local_model_path)
        self.settings = settings
        self.max_passages = max_passages  # answer.max_passages
        self._llama = llama
        self._lock = threading.Lock()  # a llama.cpp context serves one request at a time
        budget = (N_CTX - settings.max_tokens - PROMPT_OVERHEAD_TOKENS) * CHARS_PER_TOKEN
        self.max_chars = max(500, min(settings.max_context_chars, budget))

    def _complete(self, question: str, passages: list[Passage], stream: bool) -> Any:
        try:
            return self._llama.create_chat_completion(
                messages=chat_messages(question, passages, self.max_chars),
                max_tokens=self.settings.max_tokens,
                temperature=self.settings.temperature,
                stream=stream,
            )
        except (ValueError, RuntimeError) as exc:  # e.g. the prompt does not fit the context
            raise GenerationError(f"local model failed: {exc}") from exc

    def generate(self, question: str, passages: list[Passage]) -> Generated:
        """The model's answer, markers checked; empty text when the passages do not answer."""
        shown = passages[: self.max_passages]
        if not shown:
            return Generated(text="")
        started = time.perf_counter()
        with self._lock:
            reply = self._complete(question, shown, stream=False)
        text = reply["choices"][0]["message"]["content"] or ""
        log.info(
            "local answer",
            extra={"chars": len(text), "ms": elapsed_ms(started, 1)},
        )
        return Generated(text="") if is_no_answer(text) else validate_citations(text, len(shown))

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """The model's answer in pieces as they are decoded."""
        shown = passages[: self.max_passages]
        if not shown:
            return
        with self._lock:
            try:
                for chunk in self._complete(question, shown, stream=True):
                    piece = chunk["choices"][0].get("delta", {}).get("content")
                    if piece:
                        yield piece
            except (ValueError, RuntimeError) as exc:
                raise GenerationError(f"local model failed: {exc}") from exc
