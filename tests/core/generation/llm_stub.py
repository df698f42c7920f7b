"""A local LLM server for tests: OpenAI `/v1/chat/completions` and Ollama `/api/chat`.

It is served over real HTTP by uvicorn on 127.0.0.1, so the generators reach it through the
same client libraries as in production. A test sets `reply` (prompt → answer text), and may
set `delay_s` or `status`; the stub records every request body and the pieces it streamed.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

CREATED = 1_700_000_000


@dataclass
class Prompt:
    """What the stub understood from a chat request."""

    system: str
    user: str
    question: str
    labels: dict[int, str]  # passage number → "Title — Heading" line


def parse_prompt(messages: list[dict[str, Any]]) -> Prompt:
    """The system text, user text, question and numbered passage labels of a chat request."""
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    user = [m["content"] for m in messages if m["role"] == "user"][-1]
    question = re.search(r"^Question: (.*)$", user, re.MULTILINE)
    labels = {int(n): label for n, label in re.findall(r"^\[(\d+)\] (.+)$", user, re.MULTILINE)}
    return Prompt(system, user, question[1] if question else "", labels)


def pieces_of(text: str) -> list[str]:
    """How the stub streams a reply: word by word, each with its trailing space."""
    return re.findall(r"\S+\s*", text)


def no_answer(prompt: Prompt) -> str:
    """The default reply: what a grounded model says when the passages do not help."""
    return "The sources do not cover this."


@dataclass
class LLMStub:
    """The stub's behaviour and what it saw; change it per test."""

    url: str = ""
    reply: Callable[[Prompt], str] = no_answer
    delay_s: float = 0.0
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    streamed: list[str] = field(default_factory=list)

    def reset(self) -> None:
        """Back to a prompt, well-behaved server with no history."""
        self.reply = no_answer
        self.delay_s, self.status = 0.0, 200
        self.requests.clear()
        self.streamed.clear()

    @property
    def last_prompt(self) -> Prompt:
        """The prompt of the latest request."""
        return parse_prompt(self.requests[-1]["messages"])


def create_app(stub: LLMStub) -> FastAPI:
    """The FastAPI app that plays an OpenAI-compatible server and an Ollama server."""
    app = FastAPI()

    async def answer(request: Request) -> tuple[dict[str, Any], str | None, JSONResponse | None]:
        body = await request.json()
        stub.requests.append(body)
        if stub.delay_s:
            await asyncio.sleep(stub.delay_s)
        if stub.status != 200:
            error = {"error": {"message": "stub failure", "type": "server_error"}}
            return body, None, JSONResponse(error, status_code=stub.status)
        return body, stub.reply(parse_prompt(body["messages"])), None

    @app.post("/v1/chat/completions", response_model=None)
    async def openai_chat(request: Request) -> Any:
        body, text, error = await answer(request)
        if error is not None or text is None:
            return error
        if not body.get("stream"):
            return {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": CREATED,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            }

        def chunk(delta: dict[str, str], finish: str | None = None) -> str:
            data = {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": CREATED,
                "model": body["model"],
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(data)}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            for piece in pieces_of(text):
                stub.streamed.append(piece)
                yield chunk({"content": piece})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/chat", response_model=None)
    async def ollama_chat(request: Request) -> Any:
        body, text, error = await answer(request)
        if error is not None or text is None:
            return error

        def line(content: str, done: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "model": body["model"],
                "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": content},
                "done": done,
            }
            if done:
                out.update(done_reason="stop", prompt_eval_count=100, eval_count=20)
            return out

        if body.get("stream") is False:
            return line(text, True)

        async def lines() -> AsyncIterator[str]:
            for piece in pieces_of(text):
                stub.streamed.append(piece)
                yield json.dumps(line(piece, False)) + "\n"
            yield json.dumps(line("", True)) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return app


def free_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(stub: LLMStub) -> Iterator[LLMStub]:
    """Run the stub on a free loopback port in a background thread until the generator ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_app(stub), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the LLM stub did not start")
        time.sleep(0.01)
    stub.url = f"http://{host}:{port}"
    try:
        yield stub
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
