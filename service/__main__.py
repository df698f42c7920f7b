"""`python -m service`: run the API, and manage API keys from the command line.

    python -m service serve [--host H] [--port P] [--workers N]
    python -m service keys create --user alice --groups hr,finance --role admin [--label L]
                                  [--person alice@example.com]
    python -m service keys list
    python -m service keys revoke KEY_ID
    python -m service keys generate        a random key for service.bootstrap_admin_key
    python -m service insights needs|topics [--days N] [--format md|csv|json] [--output F]
    python -m service digest [--dry-run]   reviewers' digests of the review queue
    python -m service backup DEST          the database and the embedded index into a new folder
    python -m service restore SRC          put a backup in place (the service must be stopped)
    python -m service db current|upgrade   the database schema's revision; upgrade it
    python -m service worker [--burst]     run queued ingestion jobs and scheduled syncs

Keys are written straight to the configured database (the service need not run). `serve`
is the composition root: it hands the eval suite's launcher to `create_app`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from core.config import Settings, apply_runtime_env, get_settings
from core.db import Database, KeyStore, PeopleStore, generate_key
from core.db.keys import ROLES
from core.discovery import announce, withdraw
from core.errors import ConfigError, NotFoundError, SchemaOutdatedError, WatercoolerError
from core.queue import uses_queue
from service import db_cli, digest_cli, insights_cli
from service.jsonlog import use_json_logs

if TYPE_CHECKING:
    from fastapi import FastAPI

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", help="default: service.host")
    serve.add_argument("--port", type=int, help="default: service.port")
    serve.add_argument(
        "--workers", type=int, default=1, help="API processes (more than 1: job queue only)"
    )
    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    create = keys.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--user", required=True, help="user id the key stands for")
    create.add_argument("--groups", default="", help="access groups, comma-separated")
    create.add_argument("--role", choices=ROLES, default="reader")
    create.add_argument("--label", help="a note to tell keys apart")
    create.add_argument("--person", metavar="EMAIL", help="the directory person the key is for")
    keys.add_parser("list", help="list keys (never the keys themselves)")
    revoke = keys.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    keys.add_parser("generate", help="print a random key without storing it")
    worker = sub.add_parser("worker", help="run queued ingestion jobs and scheduled syncs")
    worker.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    worker.add_argument("--name", help="the worker's name (default: host and process id)")
    sub.add_parser("backup", help="back up the database and the embedded index").add_argument(
        "dest", type=Path, help="a new or empty folder"
    )
    sub.add_parser("restore", help="restore a backup (stop the service first)").add_argument(
        "src", type=Path, help="a folder written by `backup`"
    )
    insights_cli.add_parser(sub)
    digest_cli.add_parser(sub)
    db_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    apply_runtime_env()
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "keys" and args.action == "generate":
        print(generate_key())
        return EXIT_OK
    try:
        settings = get_settings()
        if args.command == "serve":
            return _serve(settings, args.host, args.port, args.workers)
        if args.command == "insights":
            return insights_cli.run(settings, args)
        if args.command == "digest":
            return digest_cli.run(settings, args)
        if args.command in ("backup", "restore"):
            return _backup(settings, args)
        if args.command == "db":
            return db_cli.run(settings, args)
        if args.command == "worker":
            return _worker(settings, args.burst, args.name)
        return _keys(settings, args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except NotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except SchemaOutdatedError as exc:  # a deployment step is due, not a failure
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except WatercoolerError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _serve(settings: Settings, host: str | None, port: int | None, workers: int = 1) -> int:
    if workers != 1:
        _check_stateless(settings, workers)
    if settings.service.log_format == "json":  # before the first line is logged
        use_json_logs()
    # Refuse an older schema first, with its message and no traceback (main's exit 2).
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    Database(settings.database_url).dispose()
    # Imported here: `keys` commands need none of it, and the runtime environment is set
    # before anything loads torch. The composition root: the only place in service/ that
    # knows the eval suite.
    import uvicorn

    from eval.launcher import InProcessLauncher
    from service.main import create_app
    from service.metrics import shared_between_workers

    listen = settings.service.model_copy(
        update={"host": host or settings.service.host, "port": port or settings.service.port}
    )
    # CLIs on this machine find the service from its data directory (core/discovery.py).
    # uvicorn stops gracefully on SIGTERM, then raises it again: exit through `finally`.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    announce(settings.data_dir, listen.base_url)
    try:
        # JSON logs: uvicorn's loggers keep no handlers of their own (service/jsonlog.py).
        log_config = (
            None if settings.service.log_format == "json" else uvicorn.config.LOGGING_CONFIG
        )
        if workers == 1:
            uvicorn.run(
                create_app(settings, evals=InProcessLauncher()),
                host=listen.host,
                port=listen.port,
                log_config=log_config,
            )
        else:  # each process builds its app from the environment's settings
            with shared_between_workers():  # one /metrics over every worker
                uvicorn.run(
                    "service.__main__:app_from_environment",
                    factory=True,
                    host=listen.host,
                    port=listen.port,
                    workers=workers,
                    log_config=log_config,
                )
    finally:
        withdraw(settings.data_dir)
    return EXIT_OK


def _check_stateless(settings: Settings, workers: int) -> None:
    """Several API processes share nothing in memory: only with the job queue (and so an
    index every process can open); the embedded index admits one process."""
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if not uses_queue(settings) or settings.index.backend != "server":
        raise ConfigError(
            "--workers above 1 needs index.backend=server and the job queue (queue.*): "
            "the embedded index admits one process"
        )


def app_from_environment() -> FastAPI:
    """The app of one of several `serve --workers N` processes (uvicorn's factory)."""
    from eval.launcher import InProcessLauncher
    from service.main import create_app

    settings = get_settings()
    if settings.service.log_format == "json":
        use_json_logs()
    return create_app(settings, evals=InProcessLauncher())


def _worker(settings: Settings, burst: bool, name: str | None) -> int:
    from service.queue_worker import run_worker  # loads RQ and, in it, torch: only here

    if not uses_queue(settings):
        raise ConfigError(
            "the worker runs queued jobs: set index.backend=server (or queue.enabled=true); "
            "with the embedded index the service runs ingestion jobs itself"
        )
    run_worker(settings, burst=burst, name=name)
    return EXIT_OK


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from service.backup import backup, restore

    logging.getLogger("core").setLevel(logging.WARNING)
    if args.command == "backup":
        report = backup(settings, args.dest)
        if report.index == "edge":
            index = f"edge index ({report.points} passages)"
        else:
            index = f"server index snapshot ({report.snapshot_bytes} bytes)"
        print(f"backup written to {args.dest}: {report.database} database, {index}")
        return EXIT_OK
    report, aside = restore(settings, args.src)
    print(
        f"restored the backup of {report.created} from {args.src}; what it replaced is in {aside}"
    )
    return EXIT_OK


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(EXIT_OK)


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    logging.getLogger("core.db").setLevel(logging.WARNING)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url)
    try:
        store = KeyStore(db)
        if args.action == "create":
            groups = [g.strip() for g in args.groups.split(",") if g.strip()]
            person = PeopleStore(db).by_email(args.person) if args.person else None
            if args.person and (person is None or not person.in_directory):
                print(f"no person with email {args.person!r} in the directory", file=sys.stderr)
                return EXIT_CONFIG
            person_id = person.id if person else None
            entry, plain = store.create(
                args.user, groups, args.role, label=args.label, person_id=person_id
            )
            print(plain)
            print(
                f"key {entry.id} for {entry.user_id} (role {entry.role}, groups "
                f"{','.join(entry.groups) or '-'}); it is shown only now",
                file=sys.stderr,
            )
        elif args.action == "list":
            for e in store.list():
                state = "active" if e.active else f"revoked {e.revoked:%Y-%m-%d}"
                used = f"{e.last_used:%Y-%m-%d %H:%M}" if e.last_used else "never"
                print(
                    f"{e.id}  {e.prefix}…  {e.user_id:<16} {e.role:<8} "
                    f"{','.join(e.groups) or '-':<20} used {used:<16} {state}  {e.label or ''}"
                )
        else:
            entry = store.revoke(args.key_id)
            print(f"revoked key {entry.id} of {entry.user_id}")
    finally:
        db.dispose()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
