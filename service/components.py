"""Everything the service builds once at start-up and closes at shutdown."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from core.answering import Assistant
from core.assembly import build_stack, index_meta
from core.auth import Authenticator, issue_local_key, local_key_path, retire_local_key
from core.config import Settings
from core.db import (
    ApiKeyEntry,
    Database,
    EscalationStore,
    KeyStore,
    ManifestStore,
    ModerationStore,
    Outbox,
    PeopleStore,
    QuestionStore,
    RunStore,
)
from core.embedding import Embedder, SentenceTransformerEmbedder, SerializedEmbedder
from core.errors import (
    IndexMismatchError,
    VectorIndexError,
    WatercoolerError,
)
from core.expert_notify import Notifier
from core.expert_requests import ExpertRequests
from core.experts import ExpertFinder
from core.generation import Generator
from core.index.base import VectorIndex
from core.index.factory import open_index
from core.queue import JobLauncher, uses_queue
from core.rerank import Reranker
from core.retrieval import Retriever
from core.sources import SourcesConfig
from core.sparse import Bm25Encoder
from ingest.job import build_pipeline
from service.facets import FacetCache
from service.jobs import IngestJobs
from service.queue import IndexGeneration, QueueKeys, QueueLauncher, connect

log = logging.getLogger(__name__)

JOB_SHUTDOWN_WAIT_S = 60.0


@dataclass
class Components:
    """The service's collaborators, shared by every request."""

    settings: Settings
    db: Database
    index: VectorIndex
    embedder: Embedder
    sparse: Bm25Encoder
    reranker: Reranker
    generators: dict[str, Generator]
    unavailable: dict[str, str]  # generator name → why it cannot be used
    retriever: Retriever
    experts: ExpertFinder
    assistant: Assistant
    manifest: ManifestStore
    people: PeopleStore
    runs: RunStore
    keys: KeyStore
    questions: QuestionStore
    moderation: ModerationStore
    auth: Authenticator
    jobs: JobLauncher
    expert_requests: ExpertRequests
    facet_cache: FacetCache[Any] = field(default_factory=FacetCache)
    index_problem: str | None = None
    local_key: ApiKeyEntry | None = None

    @classmethod
    def build(cls, settings: Settings, embedder: Embedder | None = None) -> Components:
        """Open the database and index, load the models, wire the services."""
        with ExitStack() as undo:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            db = Database(settings.database_url)
            undo.callback(db.dispose)
            index = open_index(settings)
            undo.callback(index.close)
            shared = SerializedEmbedder(embedder or SentenceTransformerEmbedder(settings.embedding))
            people = PeopleStore(db)
            moderation = ModerationStore(db)
            stack = build_stack(settings, index, shared, people, moderation=moderation)
            runs = RunStore(db)
            keys = KeyStore(db)
            jobs, facet_cache = _job_launcher(settings, index, shared, db, runs)
            components = cls(
                settings=settings,
                db=db,
                index=index,
                embedder=shared,
                sparse=stack.retriever.sparse,
                reranker=stack.retriever.reranker,
                generators=stack.generators,
                unavailable=stack.unavailable,
                retriever=stack.retriever,
                experts=stack.assistant.experts,
                assistant=stack.assistant,
                manifest=ManifestStore(db),
                people=people,
                runs=runs,
                keys=keys,
                questions=QuestionStore(db),
                moderation=moderation,
                auth=Authenticator(settings.service.auth_mode, keys, people, settings.auth),
                jobs=jobs,
                facet_cache=facet_cache,
                expert_requests=ExpertRequests(
                    EscalationStore(db),
                    people,
                    ManifestStore(db),
                    stack.retriever,
                    stack.assistant.experts,
                    build_pipeline(
                        settings, SourcesConfig(sources=[]), index=index, embedder=shared, db=db
                    ),
                    settings,
                    notifier=Notifier(Outbox(db), settings),
                    moderation=moderation,
                ),
            )
            components.index_problem = check_index(index, shared)
            components._start_auth()
            undo.pop_all()
        log.info(
            "service ready",
            extra={
                "index": settings.index.backend,
                "model": shared.model_name,
                "generators": sorted(stack.generators),
                "auth_mode": settings.service.auth_mode,
                "index_problem": components.index_problem,
            },
        )
        return components

    def _start_auth(self) -> None:
        service = self.settings.service
        if service.bootstrap_admin_key is not None:
            plain = service.bootstrap_admin_key.get_secret_value()
            self.keys.ensure(plain, service.bootstrap_admin_user, "admin")
        self.local_key = issue_local_key(self.keys, local_key_path(self.settings))

    def close(self) -> None:
        """Wait for a running ingest job (bounded), then release the key, index and database."""
        if not self.jobs.wait(JOB_SHUTDOWN_WAIT_S):
            log.warning("shutting down while an ingest job still runs")
        try:
            if self.local_key is not None:
                retire_local_key(self.keys, self.local_key, local_key_path(self.settings))
        except WatercoolerError as exc:
            log.warning("cannot revoke the local key", extra={"error": str(exc)})
        try:
            self.index.close()
        except VectorIndexError as exc:
            log.warning("closing the index failed", extra={"error": str(exc)})
        self.db.dispose()
        log.info("service stopped")


def _job_launcher(
    settings: Settings, index: VectorIndex, embedder: Embedder, db: Database, runs: RunStore
) -> tuple[JobLauncher, FacetCache[Any]]:
    """Queue workers' jobs and a facet cache that follows them, or in-process jobs."""
    if uses_queue(settings):
        redis = connect(settings)
        generation = IndexGeneration(redis, QueueKeys(settings.queue.name))
        return QueueLauncher(settings, runs, redis), FacetCache(generation=generation.current)
    cache: FacetCache[Any] = FacetCache()
    jobs = IngestJobs(settings, index=index, embedder=embedder, db=db, runs=runs)
    jobs.on_finish = cache.clear
    if settings.index.backend == "edge":  # this process is the index's only writer
        jobs.fail_interrupted()
    return jobs, cache


def check_index(index: VectorIndex, embedder: Embedder) -> str | None:
    """Create the index if missing; the reason it cannot serve this model, if any."""
    try:
        index.ensure(index_meta(embedder))
    except IndexMismatchError as exc:
        log.error("index mismatch", extra={"reason": str(exc)})
        return str(exc)
    except VectorIndexError as exc:  # e.g. a server that is down: it may come back
        log.warning("index not available at start-up", extra={"reason": str(exc)})
    return None
