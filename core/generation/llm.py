"""An LLM over HTTP: any OpenAI-compatible chat endpoint, or Ollama's native API.

The llama-index client is built here and used directly; llama-index's global `Settings.llm`
is never set (it would default to OpenAI). Library errors (timeouts, refused connections,
HTTP errors) become one GenerationError that names the endpoint; a timeout is a
GenerationTimeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx

from core.clock import elapsed_ms
from core.config import LLMSettings
from core.errors import ConfigError, GenerationError, GenerationTimeout
from core.generation.base import Generated
from core.generation.citations import is_no_answer, validate_citations
from core.generation.prompt import chat_messages
from core.schema import Passage

log = logging.getLogger(__name__)

OLLAMA_URL = "http://localhost:11434"
NO_KEY = "not-needed"  # OpenAI-compatible servers without auth still want some key


def _status_error(exc: BaseException) -> tuple[int, str] | None:
    """(status, body) of an HTTP error answer from any of the client libraries."""
    status = getattr(exc, "status_code", None)
    if status is None and isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
    if not isinstance(status, int):
        return None
    body = getattr(exc, "message", None) or getattr(exc, "error", None) or str(exc)
    return status, str(body)[:300]


class LLMGenerator:
    """Answers with an LLM over HTTP, from a prompt of numbered passages."""

    name = "llm"

    def __init__(
        self, settings: LLMSettings, llm: Any | None = None, *, max_passages: int = 6
    ) -> None:
        problem = settings.missing_for("llm")
        if problem:
            raise ConfigError(problem)
        self.settings = settings
        self.max_passages = max_passages  # answer.max_passages
        self.base_url = settings.base_url or OLLAMA_URL
        self._errors = self._error_types()
        self._llm = llm if llm is not None else self._build()

    def _build(self) -> Any:
        """The llama-index LLM for the configured provider."""
        s = self.settings
        if s.provider == "ollama":
            from llama_index.llms.ollama import Ollama

            return Ollama(
                model=s.model or "",
                base_url=self.base_url,
                temperature=s.temperature,
                request_timeout=s.timeout_s,
                # Without a context window the client asks the server (/api/show) first.
                context_window=s.context_window,
                additional_kwargs={"num_predict": s.max_tokens},
            )
        import openai
        from llama_index.llms.openai_like import OpenAILike

        api_key = s.api_key.get_secret_value() if s.api_key else NO_KEY
        # Retries live in the OpenAI client (short backoff); the wrapper's own retry layer
        # (random waits of 1-20 s, stacked on the client's) is turned off with max_retries=0.
        client = openai.OpenAI(
            api_key=api_key, base_url=self.base_url, timeout=s.timeout_s, max_retries=s.max_retries
        )
        return OpenAILike(
            model=s.model or "",
            api_base=self.base_url,
            api_key=api_key,
            is_chat_model=True,
            temperature=s.temperature,
            max_tokens=s.max_tokens,
            context_window=s.context_window,
            timeout=s.timeout_s,
            max_retries=0,
            openai_client=client,
        )

    def _error_types(self) -> tuple[type[BaseException], ...]:
        """Exceptions of the client libraries that mean 'the LLM call failed'."""
        types: list[type[BaseException]] = [httpx.HTTPError, ConnectionError, TimeoutError]
        if self.settings.provider == "ollama":
            import ollama

            types.append(ollama.ResponseError)
        else:
            import openai

            types.append(openai.APIError)
        return tuple(types)

    def _failure_kinds(
        self,
    ) -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
        """(timeouts, refused connections) among the client libraries' exceptions."""
        timeouts: list[type[BaseException]] = [TimeoutError, httpx.TimeoutException]
        refused: list[type[BaseException]] = [ConnectionError, httpx.ConnectError]
        if self.settings.provider != "ollama":  # Ollama's client raises httpx's and builtins
            import openai

            timeouts.append(openai.APITimeoutError)
            refused.append(openai.APIConnectionError)  # after the timeouts: their base class
        return tuple(timeouts), tuple(refused)

    def _wrap(self, exc: BaseException) -> GenerationError:
        """One clear GenerationError (GenerationTimeout for a timeout) for a library error."""
        where = f"LLM at {self.base_url}"
        timeouts, refused = self._failure_kinds()
        error: GenerationError
        if isinstance(exc, timeouts):
            error = GenerationTimeout(f"{where} timed out after {self.settings.timeout_s:g} s")
        elif status := _status_error(exc):
            error = GenerationError(f"{where} answered HTTP {status[0]}: {status[1]}")
        elif isinstance(exc, refused):
            error = GenerationError(f"cannot connect to the {where}: {exc.__cause__ or exc}")
        else:
            error = GenerationError(f"{where} failed: {type(exc).__name__}: {exc}")
        log.warning("llm call failed", extra={"base_url": self.base_url, "error": str(error)})
        return error

    def _messages(self, question: str, passages: list[Passage]) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [
            ChatMessage(role=m["role"], content=m["content"])
            for m in chat_messages(question, passages, self.settings.max_context_chars)
        ]

    def _chat(self, messages: list[Any]) -> str:
        """One chat call; Ollama's client does not retry, so connection failures retry here."""
        retries = self.settings.max_retries if self.settings.provider == "ollama" else 0
        attempt = 0
        while True:
            try:
                return str(self._llm.chat(messages).message.content or "")
            except self._errors as exc:
                if attempt < retries and isinstance(exc, ConnectionError | httpx.ConnectError):
                    time.sleep(0.5 * 2**attempt)
                    attempt += 1
                    continue
                raise self._wrap(exc) from exc

    def generate(self, question: str, passages: list[Passage]) -> Generated:
        """The LLM's answer, markers checked; empty text when the passages do not answer."""
        shown = passages[: self.max_passages]
        if not shown:
            return Generated(text="")
        started = time.perf_counter()
        text = self._chat(self._messages(question, shown))
        log.info(
            "llm answer",
            extra={
                "model": self.settings.model,
                "chars": len(text),
                "ms": elapsed_ms(started, 1),
            },
        )
        return Generated(text="") if is_no_answer(text) else validate_citations(text, len(shown))

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str]:
        """The LLM's answer in pieces as they arrive (validate the joined text afterwards)."""
        shown = passages[: self.max_passages]
        if not shown:
            return
        messages = self._messages(question, shown)
        try:
            for chunk in self._llm.stream_chat(messages):
                if chunk.delta:
                    yield chunk.delta
        except self._errors as exc:
            raise self._wrap(exc) from exc
