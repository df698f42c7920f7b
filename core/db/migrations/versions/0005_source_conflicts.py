"""Schema 5: moderation_conflicts, the documents answers found disagreeing (core/db/conflicts.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the conflicts table."""
    op.create_table(
        "moderation_conflicts",
        sa.Column("document_id", sa.String(length=255), nullable=False),
        sa.Column("other_id", sa.String(length=255), nullable=False),
        sa.Column("question_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("document_id", "other_id", name=op.f("pk_moderation_conflicts")),
    )
    op.create_index(op.f("ix_moderation_conflicts_resolved"), "moderation_conflicts", ["resolved"])
    op.execute("UPDATE schema_version SET version = 5")


def downgrade() -> None:
    """Not supported: restore the backup taken before upgrading."""
    raise NotImplementedError("downgrade: restore the database backup taken before upgrading")
