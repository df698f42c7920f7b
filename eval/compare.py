"""Compare two runs: what changed per metric and per question, and whether anything regressed.

Every aggregate present in both reports is compared (retrieval, people and answers, per
retriever or generator). A metric regresses when its mean drops by more than the tolerance;
leakage regresses when its total rises at all. Per question, a retriever's nDCG@10 (or a
generator's answer score) moving by more than the tolerance is listed, worst first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTIONS = ("retrieval", "people", "answers")
QUESTION_METRIC = "ndcg@10"
LOWER_IS_BETTER = frozenset({"leakage"})


@dataclass(frozen=True)
class Change:
    """One metric of one retriever or generator in both runs."""

    section: str
    system: str
    metric: str
    before: float | None
    after: float | None
    regressed: bool

    @property
    def delta(self) -> float | None:
        """after − before, when both exist."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Comparison:
    """All changes, the per-question moves, and whether the second run regressed."""

    a: str
    b: str
    tolerance: float
    changes: list[Change] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        """The changes that count as regressions."""
        return [c for c in self.changes if c.regressed]


def load_report(run: Path | str) -> dict[str, Any]:
    """The report.json of a run folder (or the file itself)."""
    path = Path(run)
    if path.is_dir():
        path = path / "report.json"
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def compare(a: dict[str, Any], b: dict[str, Any], tolerance: float = 0.02) -> Comparison:
    """Changes from run `a` to run `b`."""
    result = Comparison(a.get("id", "A"), b.get("id", "B"), tolerance)
    for section in SECTIONS:
        for system in set(a.get(section) or {}) & set(b.get(section) or {}):
            before_metrics, after_metrics = a[section][system], b[section][system]
            for metric in before_metrics:
                if metric not in after_metrics:
                    continue
                before, after = before_metrics[metric], after_metrics[metric]
                if metric in LOWER_IS_BETTER:
                    x, y = before.get("total"), after.get("total")
                    regressed = (y or 0) > (x or 0)
                else:
                    x, y = before.get("mean"), after.get("mean")
                    regressed = x is not None and (y is None or y < x - tolerance)
                result.changes.append(Change(section, system, metric, x, y, regressed))
    result.changes.sort(key=lambda c: (c.section, c.system, c.metric))
    result.questions = question_moves(a, b, tolerance)
    return result


def question_moves(a: dict[str, Any], b: dict[str, Any], tolerance: float) -> list[dict[str, Any]]:
    """Questions whose nDCG@10 or answer score moved by more than the tolerance, worst first."""
    before = {q["id"]: q for q in a.get("questions", [])}
    moves: list[dict[str, Any]] = []
    for q in b.get("questions", []):
        old = before.get(q["id"])
        if old is None:
            continue
        for kind, metric in (("scores", QUESTION_METRIC), ("answers", "token_f1")):
            for system, new_scores in (q.get(kind) or {}).items():
                old_scores = (old.get(kind) or {}).get(system)
                if old_scores is None:
                    continue
                if kind == "answers":
                    new_scores, old_scores = new_scores["scores"], old_scores["scores"]
                x, y = old_scores.get(metric), new_scores.get(metric)
                if x is None or y is None or abs(y - x) <= tolerance:
                    continue
                moves.append(
                    {
                        "id": q["id"],
                        "question": q["question"],
                        "system": system,
                        "metric": metric,
                        "before": x,
                        "after": y,
                    }
                )
    moves.sort(key=lambda m: m["after"] - m["before"])
    return moves


def render(result: Comparison, max_questions: int = 20) -> str:
    """Plain-text tables of the comparison."""
    lines = [f"{result.a} → {result.b} (tolerance {result.tolerance})", ""]
    lines.append(f"{'section':<10} {'system':<14} {'metric':<22} {'before':>8} {'after':>8} delta")
    for c in result.changes:
        delta = "" if c.delta is None else f"{c.delta:+.3f}"
        flag = "  REGRESSED" if c.regressed else ""
        lines.append(
            f"{c.section:<10} {c.system:<14} {c.metric:<22} {_f(c.before):>8} {_f(c.after):>8} "
            f"{delta}{flag}"
        )
    if result.questions:
        lines += ["", f"Questions that moved (worst {max_questions}):"]
        for m in result.questions[:max_questions]:
            lines.append(
                f"  {m['id']:<14} {m['system']:<14} {m['metric']:<9} "
                f"{m['before']:.3f} → {m['after']:.3f}  {m['question'][:60]}"
            )
    verdict = f"{len(result.regressions)} regression(s)" if result.regressions else "no regression"
    return "\n".join([*lines, "", verdict])


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def summary_table(reports: list[dict[str, Any]], metric: str = "ndcg@10") -> str:
    """A Markdown table, one row per run: the settings that differ between runs, the metric."""
    flat = [_flatten(r.get("settings", {})) for r in reports]
    keys = sorted({k for f in flat for k in f if len({str(g.get(k)) for g in flat}) > 1})
    systems = list(dict.fromkeys(s for r in reports for s in r.get("retrieval", {})))
    head = ["run", *keys, *(f"{s} {metric}" for s in systems), "hybrid − best single"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for report, settings in zip(reports, flat, strict=True):
        means = {s: (report["retrieval"].get(s) or {}).get(metric, {}).get("mean") for s in systems}
        singles = [means[s] for s in ("bm25", "dense") if means.get(s) is not None]
        hybrid = means.get("hybrid")
        delta = f"{hybrid - max(singles):+.3f}" if hybrid is not None and singles else "–"
        cells = [report.get("id", "?"), *(str(settings.get(k)) for k in keys)]
        cells += [_f(means[s]) for s in systems] + [delta]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
