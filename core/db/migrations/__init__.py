"""Alembic migrations of the Watercooler database (env.py, versions/); run by core/db/migrate.py.

A change to an existing table gets a revision: versions/000N_<what>.py with `down_revision` the
previous one, and `SCHEMA_VERSION` in core/db/tables.py set to N (a test checks they agree, and
that the revisions build exactly the declared tables). Alembic's autogenerate can draft one
against a database at the previous revision: `command.revision(alembic_config(conn),
message=..., autogenerate=True, rev_id="000N")`; keep types portable (sa.DateTime(timezone=True)
for UTCDateTime) and never edit a released revision.
"""
