"""Answer generators: write a cited answer from retrieved passages.

base.py        Generated, the Generator protocol
citations.py   validate, normalise and renumber `[n]` markers
units.py       passage text → sentences, list items and table rows
extractive.py  the offline default: the best supporting sentences, each cited
prompt.py      the grounded prompt shared by the LLM generators
llm.py         any OpenAI-compatible endpoint, or Ollama's native API
local.py       a GGUF model through llama-cpp-python (optional extra `local-llm`)
factory.py     make_generator(name, settings, embedder)
"""

from core.generation.base import Generated, Generator
from core.generation.citations import (
    NO_ANSWER,
    compact,
    is_no_answer,
    renumber,
    used_markers,
    validate_citations,
)
from core.generation.factory import make_generator

__all__ = [
    "NO_ANSWER",
    "Generated",
    "Generator",
    "compact",
    "is_no_answer",
    "make_generator",
    "renumber",
    "used_markers",
    "validate_citations",
]
