"""`python -m ingest run [--source NAME] [--config FILE] ...`: run an ingestion job.

When the service that owns the data directory is running (it owns the index), the job runs
there, with `--config` when given: the CLI starts it with `POST /ingest/jobs`, polls it and
prints its progress and report. The service is found at `--service-url`, else at the URL it
announced in the data directory (core/discovery.py), else — without `--data-dir` — at the
configured service URL. Otherwise, or with `--standalone` or `--rebuild`, the CLI opens the
index and runs the job itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.api import IngestJob, IngestSummary
from core.auth import local_key_path, read_local_key
from core.client import ClientError, ServiceUnavailable, WatercoolerClient
from core.config import Settings, apply_runtime_env, get_settings
from core.discovery import announced_url
from core.errors import IndexLockedError, WatercoolerError
from ingest.report import IngestReport

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_INDEX = 0, 1, 2, 3
# Error codes (core/errors.py; the service adds validation_error) → exit status; else FAILED.
EXIT_STATUS: dict[str, int] = {
    "bad_request": EXIT_CONFIG,
    "validation_error": EXIT_CONFIG,
    "unauthenticated": EXIT_CONFIG,
    "forbidden": EXIT_CONFIG,
    "index_mismatch": EXIT_INDEX,
    "schema_outdated": EXIT_CONFIG,  # run `python -m service db upgrade` first
}
_LABELS = {EXIT_CONFIG: "configuration error", EXIT_INDEX: "index mismatch"}
UNAVAILABLE_HINT = "Start it again, or ingest without it: --standalone."
PROBE_TIMEOUT_S = 1.0
POLL_EVERY_S = 0.5


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the job, print the report; returns the exit code."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest the configured sources")
    run.add_argument("--source", help="only this source (by name)")
    run.add_argument("--config", type=Path, help="sources YAML (default: bundled sample)")
    run.add_argument("--data-dir", type=Path, help="data directory (default: ./data)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    run.add_argument("--verbose", action="store_true", help="log each step to stderr")
    run.add_argument(
        "--service-url",
        help="the running service to ingest through (default: the one running on the data "
        "directory); with --config, a sources file the service can read",
    )
    run.add_argument("--standalone", action="store_true", help="never use a running service")
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="drop the index and re-ingest everything (after a model or chunker change)",
    )
    run.add_argument(
        "--api-key",
        default=os.environ.get("WATERCOOLER_API_KEY"),
        help="admin key for the service (default: $WATERCOOLER_API_KEY, else the key the "
        "service leaves in its data directory)",
    )
    args = parser.parse_args(argv)
    if args.service_url and (args.standalone or args.rebuild):
        parser.error("--service-url runs the job in the service: not with --standalone/--rebuild")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    console = Console()
    err = Console(stderr=True)
    try:
        overrides = {"data_dir": args.data_dir} if args.data_dir else {}
        settings = get_settings(**overrides)
        url = None if args.standalone or args.rebuild else _running_service(args, settings)
        if url:
            return _run_remote(url, _api_key(args.api_key, settings), args, console, err)
        if args.service_url:
            err.print(f"no service answers at {args.service_url}: ingesting here instead")
        from ingest.job import standalone_pipeline

        with standalone_pipeline(settings, args.config, rebuild=args.rebuild) as pipeline:
            if args.quiet:
                report = pipeline.run(only=args.source)
            else:
                report = _run_with_progress(pipeline, args.source, err)
    except WatercoolerError as exc:
        status = exit_status(exc.code)
        err.print(f"[red]{_LABELS.get(status, 'ingestion failed')}:[/] {exc}")
        if isinstance(exc, IndexLockedError):
            err.print("if that is the service, pass its address: --service-url http://HOST:PORT")
        return status
    print_report(report.summary(), console)
    return EXIT_OK


def exit_status(code: str | None) -> int:
    """The exit status for an error code (of an exception, a refused request or a failed job)."""
    return EXIT_STATUS.get(code or "", EXIT_FAILED)


def _service_answers(url: str) -> bool:
    """Whether a Watercooler service answers at `url` (its health, healthy or not)."""
    try:
        with WatercoolerClient(url, timeout=PROBE_TIMEOUT_S, warn_unavailable=False) as client:
            client.health()
    except ClientError:
        return False
    return True


def _running_service(args: argparse.Namespace, settings: Settings) -> str | None:
    """The URL of the service to run the job in, if one answers (see the module docstring)."""
    if args.service_url:
        candidates = [args.service_url]
    else:
        # With --data-dir, a service on the default URL may own another data directory.
        default = None if args.data_dir else settings.service.base_url
        candidates = [announced_url(settings.data_dir), default]
    return next((u for u in dict.fromkeys(candidates) if u and _service_answers(u)), None)


def _api_key(given: str | None, settings: Settings) -> str | None:
    return given or read_local_key(local_key_path(settings))


def _run_remote(
    url: str, key: str | None, args: argparse.Namespace, console: Console, err: Console
) -> int:
    """Run the job in the service: start it, follow it, print its report."""
    err.print(f"ingesting through the service at {url}")
    with WatercoolerClient(url, key, timeout=30.0, hint=UNAVAILABLE_HINT) as client:
        try:
            config = str(args.config.resolve()) if args.config else None
            job = client.start_ingest(args.source, config)
        except ServiceUnavailable as exc:
            err.print(f"[red]lost the service at {url}:[/] {exc}")
            return EXIT_FAILED
        except ClientError as exc:  # the service answered: why it did not start the job
            err.print(f"[red]the service refused the job ({exc.status}):[/] {exc}")
            return exit_status(exc.code)
        try:
            job = _follow(client, job, args.quiet, err)
        except ClientError as exc:
            err.print(f"[red]lost the service at {url}:[/] {exc}")
            return EXIT_FAILED
    if job.status != "succeeded" or job.report is None:
        err.print(f"[red]ingestion failed:[/] {job.error or 'unknown error'}")
        return exit_status(job.error_code)
    print_report(job.report, console)
    return EXIT_OK


def _follow(client: WatercoolerClient, job: IngestJob, quiet: bool, err: Console) -> IngestJob:
    """Poll the job until it ends, showing its stage counters."""
    columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=False, disable=quiet) as bars:
        tasks = {
            "parse": bars.add_task("parse + chunk files", total=None),
            "embed": bars.add_task("embed + write chunks", total=None),
        }
        while True:
            for stage, counter in job.progress.items():
                if stage in tasks:
                    bars.update(tasks[stage], completed=counter.done, total=counter.total)
            if job.status != "running":
                return job
            time.sleep(POLL_EVERY_S)
            job = client.ingest_job(job.id)


def _run_with_progress(pipeline: object, only: str | None, console: Console) -> IngestReport:
    columns = (
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bars:
        tasks = {
            "parse": bars.add_task("parse + chunk files", total=0),
            "embed": bars.add_task("embed + write chunks", total=None),
        }

        def hook(stage: str, advance: int, total: int | None) -> None:
            task = tasks[stage]
            if total is not None:
                current = bars.tasks[task].total or 0
                bars.update(task, total=current + total)
            bars.advance(task, advance)

        return pipeline.run(only=only, progress=hook)  # type: ignore[attr-defined]


def print_report(report: IngestSummary, console: Console) -> None:
    """Render the job report as tables: per source, then failures and unknown people."""
    table = Table(title="Ingestion report")
    for col in ("source", "new", "changed", "unchanged", "deleted", "failed", "chunks"):
        table.add_column(col, justify="left" if col == "source" else "right")
    rows = [*report.sources.items(), ("TOTAL", report.totals)]
    for name, c in rows:
        table.add_row(
            name, *(str(v) for v in (c.new, c.changed, c.unchanged, c.deleted, c.failed, c.chunks))
        )
    console.print(table)
    console.print(
        f"time {report.seconds:.1f} s · {report.totals.chunks} chunks written · "
        f"{report.chunks_per_s:.1f} chunks/s"
        + (
            f" · {report.orphans_removed} orphaned documents removed"
            if report.orphans_removed
            else ""
        )
    )
    for title, items in (("Skipped items", report.failures), ("Notes", report.notes)):
        if not items:
            continue
        table = Table(title=title)
        for col in ("source", "path", "reason"):
            table.add_column(col)
        for f in items:  # names come from the sources: never read them as markup
            table.add_row(escape(f.source), escape(f.path), escape(f.reason))
        console.print(table)
    if report.warnings:
        table = Table(title="Ingested without unreadable metadata")
        for col in ("source", "path", "field", "value", "reason"):
            table.add_column(col)
        for w in report.warnings:
            table.add_row(*(escape(v) for v in (w.source, w.path, w.field, w.value, w.reason)))
        console.print(table)
    if report.unknown_people:
        console.print(
            "authors not in the people directory (kept without contact details): "
            + ", ".join(report.unknown_people)
        )


if __name__ == "__main__":
    sys.exit(main())
