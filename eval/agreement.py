"""How often the lexical proxy agrees with a judge: `python -m eval.agreement RUN --judge qwen`.

A pair is one answer sentence and the passages it cites, joined: what ALCE citation recall
asks the entailment about. Pairs come from the answered questions of a run's report.json
(golden or fitz-gov-cases), evenly spread over all of them, at most `--pairs`. A quoting
generator's citations are nearly all supported, which leaves nothing to disagree on; with
`--swapped` each pair also gets a twin whose premise is another question's cited passages
(mostly unsupported), so both verdicts are exercised. Printed: the share of pairs on which
`LexicalEntailment` and the judge agree, Cohen's kappa, the 2×2 table (a = lexical, b = judge),
per kind of pair too, and the judge's pace; the pairs with both verdicts go to agreement.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import WatercoolerError
from eval.metrics.answers import parse_citations
from eval.metrics.entailment import Entailment, LexicalEntailment
from eval.metrics.judge import JUDGES, entailment_name, make_entailment


def citation_pairs(report: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
    """(question id, sentence, premise) of every cited sentence of the answered questions."""
    pairs: list[dict[str, Any]] = []
    for question in report.get("questions", []):
        for generator, answer in question.get("answers", {}).items():
            passages = {int(k): v for k, v in (answer.get("citations") or {}).items()}
            if answer.get("abstained") or not passages:
                continue
            for sentence, markers in parse_citations(answer["text"]):
                if markers and all(m in passages for m in markers):
                    premise = "\n".join(passages[m] for m in markers)
                    pairs.append(
                        {
                            "id": question["id"],
                            "generator": generator,
                            "sentence": sentence,
                            "premise": premise,
                        }
                    )
    if limit is not None and len(pairs) > limit:
        step = len(pairs) / limit
        pairs = [pairs[int(i * step)] for i in range(limit)]
    return pairs


def with_swapped(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pairs, then each sentence again with the premise of a pair from another question."""
    n = len(pairs)
    twins = []
    for i, pair in enumerate(pairs):
        for step in range(n // 2, n // 2 + n):
            other = pairs[(i + step) % n]
            if other["id"] != pair["id"]:
                twins.append({**pair, "premise": other["premise"], "kind": "swapped"})
                break
    return [{**p, "kind": "cited"} for p in pairs] + twins


def agreement(a: Sequence[bool], b: Sequence[bool]) -> dict[str, Any]:
    """Share of equal verdicts, Cohen's kappa, and the table {"a yes, b no": n, ...}."""
    if len(a) != len(b):
        raise ValueError("both judges must give a verdict on every pair")
    n = len(a)
    table = {
        f"a {x}, b {y}": sum(1 for p, q in zip(a, b, strict=True) if (p, q) == (vx, vy))
        for x, vx in (("yes", True), ("no", False))
        for y, vy in (("yes", True), ("no", False))
    }
    if n == 0:
        return {"n": 0, "agreement": None, "kappa": None, "table": table}
    observed = (table["a yes, b yes"] + table["a no, b no"]) / n
    yes_a, yes_b = sum(a) / n, sum(b) / n
    expected = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return {
        "n": n,
        "agreement": round(observed, 4),
        "kappa": None if kappa is None else round(kappa, 4),
        "table": table,
    }


def compare_on(
    pairs: list[dict[str, Any]], proxy: Entailment, judge: Entailment
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Both verdicts on every pair, and their agreement (with the judge's seconds per pair)."""
    started = time.perf_counter()
    rows = []
    for pair in pairs:
        verdicts = {
            "lexical": proxy(pair["premise"], pair["sentence"]),
            "judge": judge(pair["premise"], pair["sentence"]),
        }
        rows.append({**pair, **verdicts})
    summary = agreement([r["lexical"] for r in rows], [r["judge"] for r in rows])
    kinds = dict.fromkeys(r.get("kind", "cited") for r in rows)
    if len(kinds) > 1:
        summary["by_kind"] = {
            kind: agreement(
                [r["lexical"] for r in rows if r.get("kind") == kind],
                [r["judge"] for r in rows if r.get("kind") == kind],
            )
            for kind in kinds
        }
    summary["judge_s_per_pair"] = round((time.perf_counter() - started) / max(len(rows), 1), 3)
    return summary, rows


def main(argv: list[str] | None = None) -> int:
    """`python -m eval.agreement RUN_DIR [--judge qwen|openai] [--pairs 100]`."""
    from core.config import apply_runtime_env, get_settings

    apply_runtime_env()
    parser = argparse.ArgumentParser(prog="python -m eval.agreement", description=__doc__)
    parser.add_argument("run", type=Path, help="a run folder with report.json")
    parser.add_argument("--judge", choices=[j for j in JUDGES if j != "lexical"], default="qwen")
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument(
        "--swapped", action="store_true", help="add a twin with another question's premise"
    )
    args = parser.parse_args(argv)
    try:
        report = json.loads((args.run / "report.json").read_text(encoding="utf-8"))
        pairs = citation_pairs(report, args.pairs)
        pairs = with_swapped(pairs) if args.swapped else pairs
        if not pairs:
            raise ValueError(f"{args.run} has no cited answer sentences (a run with citations?)")
        loaded = time.perf_counter()
        judge = make_entailment(args.judge, get_settings())
        load_s = round(time.perf_counter() - loaded, 1)
        summary, rows = compare_on(pairs, LexicalEntailment(), judge)
    except (WatercoolerError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    summary.update(
        run=report.get("id"),
        proxy=entailment_name(LexicalEntailment()),
        judge=entailment_name(judge),
        judge_load_s=load_s,
    )
    out = args.run / "agreement.json"
    out.write_text(json.dumps({"summary": summary, "pairs": rows}, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
