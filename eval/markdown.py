"""report.md: the report's tables for people (means with 95% bootstrap intervals)."""

from __future__ import annotations

from typing import Any

from eval.scoring import ANSWER_METRICS

RETRIEVAL_COLUMNS = (
    "ndcg@10",
    "ndcg@3",
    "recall@1",
    "recall@5",
    "recall@10",
    "precision@5",
    "mrr@10",
    "map",
    "hit_rate@10",
)
# Scores of answer quality; the abstained share and leakage counts are reported apart.
ANSWER_COLUMNS = tuple(m for m in ANSWER_METRICS if m not in ("abstained", "leakage"))


def cell(agg: dict[str, Any] | None) -> str:
    """'0.712 [0.65, 0.77]', or '–' when nothing was scored."""
    if not agg or agg.get("mean") is None:
        return "–"
    return f"{agg['mean']:.3f} [{agg['ci_low']:.2f}, {agg['ci_high']:.2f}]"


def table(title: str, rows: dict[str, dict[str, Any]], columns: tuple[str, ...]) -> list[str]:
    """A Markdown table: one row per name, one column per metric."""
    if not rows:
        return []
    n = max((a.get("n", 0) for m in rows.values() for a in m.values()), default=0)
    lines = [f"### {title}", "", f"(n ≤ {n} items per metric)", ""]
    lines.append("| | " + " | ".join(columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for name, metrics in rows.items():
        lines.append(f"| {name} | " + " | ".join(cell(metrics.get(c)) for c in columns) + " |")
    return [*lines, ""]


def goal_lines(goals: list[dict[str, Any]]) -> list[str]:
    """One bullet per goal: met (✓), missed (✗) or not measured (–), value and target."""
    marks = {True: "✓", False: "✗", None: "–"}
    return [
        f"- {marks[g['met']]} {g['goal']}: {_num(g['value'])} (target {g['target']})" for g in goals
    ]


def render(report: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    ds = report["dataset"]
    env = report["environment"]
    cfg = report["settings"]
    out = [
        f"# Eval run {report['id']}",
        "",
        f"- Dataset: **{ds['name']}** ({ds['kind']}), {ds['items_run']} of {ds['items_total']} "
        f"items; version: `{_version(ds)}`",
        f"- Commit: `{env.get('git_commit')}`{' (dirty)' if env.get('git_dirty') else ''}; "
        f"model `{cfg['embedding']['model']}`; chunks {cfg['chunking']['max_tokens']}/"
        f"{cfg['chunking']['overlap_tokens']} tokens; RRF k {cfg['retrieval']['rrf_k']}, "
        f"prefetch {cfg['retrieval']['prefetch_limit']}, max/doc "
        f"{cfg['retrieval']['max_per_document']}, superseded penalty "
        f"{cfg['retrieval']['superseded_penalty']}, abstain threshold "
        f"{cfg['retrieval']['abstain_threshold']}, reranker `{cfg['retrieval']['reranker']}`",
        f"- Corpus: {report['corpus'].get('documents')} documents, "
        f"{report['corpus'].get('chunks')} chunks; total time {report['timings']['total_s']} s",
        "",
        "## Goals",
        "",
    ]
    out += goal_lines(report["goals"])
    out += ["", "## Retrieval (document level)", ""]
    out += table("Retrievers", report["retrieval"], RETRIEVAL_COLUMNS)
    if report["comparisons"]:
        out += ["### Paired nDCG@10 differences", "", "| system | baseline | Δ nDCG@10 |"]
        out.append("|---|---|---|")
        for c in report["comparisons"]:
            out.append(f"| {c['system']} | {c['baseline']} | {cell(c['delta'])} |")
        out.append("")
    out += table(
        f"People to contact ({report['people_items']} who items)",
        report["people"],
        ("p@1", "recall@3", "mrr"),
    )
    if report["answers"]:
        out += ["## Answers", "", f"Citation support: {report['entailment']}.", ""]
        out += table("Generators", report["answers"], ANSWER_COLUMNS)
        for name, metrics in report["answers"].items():
            out.append(f"- {name}: leakage {metrics['leakage']['total']} answers")
        out.append("")
    if report.get("by_tag"):
        out += by_tag_table(report)
    if report["calibration"]:
        cal = report["calibration"]
        chosen = cal["chosen"]
        out += ["## Abstention calibration", ""]
        out.append(
            f"Configured threshold {cal['configured']}; best with answer rate ≥ "
            f"{cal['min_answer_rate']}: "
            + (
                f"{chosen['threshold']} (abstention accuracy "
                f"{_num(chosen['abstention_accuracy'])}, answer rate "
                f"{_num(chosen['answer_rate'])})"
                if chosen
                else "none reaches it"
            )
        )
        out.append("")
    if report["notes"]:
        out += ["## Notes", ""] + [f"- {k}: {v}" for k, v in report["notes"].items()] + [""]
    if report["problems"]:
        out += ["## Dataset problems", ""] + [f"- {p}" for p in report["problems"]] + [""]
    out += ["## Charts", ""] + [f"![{c}]({c})" for c in report.get("charts", [])] + [""]
    out += ["## Timings", "", "| step | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in report["timings"].items()]
    return "\n".join(out) + "\n"


def by_tag_table(report: dict[str, Any]) -> list[str]:
    """nDCG@10 per retriever and abstention share per generator, one row per category tag."""
    retrievers = list(report["retrieval"])
    generators = list(report["answers"])
    head = [*retrievers, *(f"{g} abstained" for g in generators)]
    lines = ["## By category", "", "| tag | n | " + " | ".join(head) + " |"]
    lines.append("|---|---|" + "---|" * len(head))
    for tag, row in report["by_tag"].items():
        cells = [_num(row["ndcg@10"].get(r)) for r in retrievers]
        cells += [_num(row["answers"][g]["abstained"]) for g in generators]
        lines.append(f"| {tag} | {row['n']} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _num(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _version(ds: dict[str, Any]) -> str:
    if "golden" in ds:
        return f"{ds['golden']['file']} sha256:{ds['golden']['sha256'][:12]}"
    keys = ("source", "package_version", "corpus_version", "mappings_version", "split")
    return ", ".join(f"{k}={ds[k]}" for k in keys if ds.get(k))
