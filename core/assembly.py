"""The answer stack, wired once: retriever → generators → assistant, from settings.

    build_retriever(settings, index, embedder, people)   hybrid search + rerank + cuts
    build_generators(settings, embedder, names)          every generator that can run here
    build_assistant(settings, retriever, people, generators)  the Assistant over any retriever
    build_stack(settings, index, embedder, people)       all three over an index
    index_meta(embedder)                                 what an index must have been built with

The service, the eval suite and the benchmarks all build the stack here, so an eval measures
exactly what the service serves; they differ only in what they hand in (the index, a stand-in
retriever for fixed contexts, an open abstention gate in the settings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from core.answering import Assistant
from core.config import Settings
from core.db import PeopleStore
from core.embedding import Embedder
from core.errors import ConfigError, GenerationError
from core.experts import ExpertFinder
from core.generation import Generator, make_generator
from core.generation.factory import GENERATORS
from core.index.base import CHUNKER_VERSION, IndexMeta, VectorIndex
from core.moderation import ModerationRanking, StateLookup
from core.rerank import Reranker, make_reranker
from core.retrieval import PassageSearch, Retriever
from core.sparse import Bm25Encoder

log = logging.getLogger(__name__)


@dataclass
class AnswerStack:
    """The retriever, generators and assistant the service serves."""

    retriever: Retriever
    generators: dict[str, Generator]
    unavailable: dict[str, str]  # generator name → why it cannot be used
    assistant: Assistant


def index_meta(embedder: Embedder) -> IndexMeta:
    """The metadata an index built for this embedder and today's chunker carries."""
    return IndexMeta(embedder.model_name, embedder.dimension, CHUNKER_VERSION)


def build_retriever(
    settings: Settings,
    index: VectorIndex,
    embedder: Embedder,
    people: PeopleStore | None,
    *,
    reranker: Reranker | None = None,
    sparse: Bm25Encoder | None = None,
    moderation: StateLookup | None = None,
) -> Retriever:
    """The product's retriever over `index` (the configured reranker unless one is given);
    with `moderation`, trainers' states weigh in the ranking."""
    return Retriever(
        index,
        embedder,
        sparse or Bm25Encoder(),
        reranker if reranker is not None else make_reranker(settings),
        settings.retrieval,
        people,
        ModerationRanking(moderation, settings.moderation.verified_lift) if moderation else None,
    )


def build_generators(
    settings: Settings, embedder: Embedder, names: Sequence[str] = GENERATORS
) -> tuple[dict[str, Generator], dict[str, str]]:
    """The named generators the settings allow, and why each of the others cannot be used."""
    generators: dict[str, Generator] = {}
    unavailable: dict[str, str] = {}
    for name in names:
        try:
            generators[name] = make_generator(name, settings, embedder)
        except (ConfigError, GenerationError) as exc:
            unavailable[name] = str(exc)
            log.info("generator unavailable", extra={"generator": name, "reason": str(exc)})
    return generators, unavailable


def build_assistant(
    settings: Settings,
    retriever: PassageSearch,
    people: PeopleStore,
    generators: dict[str, Generator],
) -> Assistant:
    """The Assistant answering from `retriever`'s passages and ranking people from `people`."""
    return Assistant(retriever, ExpertFinder(people, settings.experts), generators, settings)


def build_stack(
    settings: Settings,
    index: VectorIndex,
    embedder: Embedder,
    people: PeopleStore,
    generators: Sequence[str] = GENERATORS,
    *,
    reranker: Reranker | None = None,
    sparse: Bm25Encoder | None = None,
    moderation: StateLookup | None = None,
) -> AnswerStack:
    """The whole stack over `index`: retriever, the named generators that can run, assistant."""
    retriever = build_retriever(
        settings, index, embedder, people, reranker=reranker, sparse=sparse, moderation=moderation
    )
    built, unavailable = build_generators(settings, embedder, generators)
    assistant = build_assistant(settings, retriever, people, built)
    return AnswerStack(retriever, built, unavailable, assistant)
