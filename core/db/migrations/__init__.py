"""Alembic migrations of the Watercooler database (env.py, versions/); run by core/db/migrate.py."""
