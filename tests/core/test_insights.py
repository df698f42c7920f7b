"""The insights engine over a real SQLite question log, real embeddings and the sample log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from core.config import InsightsSettings
from core.db import Database, EscalationStore
from core.db.insights import InsightsStore, insert_questions
from core.insights.catalogue import load_catalogue
from core.insights.engine import Insights
from core.insights.lookups import StaticLookups
from core.schema import Person, Principal, person_id_for
from eval.insights_eval import CATALOGUE, sample_facts
from examples.tools.question_log import PEOPLE, PlantedQuestion, generate

END = datetime(2026, 12, 1, tzinfo=UTC)
NOW = END + timedelta(hours=1)
TRAINER = Principal(user_id="t", groups=[], role="trainer")
HR_TRAINER = Principal(user_id="h", groups=["hr"], role="trainer")


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.embedded = 0

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return np.asarray(self.inner.embed_documents(texts))


class CountingStore(InsightsStore):
    """The real store, counting its reads of the question log."""

    reads = 0

    def questions(self, since: datetime, until: datetime | None = None) -> list[Any]:
        self.reads += 1
        return super().questions(since, until)


def directory() -> dict[str, Person]:
    people = yaml.safe_load(PEOPLE.read_text(encoding="utf-8"))
    found = {}
    for p in people:
        pid = person_id_for(p["name"], p.get("email"))
        found[pid] = Person(id=pid, name=p["name"], email=p.get("email"), team=p.get("team"))
    return found


@pytest.fixture(scope="module")
def log() -> list[PlantedQuestion]:
    return generate(3, scale=0.15, end=END)


@pytest.fixture(scope="module")
def engine(
    tmp_path_factory: pytest.TempPathFactory, embedder: Any, log: list[PlantedQuestion]
) -> Iterator[Insights]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('insights') / 'wc.db'}")
    insert_questions(db, [q.__dict__ for q in log])
    lookups = StaticLookups(sample_facts(), directory())
    yield Insights(InsightsStore(db), CountingEmbedder(embedder), lookups, InsightsSettings())
    db.dispose()


def _topic_of(report: Any, engine: Insights, log: list[PlantedQuestion], planted: str) -> Any:
    """The topic most questions of a planted topic landed in."""
    topic_of = {q.id: q.topic for q in engine.store.questions(NOW - timedelta(days=90), NOW)}
    ids = [topic_of[q.id] for q in log if q.topic == planted]
    main = max(set(ids), key=ids.count)
    return next(t for t in report.topics if t.id == main)


def test_empty_log_and_too_few_questions_say_so(tmp_path: Path, embedder: Any) -> None:
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        engine = Insights(InsightsStore(db), embedder, StaticLookups(), InsightsSettings())
        report = engine.report(TRAINER, NOW)
        assert report.topics == [] and report.questions == 0
        assert report.message == "No questions were asked in the last 90 days."
        insert_questions(db, [q.__dict__ for q in generate(1, scale=0.15, end=END)[:7]])
        report = engine.report(TRAINER, NOW)
        assert report.topics == [] and report.message is not None
        assert report.message.startswith("Only 7 questions were asked")
        needs = engine.training_needs(TRAINER, NOW, load_catalogue(CATALOGUE))
        assert needs.needs == [] and needs.message == report.message
    finally:
        db.dispose()


def test_topics_reasons_and_privacy(engine: Insights, log: list[PlantedQuestion]) -> None:
    report = engine.report(TRAINER, NOW)
    assert report.questions == len(log) and len(report.topics) >= 8
    assert sum(t.questions for t in report.topics) + report.other_questions == len(log)
    pension = _topic_of(report, engine, log, "pension")
    assert "pension" in pension.label and pension.abstained > 0.5
    assert max(pension.reasons, key=pension.reasons.get) == "no_content"
    stale = _topic_of(report, engine, log, "expense-claims")
    assert max(stale.reasons, key=stale.reasons.get) == "stale_content"
    assert any(d.stale == "superseded" for d in stale.documents)
    salary = _topic_of(report, engine, log, "salary-bands")
    assert salary.reasons.get("restricted", 0) > 0
    # The hr document is counted but never named to a trainer outside hr.
    assert salary.hidden_documents == 1
    assert "sample-hr-compensation" not in {d.document_id for d in salary.documents}
    hr_view = _topic_of(engine.report(HR_TRAINER, NOW), engine, log, "salary-bands")
    assert hr_view.hidden_documents == 0
    # k-anonymity: only teams with at least k askers; askers never named.
    for topic in report.topics:
        assert all(t.askers >= 5 for t in topic.teams)
    assert any(t.teams_hidden for t in report.topics)
    dumped = report.model_dump_json()
    assert not any(q.user_id in dumped for q in log)
    assert "sample-hr-compensation" not in dumped


def test_the_cache_embeds_only_new_questions(engine: Insights, log: list[PlantedQuestion]) -> None:
    engine.report(TRAINER, NOW)
    counter: Any = engine.embedder
    before, model = counter.embedded, engine.store.topics()
    engine.report(TRAINER, NOW)
    again = engine.store.topics()
    assert model is not None and again is not None
    assert counter.embedded == before and again.created == model.created
    late = [
        {**q.__dict__, "id": f"late-{i}", "created": NOW - timedelta(minutes=i + 1)}
        for i, q in enumerate(log[:6])
    ]
    insert_questions(engine.store._db, late)
    report = engine.report(TRAINER, NOW)
    assert counter.embedded == before + len({q["question"] for q in late})
    stored = engine.store.topics()
    assert stored is not None and stored.created == model.created
    assert report.questions == len(log) + 6


def test_drill_down_lists_questions_without_askers(engine: Insights) -> None:
    report = engine.report(TRAINER, NOW)
    # Built once while the log is unchanged, per caller access.
    assert engine.report(TRAINER, NOW) is report
    assert engine.report(HR_TRAINER, NOW) is not report
    detail = engine.topic(TRAINER, report.topics[0].id, NOW)
    assert len(detail.questions) == min(report.topics[0].questions, 200)
    assert all(q.asked <= NOW for q in detail.questions)
    assert detail.questions == sorted(detail.questions, key=lambda q: q.asked, reverse=True)


def test_training_needs_rank_the_planted_gaps(engine: Insights, log: list[PlantedQuestion]) -> None:
    needs = engine.training_needs(TRAINER, NOW, load_catalogue(CATALOGUE))
    assert [n.rank for n in needs.needs] == list(range(1, len(needs.needs) + 1))
    scores = [n.score for n in needs.needs]
    assert scores == sorted(scores, reverse=True)
    report = engine.report(TRAINER, NOW)
    pension = _topic_of(report, engine, log, "pension")
    ai = _topic_of(report, engine, log, "generative-ai")
    by_topic = {n.topic_id: n for n in needs.needs}
    assert by_topic[pension.id].action == "new_program"
    assert by_topic[ai.id].action == "change_program"
    assert by_topic[ai.id].program == "Generative AI for course authors"


def test_stale_documents_by_impact_and_the_escalated_share(
    engine: Insights, log: list[PlantedQuestion]
) -> None:
    report = engine.report(TRAINER, NOW)
    stale = report.stale_documents
    assert stale and [s.impact for s in stale] == sorted((s.impact for s in stale), reverse=True)
    superseded = next(s for s in stale if s.stale == "superseded")
    expense = _topic_of(report, engine, log, "expense-claims")
    assert expense.label in superseded.topics and superseded.citations > 0
    assert superseded.impact == superseded.citations + 2 * superseded.negative
    assert all(t.escalated == 0 for t in report.topics)
    # Ask an expert: a fifth of the pension questions were sent to an expert.
    store = EscalationStore(engine.store._db)
    pension_ids = [q.id for q in log if q.topic == "pension"]
    for question_id in pension_ids[::5]:
        store.create(
            question_id=question_id,
            question="q",
            asker_id="a",
            asker_person_id=None,
            groups=[],
            note=None,
            context={},
        )
    engine._reports.clear()  # cached up to CACHE_TTL_S, like moderation changes
    pension = _topic_of(engine.report(TRAINER, NOW), engine, log, "pension")
    assert 0.1 < pension.escalated < 0.3


def test_after_a_restart_the_start_up_job_prepares_the_report(
    engine: Insights, log: list[PlantedQuestion]
) -> None:
    engine.report(TRAINER, NOW)  # topics fitted and cached in the database
    store = CountingStore(engine.store._db)
    restarted = Insights(store, engine.embedder, engine.lookups, engine.settings)
    assert restarted.prepare(NOW) and restarted.ready.is_set() and store.reads == 1
    assert restarted.report(TRAINER, NOW).topics and store.reads == 1  # only summarised
    assert restarted.report(HR_TRAINER, NOW).topics and store.reads == 1  # any caller's access
    empty = Insights(
        InsightsStore(Database("sqlite://")), engine.embedder, engine.lookups, engine.settings
    )
    assert not empty.prepare(NOW) and empty.ready.is_set()  # nothing fitted: no work at start
