"""`python -m ingest run [--source NAME] [--config FILE]`: run an ingestion job."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.config import get_settings
from core.errors import ConfigError, IndexMismatchError, SourceError, WatercoolerError
from ingest.report import IngestReport

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_INDEX = 0, 1, 2, 3

# Offline by construction: models are loaded from disk, never from a hub.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the job, print the report; returns the exit code."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest the configured sources")
    run.add_argument("--source", help="only this source (by name)")
    run.add_argument("--config", type=Path, help="sources YAML (default: bundled sample)")
    run.add_argument("--data-dir", type=Path, help="data directory (default: ./data)")
    run.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    console = Console()
    err = Console(stderr=True)
    try:
        overrides = {"data_dir": args.data_dir} if args.data_dir else {}
        settings = get_settings(**overrides)
        from ingest.job import standalone_pipeline

        with standalone_pipeline(settings, args.config) as pipeline:
            if args.quiet:
                report = pipeline.run(only=args.source)
            else:
                report = _run_with_progress(pipeline, args.source, err)
    except (ConfigError, SourceError) as exc:
        err.print(f"[red]configuration error:[/] {exc}")
        return EXIT_CONFIG
    except IndexMismatchError as exc:
        err.print(f"[red]index mismatch:[/] {exc}")
        return EXIT_INDEX
    except WatercoolerError as exc:
        err.print(f"[red]ingestion failed:[/] {exc}")
        return EXIT_FAILED
    print_report(report, console)
    return EXIT_OK


def _run_with_progress(pipeline: object, only: str | None, console: Console) -> IngestReport:
    columns = (TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
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

        return pipeline.run(only=only, progress=hook)  # type: ignore[attr-defined, no-any-return]


def print_report(report: IngestReport, console: Console) -> None:
    """Render the job report as tables: per source, then failures and unknown people."""
    table = Table(title="Ingestion report")
    for col in ("source", "new", "changed", "unchanged", "deleted", "failed", "chunks"):
        table.add_column(col, justify="left" if col == "source" else "right")
    rows = [*report.sources.items(), ("TOTAL", report.totals)]
    for name, c in rows:
        table.add_row(name, *(str(v) for v in (c.new, c.changed, c.unchanged, c.deleted,
                                                  c.failed, c.chunks)))
    console.print(table)
    console.print(
        f"time {report.seconds:.1f} s · {report.totals.chunks} chunks written · "
        f"{report.chunks_per_s:.1f} chunks/s"
        + (f" · {report.orphans_removed} orphaned documents removed" if report.orphans_removed
           else "")
    )
    if report.failures:
        failed = Table(title="Skipped items")
        failed.add_column("source")
        failed.add_column("path")
        failed.add_column("reason")
        for f in report.failures:
            failed.add_row(f.source, f.path, f.reason)
        console.print(failed)
    if report.unknown_people:
        console.print(
            "authors not in the people directory (kept without contact details): "
            + ", ".join(report.unknown_people)
        )


if __name__ == "__main__":
    sys.exit(main())
