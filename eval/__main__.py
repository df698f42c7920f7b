"""`python -m eval run|compare|datasets`: run the eval suite, compare runs, list datasets.

    run       --dataset NAME [--retrievers bm25,dense,hybrid,hybrid+rerank,llamaindex]
              [--generators extractive[,llm]] [--limit N] [--judge lexical|openai|qwen]
              [--out DIR] [--set section.key=value]
    compare   RUN_A RUN_B [--tolerance 0.02]   exits 1 when B regresses beyond the tolerance
    table     RUN... [--metric ndcg@10]        one Markdown row per run (for sweeps)
    datasets  the dataset names a run accepts

`--set` overrides one setting for the run (repeatable), e.g. `--set retrieval.rrf_k=20
--set chunking.max_tokens=128`; values are read as JSON when they parse, else as text.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from core.config import Settings, apply_runtime_env, get_settings
from core.errors import WatercoolerError
from core.evalreport import RETRIEVERS
from eval.compare import compare, load_report, render, summary_table
from eval.metrics.judge import JUDGES
from eval.request import RunRequest
from eval.runner import run_eval
from eval.suites import list_datasets

EXIT_OK, EXIT_REGRESSED, EXIT_CONFIG = 0, 1, 2


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def settings_with(overrides: list[str], **base: Any) -> Settings:
    """Settings from the environment with `section.key=value` overrides applied."""
    data = get_settings(**base).model_dump()
    for override in overrides:
        key, sep, raw = override.partition("=")
        if not sep or not key:
            raise ValueError(f"--set needs section.key=value, got {override!r}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        target = data
        *parents, leaf = key.split(".")
        for part in parents:
            if not isinstance(target.get(part), dict):
                raise ValueError(f"unknown settings section {part!r} in {override!r}")
            target = target[part]
        if leaf not in target:
            raise ValueError(f"unknown setting {key!r}")
        target[leaf] = value
    return get_settings(**data)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the command; returns the exit code."""
    apply_runtime_env()
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run retrievers and generators on a dataset")
    run.add_argument(
        "--dataset",
        required=True,
        help="golden, golden-smoke, golden-dev, golden-test, fitz-gov, fitz-gov-cases, "
        "python-faq, debian-faq, kernel-owners (or their -tune/-test halves) or a BEIR folder "
        "path",
    )
    run.add_argument("--retrievers", type=_csv, default=",".join(RETRIEVERS))
    run.add_argument("--generators", type=_csv, default="extractive")
    run.add_argument("--limit", type=int, help="at most N items, spread evenly over the set")
    run.add_argument(
        "--judge",
        choices=JUDGES,
        help="what decides citation support (sets eval.judge): lexical (default, fast), "
        "openai (eval.judge_base_url/judge_model), qwen (slow; python -m eval.weights qwen)",
    )
    run.add_argument("--out", type=Path, help="runs folder (default: settings eval.runs_dir)")
    run.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
    run.add_argument("--verbose", action="store_true", help="log progress to stderr")
    cmp = sub.add_parser("compare", help="compare two runs; exit 1 on a regression")
    cmp.add_argument("run_a", type=Path)
    cmp.add_argument("run_b", type=Path)
    cmp.add_argument("--tolerance", type=float, default=0.02)
    table = sub.add_parser("table", help="one Markdown row per run: differing settings, metric")
    table.add_argument("runs", type=Path, nargs="+")
    table.add_argument("--metric", default="ndcg@10")
    sub.add_parser("datasets", help="list the datasets a run accepts")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "compare":
            result = compare(load_report(args.run_a), load_report(args.run_b), args.tolerance)
            print(render(result))
            return EXIT_REGRESSED if result.regressions else EXIT_OK
        if args.command == "table":
            print(summary_table([load_report(r) for r in args.runs], args.metric))
            return EXIT_OK
        if args.command == "datasets":
            settings = get_settings()
            extra = [settings.eval.beir_dir] if settings.eval.beir_dir else []
            for entry in list_datasets(extra):
                print(f"{entry['name']:<30} {entry['kind']:<7} {entry['items']} items")
            return EXIT_OK
        judge = [f"eval.judge={args.judge}"] if args.judge else []
        settings = settings_with([*args.overrides, *judge])
        request = RunRequest(args.dataset, args.retrievers, args.generators, args.limit)
        run_dir = run_eval(request, settings, runs_dir=args.out or settings.eval.runs_dir)
    except (WatercoolerError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    print((run_dir / "report.md").read_text(encoding="utf-8"))
    print(f"written to {run_dir}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
