"""`python -m service insights`: the insights reports from the command line.

    python -m service insights needs [--days N] [--format md|csv|json] [--output FILE]
    python -m service insights topics [--days N] [--format md|json] [--output FILE]

Read straight from the configured database (the service need not run), as a trainer of the
`--groups` given (default none: documents restricted to a group are counted, not named).
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings

if TYPE_CHECKING:
    from core.api import InsightsReport


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `insights` command and its options."""
    insights = sub.add_parser("insights", help="topics and training needs from the question log")
    insights.add_argument("report", choices=("needs", "topics"))
    insights.add_argument(
        "--days", type=_days, help="the period in days (default: insights.period_days)"
    )
    insights.add_argument("--format", choices=("md", "csv", "json"), default="md")
    insights.add_argument("--output", type=Path, help="write here instead of standard output")
    insights.add_argument("--groups", default="", help="see as a trainer of these groups")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Build the report and write it; 0 on success."""
    # Imported here: `keys` commands need neither torch nor scikit-learn.
    from core.db import Database, ManifestStore, ModerationStore, PeopleStore
    from core.db.insights import InsightsStore
    from core.embedding import SentenceTransformerEmbedder
    from core.insights.catalogue import load_catalogue
    from core.insights.engine import Insights
    from core.insights.lookups import StoreLookups
    from core.insights.needs import to_csv, to_markdown
    from core.schema import Principal
    from core.sources import load_sources

    logging.getLogger("core.db").setLevel(logging.WARNING)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    caller = Principal(user_id="insights-cli", groups=groups, role="trainer")
    config = load_sources(settings.ingest.config)
    programs = load_catalogue(config.training) if config.training else []
    db = Database(settings.database_url)
    try:
        engine = Insights(
            InsightsStore(db),
            SentenceTransformerEmbedder(settings.embedding),
            StoreLookups(ManifestStore(db), ModerationStore(db), PeopleStore(db)),
            settings.insights,
        )
        now = datetime.now(UTC)
        if args.report == "needs":
            needs = engine.training_needs(caller, now, programs, args.days)
            text = {
                "md": to_markdown,
                "csv": to_csv,
                "json": lambda n: n.model_dump_json(indent=2),
            }[args.format](needs)
        else:
            report = engine.report(caller, now, args.days)
            text = report.model_dump_json(indent=2) if args.format == "json" else _topics(report)
    finally:
        db.dispose()
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


def _days(value: str) -> int:
    days = int(value)
    if not 1 <= days <= 3650:
        raise argparse.ArgumentTypeError("must be between 1 and 3650")
    return days


def _topics(report: InsightsReport) -> str:
    """The topics as a Markdown table."""
    lines = [f"# Topics, {report.period_start.date()} to {report.period_end.date()}", ""]
    if report.message:
        return "\n".join([*lines, report.message, ""])
    lines += [
        "| topic | questions | trend | answered | not helpful | reasons |",
        "|---|---:|---|---:|---:|---|",
    ]
    for t in report.topics:
        reasons = ", ".join(f"{r.replace('_', ' ')} {n}" for r, n in t.reasons.items())
        lines.append(
            f"| {t.label} | {t.questions} | {t.trend} | {t.answered:.0%} | "
            f"{t.not_helpful:.0%} | {reasons} |"
        )
    lines += ["", f"{report.other_questions} questions in no topic."]
    return "\n".join(lines) + "\n"
