"""The insights report of a period: cached topics kept up to date, then each topic summarised.

Caching (core/db/insights.py): a question's vector is computed once (distinct wordings are
embedded once) and kept; the topic model is refitted when none is stored, when the embedding
model changed, or when the period holds more than REFIT_SHARE new questions per assigned one;
otherwise new questions only join their nearest topic. Opening the report therefore reads the
log and the assignments and summarises; it embeds only what was asked since.

In memory (CACHE_SIZE entries, CACHE_TTL_S each, while the period's question count and last
question are the same): the period's caller-independent base (core/insights/base.py) and each
caller's report cut from it; the training needs and a topic's drill-down reuse them. At
start-up the service prepares the default period's base (`prepare`) when a topic model is
cached, so the first open after a restart only cuts the caller's report.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Hashable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, overload

import numpy as np

from core.api import (
    InsightsReport,
    TopicDetail,
    TopicQuestion,
    TrainingNeeds,
)
from core.auth import can_see
from core.config import InsightsSettings
from core.db.insights import InsightsStore, LoggedQuestion
from core.errors import NotFoundError
from core.insights.base import Base, Built, build_base, empty_base, for_caller
from core.insights.catalogue import Program
from core.insights.lookups import Lookups
from core.insights.needs import training_needs
from core.insights.reasons import APPROXIMATIONS, NEGATIVE, needs_vectors, topic_reasons
from core.insights.summary import week_starts
from core.insights.topics import OTHER, TopicModel, fit_topics
from core.schema import Principal

log = logging.getLogger(__name__)

Outcome = Literal["answered", "abstained", "not_helpful"]
REFIT_SHARE = 0.25
CACHE_TTL_S = 300.0  # a built report is reused this long while the log is unchanged
CACHE_SIZE = 16  # built reports kept (per period and caller access)
MAX_DRILL_DOWN = 200


class TextEmbedder(Protocol):
    """What insights need of an embedder (core.embedding.Embedder has it)."""

    model_name: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of the texts."""
        ...


class Insights:
    """Builds insights reports from the question log."""

    def __init__(
        self,
        store: InsightsStore,
        embedder: TextEmbedder,
        lookups: Lookups,
        settings: InsightsSettings,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lookups = lookups
        self.settings = settings
        # One refresh of the cache at a time: two requests must not both refit.
        self._lock = threading.Lock()
        self._base_lock = threading.Lock()  # one build of a period's base at a time
        self.ready = threading.Event()  # set once `prepare` has run (start-up)
        self._reports: dict[Hashable, tuple[float, Any]] = {}  # reports and bases

    def report(
        self, caller: Principal, now: datetime, period_days: int | None = None
    ) -> InsightsReport:
        """The topics of the last `period_days` (setting by default) as the caller may see them."""
        return self._build(caller, now, period_days)[0]

    def topic(
        self, caller: Principal, topic_id: int, now: datetime, period_days: int | None = None
    ) -> TopicDetail:
        """One topic and its questions, newest first (askers never named)."""
        report, members, reasons = self._build(caller, now, period_days)
        summary = next((t for t in report.topics if t.id == topic_id), None)
        if summary is None:
            raise NotFoundError(f"topic {topic_id} not found in this period")
        questions = [
            TopicQuestion(
                question=q.question,
                asked=q.created,
                outcome=_outcome(q),
                reason=reasons.get(q.id),
            )
            for q in sorted(members[topic_id], key=lambda q: q.created, reverse=True)
        ]
        return TopicDetail(topic=summary, questions=questions[:MAX_DRILL_DOWN])

    def training_needs(
        self,
        caller: Principal,
        now: datetime,
        programs: Sequence[Program],
        period_days: int | None = None,
    ) -> TrainingNeeds:
        """The training-needs report of the period (core/insights/needs.py)."""
        report = self.report(caller, now, period_days)
        stored = self.store.topics()
        centroids = dict(enumerate(stored.centroids)) if stored and report.topics else {}
        vectors = self.embedder.embed_documents([p.text for p in programs]) if programs else None
        return training_needs(report, centroids, programs, vectors, self.settings)

    def _build(self, caller: Principal, now: datetime, period_days: int | None) -> Built:
        """The report, each topic's questions and each failed question's reason: from the
        in-memory cache while the period's log and the caller's access are the same (and for
        at most CACHE_TTL_S, so moderation changes show), else summarised from the period's
        caller-independent base (itself cached the same way)."""
        days = period_days or self.settings.period_days
        start = now - timedelta(days=days)
        state = (days, self.store.fingerprint(start, now))
        key = (*state, tuple(sorted(caller.access())))
        hit = self._cached(key)
        if hit is not None:
            return hit
        with self._base_lock:  # a request during the start-up warm-up waits for its base
            base = self._cached(state)
            if base is None:
                base = self._base(now, days, start)
                self._keep(state, base)
        built = for_caller(base, caller, self.settings.k_anonymity)
        self._keep(key, built)
        return built

    def prepare(self, now: datetime) -> bool:
        """Build the default period's base ahead of the first open (start-up): only when a
        topic model is cached and no refit is due, so it costs a read, never a fit."""
        try:
            return self._prepare(now)
        finally:
            self.ready.set()

    def _prepare(self, now: datetime) -> bool:
        days = self.settings.period_days
        start = now - timedelta(days=days)
        stored = self.store.topics()
        if stored is None or stored.model != self.embedder.model_name:
            return False
        state = (days, self.store.fingerprint(start, now))
        with self._base_lock:
            if self._cached(state) is not None:
                return True
            base = self._base(now, days, start, refit=False)
            if base is None:
                return False
            self._keep(state, base)
        log.info("insights prepared", extra={"questions": base.report.questions})
        return True

    def _cached(self, key: Hashable) -> Any:
        with self._lock:
            hit = self._reports.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_TTL_S:
            return hit[1]
        return None

    def _keep(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._reports[key] = (time.monotonic(), value)
            while len(self._reports) > CACHE_SIZE:
                self._reports.pop(next(iter(self._reports)))

    @overload
    def _base(self, now: datetime, days: int, start: datetime) -> Base: ...

    @overload
    def _base(self, now: datetime, days: int, start: datetime, refit: bool) -> Base | None: ...

    def _base(self, now: datetime, days: int, start: datetime, refit: bool = True) -> Base | None:
        """What every caller's report shares: questions, topics, documents, people, reasons
        (None when `refit` is False and the topic model would need one)."""
        weeks = max(1, math.ceil(days / 7))
        questions = self.store.questions(start, now)
        report = InsightsReport(
            period_start=start,
            period_end=now,
            questions=len(questions),
            weeks=week_starts(start, weeks),
            approximations=APPROXIMATIONS,
        )
        empty = empty_base(report, start, weeks)
        if not questions:
            report.message = f"No questions were asked in the last {days} days."
            return empty
        if len(questions) < self.settings.min_questions:
            report.message = (
                f"Only {len(questions)} questions were asked in the last {days} days; topics "
                f"need at least {self.settings.min_questions} (insights.min_questions)."
            )
            return empty
        if not refit and self._needs_refit(questions):
            return None
        with self._lock:
            model, topic_of = self.topics(questions)
        members: dict[int, list[LoggedQuestion]] = defaultdict(list)
        for q in questions:
            members[topic_of[q.id]].append(q)
        report.other_questions = len(members.get(OTHER, []))
        info = self.lookups.documents({d for q in questions for d in q.cited_document_ids}, now)
        people_ids = {p for q in questions for p in q.people_ids}
        people_ids |= {o.id for owners in info.owners.values() for o in owners}
        people = self.lookups.people(people_ids | {q.user_id for q in questions})
        wanted = [i for t, group in members.items() if t != OTHER for i in needs_vectors(group)]
        vectors = self._cached_vectors(wanted)  # one read for every topic
        reasons = {
            topic_id: topic_reasons(members[topic_id], info.facts, vectors, _asker_sees)
            for topic_id in range(len(model.labels))
            if members.get(topic_id)
        }
        escalated = frozenset(self.store.escalated(start, now))
        k = self.settings.k_anonymity
        return build_base(report, start, weeks, members, info, people, model, reasons, escalated, k)

    def _needs_refit(self, questions: Sequence[LoggedQuestion]) -> bool:
        stored = self.store.topics()
        new = sum(q.topic is None for q in questions)
        return (
            stored is None
            or stored.model != self.embedder.model_name
            or new > REFIT_SHARE * (len(questions) - new)
        )

    def topics(self, questions: Sequence[LoggedQuestion]) -> tuple[TopicModel, dict[str, int]]:
        """The topic model and each question's topic, refitted or extended (module docstring)."""
        stored = self.store.topics()
        new = [q for q in questions if q.topic is None]
        if stored is None or self._needs_refit(questions):
            return self._refit(questions)
        model = TopicModel(stored.centroids, stored.labels, stored.keywords)
        topic_of = {q.id: int(q.topic) for q in questions if q.topic is not None}
        if new:
            vectors = self.vectors(new)
            fresh = model.assign(np.stack([vectors[q.id] for q in new]))
            added = {q.id: int(t) for q, t in zip(new, fresh, strict=True)}
            self.store.add_assignments(added)
            topic_of.update(added)
        return model, topic_of

    def _refit(self, questions: Sequence[LoggedQuestion]) -> tuple[TopicModel, dict[str, int]]:
        vectors = self.vectors(questions)
        matrix = np.stack([vectors[q.id] for q in questions])
        s = self.settings
        model, assignment = fit_topics(
            matrix,
            [q.question for q in questions],
            distance_threshold=s.distance_threshold,
            min_topic_size=s.min_topic_size,
            max_fit=s.max_fit,
        )
        topic_of = {q.id: int(t) for q, t in zip(questions, assignment, strict=True)}
        self.store.save_topics(
            self.embedder.model_name, model.centroids, model.labels, model.keywords, topic_of
        )
        log.info(
            "topics refitted", extra={"questions": len(questions), "topics": len(model.labels)}
        )
        return model, topic_of

    def vectors(self, questions: Sequence[LoggedQuestion]) -> dict[str, np.ndarray]:
        """Every question's vector: from the cache, else embedded (each wording once) and kept."""
        found = self._cached_vectors([q.id for q in questions])
        missing = [q for q in questions if q.id not in found]
        if missing:
            texts = sorted({q.question for q in missing})
            embedded = self.embedder.embed_documents(texts)
            by_text = dict(zip(texts, embedded, strict=True))
            fresh = {q.id: by_text[q.question] for q in missing}
            self.store.save_vectors(fresh, self.embedder.model_name)
            found.update(fresh)
        return found

    def _cached_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        return self.store.vectors(ids, self.embedder.model_name)


def _asker_sees(q: LoggedQuestion, groups: list[str]) -> bool:
    return not groups or _sees(q.user_id, tuple(q.groups), tuple(groups))


@functools.lru_cache(maxsize=65_536)
def _sees(user_id: str, asker_groups: tuple[str, ...], groups: tuple[str, ...]) -> bool:
    # Cached: building a Principal per question and document was a second of a 100k report.
    return can_see(Principal(user_id=user_id, groups=list(asker_groups)), list(groups))


def _outcome(q: LoggedQuestion) -> Outcome:
    if q.abstained:
        return "abstained"
    return "not_helpful" if NEGATIVE & set(q.ratings) else "answered"
