"""The question log as insights read it, and what insights cache: vectors, topics, assignments.

    insights_vectors      one embedding per logged question (float16), with the model's name
    insights_topics       the last fitted topic model (one row): centroids, labels, keywords
    insights_assignments  each question's topic under that model

Reading the log takes only the columns insights need (JSON lists read as text and decoded
only when not empty, each distinct text once: rows share the decoded list, which nobody
mutates), in one query joined to the cached topic and one for the feedback. The
tables are created when the store opens (a cache: dropping them loses nothing but time).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import (
    Integer,
    LargeBinary,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db.engine import Database, upsert, utcnow
from core.db.escalations import EscalationRecord
from core.db.tables import Base, FeedbackRecord, QuestionRecord, UTCDateTime

# The sentence the extractive answer adds when the conflicting-figures check fires
# (core/generation/disputes.py): the log keeps the answer text, not the check's result.
CONFLICT_NOTE = "the sources disagree"
_BATCH = 5000


class QuestionVectorRecord(Base):
    """A logged question's embedding."""

    __tablename__ = "insights_vectors"

    question_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    model: Mapped[str] = mapped_column(String(255))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class TopicModelRecord(Base):
    """The fitted topic model (one row, id 1)."""

    __tablename__ = "insights_topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    fitted_on: Mapped[int] = mapped_column(Integer)  # questions it was fitted on
    centroids: Mapped[bytes] = mapped_column(LargeBinary)  # float32, topics × dimension
    labels: Mapped[str] = mapped_column(Text)  # JSON {"labels": [...], "keywords": [[...]]}


class TopicAssignmentRecord(Base):
    """A logged question's topic under the stored model (-1: other questions)."""

    __tablename__ = "insights_assignments"

    question_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    topic: Mapped[int] = mapped_column(Integer)


_TABLES = [
    QuestionVectorRecord.__table__,
    TopicModelRecord.__table__,
    TopicAssignmentRecord.__table__,
]


class LoggedQuestion(NamedTuple):
    """What insights read of a logged question; `topic` is the cached one (None: not yet).

    A named tuple: 100k of them are built per report, and a frozen dataclass's constructor
    took a second of that."""

    id: str
    created: datetime
    user_id: str
    groups: list[str]
    question: str
    cited_document_ids: list[str]
    people_ids: list[str]
    abstained: bool
    conflict: bool
    ratings: tuple[str, ...]
    topic: int | None


@dataclass(frozen=True)
class StoredTopics:
    """The cached topic model."""

    model: str
    created: datetime
    fitted_on: int
    centroids: np.ndarray
    labels: list[str]
    keywords: list[list[str]]


class InsightsStore:
    """Reads the question log for insights and keeps their cache."""

    def __init__(self, db: Database) -> None:
        self._db = db
        with db.session("create insights tables") as session:
            Base.metadata.create_all(session.connection(), tables=_TABLES)  # type: ignore[arg-type]

    def questions(self, since: datetime, until: datetime | None = None) -> list[LoggedQuestion]:
        """The questions asked since `since` (until `until`), oldest first, with ratings."""
        q = QuestionRecord
        stmt = (
            select(
                q.id,
                _raw(q.created),
                q.user_id,
                _raw(q.groups),
                q.question,
                _raw(q.cited_document_ids),
                _raw(q.people_ids),
                q.abstained,
                q.answer.contains(CONFLICT_NOTE),
                TopicAssignmentRecord.topic,
            )
            .outerjoin(TopicAssignmentRecord, TopicAssignmentRecord.question_id == q.id)
            .where(q.created >= since)
            .order_by(q.created, q.id)
        )
        ratings_stmt = (
            select(FeedbackRecord.question_id, FeedbackRecord.rating)
            .join(q, q.id == FeedbackRecord.question_id)
            .where(q.created >= since, FeedbackRecord.marker.is_(None))
        )
        if until is not None:
            stmt = stmt.where(q.created < until)
            ratings_stmt = ratings_stmt.where(q.created < until)
        with self._db.session("read the question log") as session:
            # Core, not the ORM: its per-row loading was a third of reading 100k questions.
            connection = session.connection()
            rows = connection.execute(stmt).all()
            ratings: dict[str, list[str]] = defaultdict(list)
            for question_id, rating in connection.execute(ratings_stmt):
                ratings[question_id].append(rating)
        decoded: dict[Any, list[str]] = {}  # the same few lists repeat across 100k rows

        def lists(raw: Any) -> list[str]:
            if isinstance(raw, list):  # drivers that decode JSON themselves (psycopg)
                return raw
            found = decoded.get(raw)
            if found is None:
                found = decoded[raw] = _list(raw)
            return found

        return [
            LoggedQuestion(
                r[0],
                _moment(r[1]),
                r[2],
                lists(r[3]),
                r[4],
                lists(r[5]),
                lists(r[6]),
                bool(r[7]),
                bool(r[8]),
                tuple(ratings.get(r[0], ())),
                r[9],
            )
            for r in rows
        ]

    def fingerprint(self, since: datetime, until: datetime) -> tuple[int, datetime | None]:
        """How many questions the period holds and when the last was asked (cheap: one
        aggregate over the `created` index), to tell whether a cached report still holds."""
        q = QuestionRecord
        stmt = select(func.count(), func.max(q.created)).where(
            q.created >= since, q.created < until
        )
        with self._db.session("read the question log's fingerprint") as session:
            count, last = session.execute(stmt).one()
        return int(count or 0), last

    def escalated(self, since: datetime, until: datetime) -> set[str]:
        """The ids of the period's questions that were sent to an expert (ask an expert)."""
        q = QuestionRecord
        stmt = (
            select(EscalationRecord.question_id)
            .join(q, q.id == EscalationRecord.question_id)
            .where(q.created >= since, q.created < until)
        )
        with self._db.session("read escalated questions") as session:
            return set(session.scalars(stmt))

    def vectors(self, question_ids: Sequence[str], model: str) -> dict[str, np.ndarray]:
        """The cached vectors of these questions made by `model`."""
        found: dict[str, np.ndarray] = {}
        with self._db.session("read question vectors") as session:
            for start in range(0, len(question_ids), _BATCH):
                chunk = list(question_ids[start : start + _BATCH])
                stmt = select(QuestionVectorRecord.question_id, QuestionVectorRecord.vector).where(
                    QuestionVectorRecord.question_id.in_(chunk),
                    QuestionVectorRecord.model == model,
                )
                for question_id, blob in session.execute(stmt):
                    found[question_id] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def save_vectors(self, vectors: Mapping[str, np.ndarray], model: str) -> None:
        """Cache vectors (replacing those of the same questions)."""
        ids = list(vectors)
        rows = [
            {"question_id": i, "model": model, "vector": vectors[i].astype(np.float16).tobytes()}
            for i in ids
        ]
        with self._db.session("save question vectors") as session:
            for start in range(0, len(rows), _BATCH):
                chunk = ids[start : start + _BATCH]
                session.execute(
                    delete(QuestionVectorRecord).where(QuestionVectorRecord.question_id.in_(chunk))
                )
                session.execute(insert(QuestionVectorRecord), rows[start : start + _BATCH])

    def topics(self) -> StoredTopics | None:
        """The cached topic model, if any."""
        with self._db.session("read topic model") as session:
            r = session.get(TopicModelRecord, 1)
            if r is None:
                return None
            meta = json.loads(r.labels)
            centroids = np.frombuffer(r.centroids, dtype=np.float32)
            dimension = max(1, int(meta.get("dimension", 1)))
            return StoredTopics(
                model=r.model,
                created=r.created,
                fitted_on=r.fitted_on,
                centroids=centroids.reshape(-1, dimension).copy(),
                labels=list(meta["labels"]),
                keywords=[list(k) for k in meta["keywords"]],
            )

    def save_topics(
        self,
        model: str,
        centroids: np.ndarray,
        labels: list[str],
        keywords: list[list[str]],
        assignments: Mapping[str, int],
    ) -> None:
        """Replace the topic model and every assignment in one transaction."""
        meta = {"labels": labels, "keywords": keywords, "dimension": int(centroids.shape[1])}
        record = TopicModelRecord(
            id=1,
            model=model,
            created=utcnow(),
            fitted_on=len(assignments),
            centroids=np.asarray(centroids, dtype=np.float32).tobytes(),
            labels=json.dumps(meta),
        )
        with self._db.session("save topic model") as session:
            session.execute(delete(TopicModelRecord))
            session.execute(delete(TopicAssignmentRecord))
            session.add(record)
            session.flush()
            _insert_assignments(session, assignments)

    def add_assignments(self, assignments: Mapping[str, int]) -> None:
        """Assign new questions under the current model."""
        with self._db.session("save topic assignments") as session:
            _insert_assignments(session, assignments)


def _raw(column: Any) -> Any:
    """A JSON column read as its text: most lists are empty, and decoding every row through
    SQLAlchemy's JSON type was a third of the time of reading 100k questions."""
    return type_coerce(column, Text)


def _moment(value: Any) -> datetime:
    """A `created` read as text (SQLite: naive UTC) or as a datetime (PostgreSQL), in UTC:
    parsing it here is several times faster than the column type's per-row processing."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _list(value: Any) -> list[str]:
    if isinstance(value, list):  # drivers that decode JSON themselves (psycopg)
        return value
    if not value or value == "[]":
        return []
    return list(json.loads(value))


def _insert_assignments(session: Session, assignments: Mapping[str, int]) -> None:
    # An upsert: two requests may assign the same new question.
    rows = [{"question_id": k, "topic": int(v)} for k, v in assignments.items()]
    for start in range(0, len(rows), _BATCH):
        upsert(session, TopicAssignmentRecord, rows[start : start + _BATCH], ["question_id"])


def insert_questions(db: Database, questions: Iterable[Mapping[str, Any]]) -> int:
    """Write logged questions (with their `ratings`) in bulk: sample and benchmark logs."""
    rows, feedback = [], []
    for q in questions:
        rows.append(
            {
                "id": q["id"],
                "created": q["created"],
                "user_id": q["user_id"],
                "groups": list(q["groups"]),
                "question": q["question"],
                "filters": {},
                "generator": "extractive",
                "answer": q.get("answer", ""),
                "cited_document_ids": list(q["cited_document_ids"]),
                "people_ids": list(q.get("people_ids", [])),
                "confidence": q["confidence"],
                "abstained": q["abstained"],
                "timings_ms": {},
            }
        )
        feedback += [
            {
                "question_id": q["id"],
                "created": q["created"],
                "user_id": q["user_id"],
                "rating": rating,
                "marker": None,
                "comment": None,
            }
            for rating in q.get("ratings", [])
        ]
    with db.session("insert questions") as session:
        for start in range(0, len(rows), _BATCH):
            session.execute(insert(QuestionRecord), rows[start : start + _BATCH])
        for start in range(0, len(feedback), _BATCH):
            session.execute(insert(FeedbackRecord), feedback[start : start + _BATCH])
    return len(rows)
