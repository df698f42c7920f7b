"""Schema 4, the release before Alembic: every table as it made them (the baseline).

A database made before Alembic has no `alembic_version` table: core/db/migrate.py applies the
pre-Alembic steps it still needs and runs this revision, which creates only the tables it lacks.

Revision ID: 0004
Revises:
Create Date: 2026-12-05 07:34:39.311826
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables of schema 4 that are missing."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("person_id", sa.String(length=255), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], unique=False, if_not_exists=True
    )

    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("native_id", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("chunk_ids", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("author_ids", sa.JSON(), nullable=False),
        sa.Column("owner_ids", sa.JSON(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded_by", sa.String(length=255), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_documents_kind"), "documents", ["kind"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_documents_source_kind",
        "documents",
        ["source", "kind"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("escalation_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_events")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_escalation_events_escalation_id"),
        "escalation_events",
        ["escalation_id"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "escalations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("question_id", sa.String(length=36), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asker_id", sa.String(length=255), nullable=False),
        sa.Column("asker_person_id", sa.String(length=255), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.String(length=255), nullable=True),
        sa.Column("tried", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=255), nullable=True),
        sa.Column("document_id", sa.String(length=255), nullable=True),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_escalations_asker_id"),
        "escalations",
        ["asker_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_escalations_assignee_id"),
        "escalations",
        ["assignee_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_escalations_created"), "escalations", ["created"], unique=False, if_not_exists=True
    )
    op.create_index(
        op.f("ix_escalations_question_id"),
        "escalations",
        ["question_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_escalations_status"), "escalations", ["status"], unique=False, if_not_exists=True
    )

    op.create_table(
        "expert_status",
        sa.Column("person_id", sa.String(length=255), nullable=False),
        sa.Column("away_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_expert_status")),
        if_not_exists=True,
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("report", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_ingest_runs_started"), "ingest_runs", ["started"], unique=False, if_not_exists=True
    )

    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=255), nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=255), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_events")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_moderation_events_document_id"),
        "moderation_events",
        ["document_id"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "moderation_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=255), nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_flags")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_moderation_flags_document_id"),
        "moderation_flags",
        ["document_id"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "moderation_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_outbox")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_moderation_outbox_next_attempt"),
        "moderation_outbox",
        ["next_attempt"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "moderation_states",
        sa.Column("document_id", sa.String(length=255), nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("by_user", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_by", sa.String(length=255), nullable=True),
        sa.Column("text_hash", sa.String(length=64), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "chunk_id", name=op.f("pk_moderation_states")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_moderation_states_expires_at"),
        "moderation_states",
        ["expires_at"],
        unique=False,
        if_not_exists=True,
    )

    op.create_table(
        "people",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("team", sa.String(length=255), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("chat", sa.Text(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("in_directory", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        if_not_exists=True,
    )
    op.create_index(op.f("ix_people_email"), "people", ["email"], unique=False, if_not_exists=True)
    op.create_index(op.f("ix_people_team"), "people", ["team"], unique=False, if_not_exists=True)

    op.create_table(
        "questions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("generator", sa.String(length=32), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("cited_document_ids", sa.JSON(), nullable=False),
        sa.Column("people_ids", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("timings_ms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_questions_abstained"), "questions", ["abstained"], unique=False, if_not_exists=True
    )
    op.create_index(
        op.f("ix_questions_created"), "questions", ["created"], unique=False, if_not_exists=True
    )
    op.create_index(
        op.f("ix_questions_user_id"), "questions", ["user_id"], unique=False, if_not_exists=True
    )

    op.create_table(
        "review_assignments",
        sa.Column("document_id", sa.String(length=255), nullable=False),
        sa.Column("reviewer", sa.String(length=255), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snooze_reason", sa.Text(), nullable=True),
        sa.Column("resolved", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_review_assignments")),
        if_not_exists=True,
    )
    op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_version")),
        if_not_exists=True,
    )
    op.create_table(
        "source_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("file_hash", sa.String(length=128), nullable=False),
        sa.Column("context_hash", sa.String(length=128), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_files")),
        sa.UniqueConstraint("source", "path", name=op.f("uq_source_files_source_path")),
        if_not_exists=True,
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("question_id", sa.String(length=36), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("rating", sa.String(length=32), nullable=False),
        sa.Column("marker", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_feedback_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_feedback_created"), "feedback", ["created"], unique=False, if_not_exists=True
    )
    op.create_index(
        op.f("ix_feedback_question_id"),
        "feedback",
        ["question_id"],
        unique=False,
        if_not_exists=True,
    )
    op.create_index(
        op.f("ix_feedback_rating"), "feedback", ["rating"], unique=False, if_not_exists=True
    )
    # The insights tables (core/db/insights.py, which core.db does not import).
    op.create_table(
        "insights_vectors",
        sa.Column("question_id", sa.String(length=36), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_insights_vectors")),
        if_not_exists=True,
    )
    op.create_table(
        "insights_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fitted_on", sa.Integer(), nullable=False),
        sa.Column("centroids", sa.LargeBinary(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insights_topics")),
        if_not_exists=True,
    )
    op.create_table(
        "insights_assignments",
        sa.Column("question_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_insights_assignments")),
        if_not_exists=True,
    )
    op.execute("UPDATE schema_version SET version = 4")


def downgrade() -> None:
    """Not supported: restore the backup taken before upgrading."""
    raise NotImplementedError("downgrade: restore the database backup taken before upgrading")
