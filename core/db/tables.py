"""Tables: the ingestion manifest (files, documents), the people directory, ingest runs,
API keys, and the question log with its feedback.

Types are portable across SQLite and PostgreSQL: JSON via `sqlalchemy.JSON`, datetimes via
`UTCDateTime` (stored in UTC, always read back timezone-aware). `SCHEMA_VERSION` is the newest
Alembic revision as a number, also kept in `schema_version` so that an older Watercooler refuses
a newer database. A change to an existing table needs a revision in core/db/migrations/versions/
(core/db/migrate.py says how they run); a new table needs none: it is created when missing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 5  # = the newest revision, core/db/migrations/versions/0005_*.py

# Deterministic constraint names, so that migrations can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC; naive input is taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC before storing (SQLite would otherwise drop the offset)."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Give back an aware UTC datetime whatever the driver returned."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every Watercooler table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SchemaVersion(Base):
    """The one row that says which schema version the database holds."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(UTCDateTime)


class SourceFile(Base):
    """Manifest entry of one source file: what it hashed to and which documents it gave."""

    __tablename__ = "source_files"
    __table_args__ = (UniqueConstraint("source", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    file_hash: Mapped[str] = mapped_column(String(128))
    # Hash of the people, owners and settings the parse depended on.
    context_hash: Mapped[str] = mapped_column(String(128))
    document_ids: Mapped[list[str]] = mapped_column(JSON)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)


class DocumentRecord(Base):
    """One ingested document: manifest fields, its chunk ids and the full document JSON."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_source_kind", "source", "kind"),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    source: Mapped[str] = mapped_column(String(255))
    native_id: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(128))
    chunk_ids: Mapped[list[str]] = mapped_column(JSON)  # in document order
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # Document.model_dump(mode="json")
    author_ids: Mapped[list[str]] = mapped_column(JSON)
    owner_ids: Mapped[list[str]] = mapped_column(JSON)
    groups: Mapped[list[str]] = mapped_column(JSON)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by: Mapped[str | None] = mapped_column(String(255))
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)


class PersonRecord(Base):
    """One person of the directory (or a contributor found only in content)."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    team: Mapped[str | None] = mapped_column(String(255), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(String(64))
    chat: Mapped[str | None] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    in_directory: Mapped[bool]
    # Case-folded name, email, aliases, team and title: portable case-insensitive search
    # (SQLite's LIKE and lower() fold ASCII only).
    search_text: Mapped[str] = mapped_column(Text)


class IngestRun(Base):
    """One ingestion job: when it ran, how it ended and its report."""

    __tablename__ = "ingest_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    started: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(255))  # the source filter, if any
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))  # core.errors code of `error`


class ApiKeyRecord(Base):
    """An API key: only its sha256 is stored, with who it stands for and its role."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the key
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, to tell keys apart
    user_id: Mapped[str] = mapped_column(String(255), index=True)
    person_id: Mapped[str | None] = mapped_column(String(255))  # who of the directory calls
    groups: Mapped[list[str]] = mapped_column(JSON)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuestionRecord(Base):
    """One question asked through the service, with what it was answered."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[str] = mapped_column(String(255), index=True)
    groups: Mapped[list[str]] = mapped_column(JSON)
    question: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON)
    generator: Mapped[str] = mapped_column(String(32))
    answer: Mapped[str] = mapped_column(Text)
    cited_document_ids: Mapped[list[str]] = mapped_column(JSON)
    people_ids: Mapped[list[str]] = mapped_column(JSON)
    confidence: Mapped[float] = mapped_column(Float)
    abstained: Mapped[bool] = mapped_column(Boolean, index=True)
    timings_ms: Mapped[dict[str, float]] = mapped_column(JSON)


class FeedbackRecord(Base):
    """A rating of an answer (or of one of its citations), linked to its question."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_id: Mapped[str] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[str] = mapped_column(String(255))
    rating: Mapped[str] = mapped_column(String(32), index=True)
    marker: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
