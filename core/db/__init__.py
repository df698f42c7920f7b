"""The relational store: manifest, people directory, ingest runs, API keys, question log.

    engine.py    Database(url): engine per dialect, schema + version, session(), ping()
    migrate.py   schema revisions (Alembic, migrations/): status, upgrade, pre-Alembic steps
    tables.py    the tables (SQLAlchemy declarative), UTCDateTime, SCHEMA_VERSION
    manifest.py  ManifestStore: source files and documents (with their chunk ids)
    people.py    PeopleStore: the people directory and its search
    runs.py      RunStore: ingest runs and their reports
    keys.py      KeyStore: API keys (stored as sha256), their users, groups and roles
    questions.py QuestionStore: the question log and the feedback on answers
    moderation.py ModerationStore: trainers' states, their history, flags, review assignments
    conflicts.py ConflictStore: documents answers found disagreeing ("sources disagree")
    usage.py     usage_since: citations and negative ratings per document (review impact)
    outbox.py    Outbox: the reviewers' digest messages, retried with backoff
    escalations.py EscalationStore: questions sent to experts, their history, people's away

Runs on SQLite (default, a file under the data directory) and PostgreSQL; every failure
leaves as `core.errors.StorageError`.
"""

from core.db.conflicts import ConflictStore
from core.db.engine import Database, redact_url
from core.db.escalations import Escalation, EscalationStore
from core.db.keys import ApiKeyEntry, KeyStore, generate_key, hash_key
from core.db.manifest import DocumentEntry, FileEntry, ManifestStore
from core.db.moderation import ModerationStore
from core.db.outbox import Outbox
from core.db.people import PeopleStore
from core.db.questions import FeedbackEntry, QuestionEntry, QuestionStore, Rating
from core.db.runs import RunEntry, RunStatus, RunStore
from core.db.tables import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "ApiKeyEntry",
    "ConflictStore",
    "Database",
    "DocumentEntry",
    "Escalation",
    "EscalationStore",
    "FeedbackEntry",
    "FileEntry",
    "KeyStore",
    "ManifestStore",
    "ModerationStore",
    "Outbox",
    "PeopleStore",
    "QuestionEntry",
    "QuestionStore",
    "Rating",
    "RunEntry",
    "RunStatus",
    "RunStore",
    "generate_key",
    "hash_key",
    "redact_url",
]
