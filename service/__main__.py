"""`python -m service`: run the API, and manage API keys from the command line.

    python -m service serve [--host H] [--port P]
    python -m service keys create --user alice --groups hr,finance --role admin [--label L]
                                  [--person alice@example.com]
    python -m service keys list
    python -m service keys revoke KEY_ID
    python -m service keys generate        a random key for service.bootstrap_admin_key
    python -m service insights needs|topics [--days N] [--format md|csv|json] [--output F]
    python -m service digest [--dry-run]   reviewers' digests of the review queue

Keys are written straight to the configured database (the service need not run). `serve`
is the composition root: it hands the eval suite's launcher to `create_app`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType

from core.config import Settings, apply_runtime_env, get_settings
from core.db import Database, KeyStore, PeopleStore, generate_key
from core.db.keys import ROLES
from core.discovery import announce, withdraw
from core.errors import ConfigError, NotFoundError, WatercoolerError
from service import digest_cli, insights_cli

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m service", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", help="default: service.host")
    serve.add_argument("--port", type=int, help="default: service.port")
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
    insights_cli.add_parser(sub)
    digest_cli.add_parser(sub)
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
            return _serve(settings, args.host, args.port)
        if args.command == "insights":
            return insights_cli.run(settings, args)
        if args.command == "digest":
            return digest_cli.run(settings, args)
        return _keys(settings, args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except NotFoundError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    except WatercoolerError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _serve(settings: Settings, host: str | None, port: int | None) -> int:
    # Imported here: `keys` commands need none of it, and the runtime environment is set
    # before anything loads torch. The composition root: the only place in service/ that
    # knows the eval suite.
    import uvicorn

    from eval.launcher import InProcessLauncher
    from service.main import create_app

    listen = settings.service.model_copy(
        update={"host": host or settings.service.host, "port": port or settings.service.port}
    )
    # CLIs on this machine find the service from its data directory (core/discovery.py).
    # uvicorn stops gracefully on SIGTERM, then raises it again: exit through `finally`.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    announce(settings.data_dir, listen.base_url)
    try:
        uvicorn.run(
            create_app(settings, evals=InProcessLauncher()), host=listen.host, port=listen.port
        )
    finally:
        withdraw(settings.data_dir)
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
