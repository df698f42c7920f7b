"""Fit the answerability model on tuning halves and report it on test halves.

    python -m eval.answerability_fit DATA.jsonl [DATA.jsonl ...] [--write] [--report OUT.md]

DATA comes from `python -m eval.answerability_data`. Features are `core.answerability.features`
(the code the assistant runs). A logistic regression with non-negative weights (scipy's
L-BFGS-B) is fitted on the `tune` rows of every set, each set weighing the same (classes in
their natural shares); the probability threshold and the cosine floor are chosen on the same
rows (the largest abstention accuracy whose answer rate is ≥ MIN_ANSWER_RATE on every tuning
set; `--min-answer-rate` changes it). Only then are the `test` rows scored: answer rate on
answerable, abstention accuracy on unanswerable, 95 % bootstrap intervals, a reliability
table, and the previous gate (cosine less the coverage penalty) on the same rows. `--write`
stores the model as core/answerability_model.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import roc_auc_score

from core.answerability import FEATURES, MODEL_FILE, Model, features
from core.retrieval import RetrievalResult
from eval.metrics.stats import bootstrap_ci

# Issue 12's answer-rate targets are 0.9 (golden) and 0.95 (public sets): every tuning set must
# reach the lower one. At 0.95 on every set the golden abstention fell to 0.28 and the CI smoke
# set's floor (2 of 6 unanswerable) broke; docs/eval-defaults.md shows both choices.
MIN_ANSWER_RATE = 0.90
FLOORS = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)
THRESHOLDS = tuple(round(t, 3) for t in np.arange(0.05, 0.951, 0.01))
OLD_GATE = (0.48, 0.48, 0.14)  # abstain floor, score threshold, coverage weight (v1 defaults)
C = 1.0


def load(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Every row with its features computed."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            result = RetrievalResult.model_validate(row.pop("result"))
            if result.top_dense_score is None or not result.passages:
                row["x"] = None
            else:
                row["x"], _ = features(row["question"], result.passages, result.top_dense_score)
            rows.append(row)
    return rows


def matrix(rows: list[dict[str, Any]]) -> np.ndarray:
    return np.array([[r["x"][f] for f in FEATURES] for r in rows])


def fit(rows: list[dict[str, Any]]) -> Model:
    """Logistic regression on standardised features, monotone; each set weighs the same.

    Classes keep their natural shares (no balancing), so p stays calibrated: the tuning
    halves' reliability tables show balanced weights under-stating p at the low end. Every
    weight is held ≥ 0: more evidence never lowers p. Unconstrained, the four tuning sets'
    collinear coverage signals took opposite signs (the best sentence's coverage −0.63) and
    lost typo questions; within the tuning halves, two-fold cross-validation of the whole
    procedure scored 1.230 monotone against 1.213 unconstrained (docs/eval-defaults.md).
    """
    usable = [r for r in rows if r["x"] is not None]
    x = matrix(usable)
    y = np.array([r["answerable"] for r in usable], dtype=float)
    weight = np.ones(len(usable))
    for name in {r["set"] for r in usable}:
        mask = np.array([r["set"] == name for r in usable])
        weight[mask] = 1.0 / mask.sum()
    weight *= len(usable) / weight.sum()
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Weighted log loss with an L2 penalty (1 / C) on the weights, and its gradient."""
        logit = theta[0] + z @ theta[1:]
        error = weight * (1.0 / (1.0 + np.exp(-logit)) - y)
        value = float(np.sum(weight * (np.logaddexp(0.0, logit) - y * logit)))
        value += 0.5 / C * float(theta[1:] @ theta[1:])
        return value, np.concatenate([[error.sum()], z.T @ error + theta[1:] / C])

    bounds = [(None, None)] + [(0.0, None)] * z.shape[1]
    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    return Model(
        FEATURES, tuple(mean.round(6)), tuple(scale.round(6)), tuple(theta[1:].round(6)),
        round(float(theta[0]), 6),
    )  # fmt: skip


def decide(rows: list[dict[str, Any]], model: Model, floor: float, threshold: float) -> list[bool]:
    """Whether the gate answers each row."""
    return [
        r["x"] is not None
        and r["x"]["top_dense"] >= floor
        and r["p"] >= threshold
        and r["x"]["codes_found"] == 1.0
        for r in rows
    ]


def rates(rows: list[dict[str, Any]], answered: list[bool]) -> dict[str, Any]:
    """Answer rate on answerable rows, abstention accuracy on the others, with intervals."""
    out: dict[str, Any] = {}
    for key, label, value in (("answer_rate", True, True), ("abstention", False, False)):
        hits = [
            float(a == value)
            for r, a in zip(rows, answered, strict=True)
            if r["answerable"] is label
        ]
        if hits:
            mean, low, high = bootstrap_ci(hits)
            out[key] = {"mean": mean, "ci": [low, high], "n": len(hits)}
    return out


def choose(
    by_set: dict[str, list[dict[str, Any]]], model: Model, min_rate: float = MIN_ANSWER_RATE
) -> tuple[float, float]:
    """Floor and threshold with the best mean balanced accuracy, answer rate ≥ MIN on every set."""
    best: tuple[float, float, float] = (-1.0, 0.0, 0.5)
    for floor in FLOORS:
        for t in THRESHOLDS:
            scores = [rates(rows, decide(rows, model, floor, t)) for rows in by_set.values()]
            if all(s.get("answer_rate", {"mean": 1})["mean"] >= min_rate for s in scores):
                abstain = float(np.mean(
                    [s["abstention"]["mean"] + s["answer_rate"]["mean"] for s in scores]
                ))  # fmt: skip
                if abstain > best[0]:
                    best = (abstain, floor, t)
    return best[1], best[2]


def old_gate(rows: list[dict[str, Any]]) -> list[bool]:
    """The v1 gate: cosine ≥ 0.48 and cosine − 0.14 × (1 − coverage) ≥ 0.48."""
    floor, threshold, weight = OLD_GATE
    return [
        r["x"] is not None
        and r["x"]["top_dense"] >= floor
        and r["x"]["top_dense"] - weight * (1 - r["x"]["coverage"]) >= threshold
        for r in rows
    ]


def reliability(rows: list[dict[str, Any]], bins: int = 5) -> list[dict[str, Any]]:
    """Mean predicted p and observed answerable share per equal-width p bin."""
    out = []
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [r for r in rows if r["x"] is not None and low <= r["p"] < high + (k == bins - 1)]
        if inside:
            out.append({
                "bin": f"{low:.1f}–{high:.1f}",
                "n": len(inside),
                "mean_p": float(np.mean([r["p"] for r in inside])),
                "answerable": float(np.mean([r["answerable"] for r in inside])),
            })  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    """Fit, choose, report; optionally write the model."""
    parser = argparse.ArgumentParser(prog="python -m eval.answerability_fit")
    parser.add_argument("data", type=Path, nargs="+")
    parser.add_argument("--write", action="store_true", help="store core/answerability_model.json")
    parser.add_argument(
        "--min-answer-rate", type=float, default=MIN_ANSWER_RATE,
        help="answer rate every tuning set must reach when choosing the threshold",
    )  # fmt: skip
    args = parser.parse_args(argv)
    rows = load(args.data)
    tune = [r for r in rows if r["half"] == "tune"]
    model = fit(tune)
    for r in rows:
        r["p"] = model.probability(r["x"]) if r["x"] is not None else 0.0
    sets = sorted({r["set"] for r in rows})
    halves = {h: {s: [r for r in rows if r["set"] == s and r["half"] == h] for s in sets}
              for h in ("tune", "test")}  # fmt: skip
    floor, threshold = choose(halves["tune"], model, args.min_answer_rate)
    report: dict[str, Any] = {
        "model": model.to_json(),
        "floor": floor,
        "threshold": threshold,
        "results": {},
    }
    for h, by_set in halves.items():
        for s, part in by_set.items():
            usable = [r for r in part if r["x"] is not None]
            labels = [r["answerable"] for r in usable]
            two = len(set(labels)) > 1
            report["results"][f"{s}/{h}"] = {
                "n": len(part),
                "gate": rates(part, decide(part, model, floor, threshold)),
                "old_gate": rates(part, old_gate(part)),
                "auc": roc_auc_score(labels, [r["p"] for r in usable]) if two else None,
                "auc_cosine": roc_auc_score(labels, [r["x"]["top_dense"] for r in usable])
                if two else None,
                "reliability": reliability(part),
            }  # fmt: skip
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    if args.write:
        meta = {
            "fitted": datetime.now(UTC).date().isoformat(),
            "on": {s: len([r for r in tune if r["set"] == s]) for s in sets},
            "by": "python -m eval.answerability_fit (tuning halves only)",
            "threshold": threshold,
            "floor": floor,
        }
        stored = Model(**{**model.__dict__, "meta": meta})
        MODEL_FILE.write_text(json.dumps(stored.to_json(), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
