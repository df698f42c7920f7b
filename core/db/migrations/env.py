"""Alembic environment: runs on the connection core/db/migrate.py hands in (never a URL)."""

from __future__ import annotations

from alembic import context

import core.db.insights  # noqa: F401  (every table on Base.metadata, for autogenerate)
from core.db.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
