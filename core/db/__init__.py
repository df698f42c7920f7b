"""The relational store: the ingestion manifest, the people directory and ingest runs.

    engine.py    Database(url): engine per dialect, schema + version, session(), ping()
    models.py    the tables (SQLAlchemy declarative), UTCDateTime, SCHEMA_VERSION
    manifest.py  ManifestStore: source files and documents (with their chunk ids)
    people.py    PeopleStore: the people directory and its search
    runs.py      RunStore: ingest runs and their reports

Runs on SQLite (default, a file under the data directory) and PostgreSQL; every failure
leaves as `core.errors.StorageError`.
"""

from core.db.engine import Database, redact_url
from core.db.manifest import DocumentEntry, FileEntry, ManifestStore
from core.db.models import SCHEMA_VERSION
from core.db.people import PeopleStore
from core.db.runs import RunEntry, RunStatus, RunStore

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "DocumentEntry",
    "FileEntry",
    "ManifestStore",
    "PeopleStore",
    "RunEntry",
    "RunStatus",
    "RunStore",
    "redact_url",
]
