"""`python -m service db current|upgrade`: the database schema's revision, and upgrading it.

    current   prints the revision and whether this Watercooler needs another: exit 0 when it
              is the newest (or the database is still empty), 1 when it must be upgraded or was
              made by a newer Watercooler
    upgrade   brings it to the newest revision in one transaction (back it up first): exit 0

The service and the other commands refuse an older schema (exit 2, naming `db upgrade`);
`make run` and `make ingest` run `db upgrade` first, so the embedded SQLite stays zero-touch.
"""

from __future__ import annotations

import argparse

from core.config import Settings
from core.db import Database, redact_url
from core.db.engine import schema_status
from core.db.migrate import UPGRADE_COMMAND


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `db` command."""
    db = sub.add_parser("db", help="the database schema: show its revision, upgrade it")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("current", help="print the schema revision of the database")
    actions.add_parser("upgrade", help="upgrade the database to this Watercooler's schema")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run `db current` or `db upgrade`; returns the exit code."""
    if args.action == "current":
        return _current(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url, upgrade=True)
    try:
        before = db.opened_at
        if before is None or before.kind == "new":
            print(f"{db.url}: created at revision {db.revision}")
        elif before.kind == "current":
            print(f"{db.url}: already at revision {db.revision}, nothing to do")
        else:
            print(f"{db.url}: upgraded from {before.label} to revision {db.revision}")
    finally:
        db.dispose()
    return 0


def _current(settings: Settings) -> int:
    status = schema_status(settings.database_url)
    where = redact_url(settings.database_url)
    if status.kind == "new":
        print(f"{where}: empty; revision {status.head} is created when it is first opened")
        return 0
    if status.kind == "current":
        print(f"{where}: {status.label} (the newest)")
        return 0
    if status.kind == "outdated":
        print(
            f"{where}: {status.label}, older than revision {status.head}: run `{UPGRADE_COMMAND}`"
        )
        return 1
    print(f"{where}: {status.label}, unknown to this Watercooler (its newest: {status.head})")
    return 1
