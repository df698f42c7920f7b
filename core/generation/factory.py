"""Builds the configured answer generator."""

from __future__ import annotations

from core.config import Settings
from core.embedding import Embedder
from core.errors import ConfigError
from core.generation.base import Generator

GENERATORS = ("extractive", "llm", "local")


def make_generator(name: str, settings: Settings, embedder: Embedder) -> Generator:
    """The generator called `name`: 'extractive' (offline default), 'llm' or 'local'."""
    if name not in GENERATORS:
        raise ConfigError(f"unknown generator {name!r}; choose one of {', '.join(GENERATORS)}")
    problem = settings.llm.missing_for(name)
    if problem:
        raise ConfigError(problem)
    # Imported here so that the extractive default never loads the LLM client libraries.
    if name == "llm":
        from core.generation.llm import LLMGenerator

        return LLMGenerator(settings.llm, max_passages=settings.answer.max_passages)
    if name == "local":
        from core.generation.local import LocalLlamaGenerator

        return LocalLlamaGenerator(settings.llm, max_passages=settings.answer.max_passages)
    from core.generation.extractive import ExtractiveGenerator

    return ExtractiveGenerator(
        embedder,
        max_passages=settings.answer.max_passages,
        vector_cache=settings.answer.unit_cache_size,
    )
