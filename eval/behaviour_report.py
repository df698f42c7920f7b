"""The report of a `fitz-gov-cases` run: report.json fields, report.md and its chart.

report.json (the shared fields of `eval.report`, plus; the model: `core.evalreport.EvalReport`):

    dataset     {name, kind: "behaviour", source, package_version, tiers, case_types, ...}
    entailment  the name of the `Entailment` that decided citation support
    answers     {generator: {metric: {"mean","ci_low","ci_high","n","n_excluded"}}} over all
                cases (each metric over the cases it applies to; see `eval.behaviour_scoring`)
    behaviour   {generator: {case type: {"n", metric: {...}}}}
    by_tier, by_difficulty
                [{"case_type", "tier"|"difficulty", "n", "metric", generator: {...}}]
                the case type's headline metric per group
    questions   [{"id","question","case_type","tier","difficulty","subcategory","expected",
                  "top_dense","answers":{generator:{"text","abstained","cited" (context numbers),
                  "citations" {marker: passage text},"scores"}}}]
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.config import Settings
from core.evalreport import HEADLINE
from eval.behaviour_scoring import (
    METRICS,
    CaseRecord,
    by_group,
    by_type,
    case_scores,
    summarize_cases,
)
from eval.datasets.fitz_gov import BehaviourCase
from eval.markdown import cell, goal_lines
from eval.metrics.entailment import Entailment
from eval.metrics.judge import entailment_name
from eval.metrics.stats import aggregate
from eval.provenance import environment, run_settings
from eval.request import RunRequest

CHART = "behaviour.png"
TYPE_COLUMNS = tuple(m for m in METRICS if m != "abstained")  # a share, not a score
TRUSTWORTHY = ("trustworthy_direct", "trustworthy_hedged")


def build_behaviour_report(
    *,
    run_id: str,
    request: RunRequest,
    settings: Settings,
    dataset: dict[str, Any],
    cases: Sequence[BehaviourCase],
    answers: dict[str, list[CaseRecord]],
    entails: Entailment,
    notes: dict[str, str],
    timings: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    """The report dict of a behaviour run (module docstring)."""
    mark = time.perf_counter()
    scores = {
        g: [case_scores(c, r, entails) for c, r in zip(cases, records, strict=True)]
        for g, records in answers.items()
    }
    timings["scoring_s"] = round(time.perf_counter() - mark, 2)
    for g, records in answers.items():
        timings[f"answer_{g}_ms_p50"] = round(
            statistics.median(r.seconds for r in records) * 1e3, 1
        )
    timings["total_s"] = round(time.perf_counter() - started, 2)
    report: dict[str, Any] = {
        "id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": dataset,
        "request": {
            "generators": request.generators,
            "limit": request.limit,
        },
        "settings": run_settings(settings),
        "environment": environment(),
        "corpus": {},
        "timings": timings,
        "notes": notes,
        "problems": [],
        "entailment": entailment_name(entails),
        "judge": settings.eval.judge,
        "retrieval": {},
        "retrieval_leakage": {},
        "people": {},
        "answers": {g: summarize_cases(s) for g, s in scores.items()},
        "behaviour": {g: by_type(cases, s) for g, s in scores.items()},
        "by_tier": by_group(cases, scores, "tier"),
        "by_difficulty": by_group(cases, scores, "difficulty"),
        "comparisons": [],
        "by_tag": {},
        "calibration": None,
    }
    report["goals"] = behaviour_goals(cases, scores)
    report["questions"] = _questions(cases, answers, scores)
    return report


def behaviour_goals(
    cases: Sequence[BehaviourCase], scores: dict[str, list[dict[str, float | None]]]
) -> list[dict[str, Any]]:
    """The issue's answer goals on these cases: abstention, answer rate, citation precision."""
    out: list[dict[str, Any]] = []
    checks = (
        ("abstention accuracy (abstention cases)", "abstention_accuracy", ("abstention",), 0.9),
        ("answer rate (trustworthy cases)", "answer_rate", TRUSTWORTHY, 0.9),
        ("citation precision (answered cases)", "citation_precision", tuple(HEADLINE), 0.95),
    )
    for generator, per_case in scores.items():
        for goal, metric, types, target in checks:
            values = [
                s[metric] for c, s in zip(cases, per_case, strict=True) if c.case_type in types
            ]
            mean = aggregate(values)["mean"]
            out.append(
                {
                    "goal": f"{generator}: {goal}",
                    "value": None if mean is None else round(mean, 4),
                    "target": f"≥ {target}",
                    "met": None if mean is None else mean >= target,
                }
            )
    return out


def _questions(
    cases: Sequence[BehaviourCase],
    answers: dict[str, list[CaseRecord]],
    scores: dict[str, list[dict[str, float | None]]],
) -> list[dict[str, Any]]:
    out = []
    for n, case in enumerate(cases):
        first = next(iter(answers.values()))[n]
        out.append(
            {
                "id": case.id,
                "question": case.question,
                "case_type": case.case_type,
                "tier": case.tier,
                "difficulty": case.difficulty,
                "subcategory": case.subcategory,
                "expected": case.expected,
                "top_dense": None if first.top_dense is None else round(first.top_dense, 4),
                "answers": {
                    g: {
                        "text": records[n].text,
                        "abstained": records[n].abstained,
                        "cited": records[n].cited_contexts,
                        "citations": records[n].citations,
                        "scores": {
                            m: None if v is None else round(v, 4) for m, v in scores[g][n].items()
                        },
                    }
                    for g, records in answers.items()
                },
            }
        )
    return out


def render_behaviour(report: dict[str, Any]) -> str:
    """report.md of a behaviour run."""
    ds = report["dataset"]
    env = report["environment"]
    cfg = report["settings"]
    out = [
        f"# Eval run {report['id']}",
        "",
        f"- Dataset: **{ds['name']}** (answer behaviour), {ds['items_run']} of "
        f"{ds['items_total']} cases; {ds['source']} {ds['package_version']}, "
        f"tiers {', '.join(ds['tiers'])}",
        f"- Commit: `{env.get('git_commit')}`{' (dirty)' if env.get('git_dirty') else ''}; "
        f"model `{cfg['embedding']['model']}`; abstain threshold "
        f"{cfg['retrieval']['abstain_threshold']}; each case's contexts ranked by dense cosine",
        f"- Citation support: {report['entailment']}",
        f"- Total time {report['timings']['total_s']} s",
        "",
        "## Goals",
        "",
    ]
    out += goal_lines(report["goals"])
    out += ["", "## By case type", ""]
    for generator, types in report["behaviour"].items():
        out += [f"### {generator}", "", "| case type | n | " + " | ".join(TYPE_COLUMNS) + " |"]
        out.append("|---|---|" + "---|" * len(TYPE_COLUMNS))
        for case_type, metrics in types.items():
            cells = [cell(metrics.get(m)) for m in TYPE_COLUMNS]
            out.append(f"| {case_type} | {metrics['n']} | " + " | ".join(cells) + " |")
        out.append("")
    generators = list(report["behaviour"])
    for key, rows in (("tier", report["by_tier"]), ("difficulty", report["by_difficulty"])):
        out += [f"## By {key} (headline metric of each case type)", ""]
        out.append(f"| case type | {key} | n | metric | " + " | ".join(generators) + " |")
        out.append("|---|---|---|---|" + "---|" * len(generators))
        for row in rows:
            cells = [cell(row[g]) for g in generators]
            out.append(
                f"| {row['case_type']} | {row[key]} | {row['n']} | {row['metric']} | "
                + " | ".join(cells)
                + " |"
            )
        out.append("")
    if report["notes"]:
        out += ["## Notes", ""] + [f"- {k}: {v}" for k, v in report["notes"].items()] + [""]
    out += ["## Charts", ""] + [f"![{c}]({c})" for c in report.get("charts", [])] + [""]
    out += ["## Timings", "", "| step | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in report["timings"].items()]
    return "\n".join(out) + "\n"


def write_behaviour_chart(run_dir: Path, report: dict[str, Any]) -> list[str]:
    """Bars of each case type's headline metric per generator, with 95% intervals."""
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    generators = list(report["behaviour"])
    types = list(dict.fromkeys(t for g in generators for t in report["behaviour"][g]))
    width = 0.8 / max(len(generators), 1)
    for k, generator in enumerate(generators):
        aggs = [report["behaviour"][generator].get(t, {}).get(HEADLINE[t], {}) for t in types]
        means = [a.get("mean") or 0.0 for a in aggs]
        low = [max(0.0, m - (a.get("ci_low") or m)) for m, a in zip(means, aggs, strict=True)]
        high = [max(0.0, (a.get("ci_high") or m) - m) for m, a in zip(means, aggs, strict=True)]
        xs = [i + k * width for i in range(len(types))]
        ax.bar(xs, means, width, yerr=[low, high], capsize=3, label=generator)
    ax.set_xticks([i + width * (len(generators) - 1) / 2 for i in range(len(types))])
    ax.set_xticklabels([f"{t}\n{HEADLINE[t]}" for t in types], fontsize=7)
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.set_title(f"{report['dataset']['name']}: headline metric per case type (95% CI)")
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(run_dir / CHART, format="png", dpi=100)
    return [CHART]
