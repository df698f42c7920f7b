"""PNG charts of a report, drawn with matplotlib's object API (Agg, no pyplot global state).

ndcg10.png       nDCG@10 per retriever with its 95% bootstrap interval
recall_at_k.png  recall@1,3,5,10 per retriever
answers.png      answer metrics per generator (means with intervals)
abstention.png   abstention accuracy and answer rate against the abstention threshold
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from eval.scoring import KS

log = logging.getLogger(__name__)

CHARTS = ("ndcg10", "recall_at_k", "answers", "abstention")
_ANSWER_BARS = (
    "citation_precision",
    "citation_recall",
    "groundedness",
    "abstention_accuracy",
    "answer_rate",
    "token_f1",
    "containment",
    "reference_recall",
    "semantic_similarity",
)


def _save(fig: Figure, path: Path) -> None:
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)


def _errors(aggs: list[dict[str, Any]]) -> list[list[float]]:
    low = [max(0.0, (a["mean"] or 0) - (a["ci_low"] or a["mean"] or 0)) for a in aggs]
    high = [max(0.0, (a["ci_high"] or a["mean"] or 0) - (a["mean"] or 0)) for a in aggs]
    return [low, high]


def ndcg_chart(report: dict[str, Any], path: Path) -> None:
    """nDCG@10 bars with CI whiskers."""
    names = list(report["retrieval"])
    aggs = [report["retrieval"][r]["ndcg@10"] for r in names]
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.bar(names, [a["mean"] or 0 for a in aggs], yerr=_errors(aggs), capsize=4, color="#4c78a8")
    ax.set_ylim(0, 1)
    ax.set_ylabel("nDCG@10 (document level)")
    ax.set_title(f"{report['dataset']['name']}: nDCG@10 with 95% bootstrap CI")
    _save(fig, path)


def recall_chart(report: dict[str, Any], path: Path) -> None:
    """Recall@k lines, one per retriever."""
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    for name, metrics in report["retrieval"].items():
        ax.plot(KS, [metrics[f"recall@{k}"]["mean"] or 0 for k in KS], marker="o", label=name)
    ax.set_xticks(KS)
    ax.set_ylim(0, 1)
    ax.set_xlabel("k (documents)")
    ax.set_ylabel("recall@k")
    ax.legend()
    ax.set_title(f"{report['dataset']['name']}: recall@k")
    _save(fig, path)


def answers_chart(report: dict[str, Any], path: Path) -> None:
    """Grouped bars of the answer metrics, one group per generator."""
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    generators = list(report["answers"])
    width = 0.8 / max(len(generators), 1)
    for g, name in enumerate(generators):
        aggs = [report["answers"][name][m] for m in _ANSWER_BARS]
        xs = [i + g * width for i in range(len(_ANSWER_BARS))]
        ax.bar(xs, [a["mean"] or 0 for a in aggs], width, yerr=_errors(aggs), capsize=3, label=name)
    ax.set_xticks([i + width * (len(generators) - 1) / 2 for i in range(len(_ANSWER_BARS))])
    ax.set_xticklabels([m.replace("_", " ") for m in _ANSWER_BARS], rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title(f"{report['dataset']['name']}: answers (citation support: lexical proxy, not NLI)")
    _save(fig, path)


def abstention_chart(report: dict[str, Any], path: Path) -> None:
    """Abstention accuracy and answer rate over the threshold grid, with the chosen one."""
    calibration = report["calibration"]
    curve = calibration["curve"]
    xs = [row["threshold"] for row in curve]
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.plot(xs, [row["abstention_accuracy"] or 0 for row in curve], label="abstention accuracy")
    ax.plot(xs, [row["answer_rate"] or 0 for row in curve], label="answer rate")
    ax.axhline(calibration["min_answer_rate"], color="grey", linestyle=":", linewidth=1)
    ax.axvline(calibration["configured"], color="black", linestyle="--", label="configured")
    if calibration["chosen"]:
        ax.axvline(calibration["chosen"]["threshold"], color="green", label="chosen")
    ax.set_xlabel("abstain threshold (top dense cosine)")
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.set_title(f"{report['dataset']['name']}: abstention calibration")
    _save(fig, path)


def write_charts(run_dir: Path, report: dict[str, Any]) -> list[str]:
    """Draw the charts that apply to this report; returns their file names."""
    drawers = {
        "ndcg10": ndcg_chart if report["retrieval"] else None,
        "recall_at_k": recall_chart if report["retrieval"] else None,
        "answers": answers_chart if report["answers"] else None,
        "abstention": abstention_chart if report["calibration"] else None,
    }
    written = []
    for name, draw in drawers.items():
        if draw is not None:
            draw(report, run_dir / f"{name}.png")
            written.append(f"{name}.png")
    log.info("charts written", extra={"run": run_dir.name, "charts": written})
    return written
