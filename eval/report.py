"""The report of a golden or BEIR run, as a dict (its model: `core.evalreport.EvalReport`).

report.json:

    id, created, dataset {name, kind, version..., items_total, items_run}, request, settings,
    environment {git_commit, git_dirty, python, packages}, corpus {...}, timings {..._s},
    notes {retriever or generator: text}, problems [str]
    retrieval   {retriever: {metric: {"mean","ci_low","ci_high","n","n_excluded"}}}
                metrics ndcg/recall/precision/mrr/hit_rate @1,3,5,10 and map (document level)
    people      {retriever: {"p@1"|"recall@3"|"mrr": {...}}}    on the "who" items
    answers     {generator: {metric: {...}}}; leakage also has "total"
    by_tag      {tag: {"n", "ndcg@10": {retriever: mean}, "answers": {generator: {metric: mean}}}}
    comparisons [{"baseline","system","metric","baseline_mean","system_mean","delta":{...}}]
    calibration {"min_answer_rate","curve":[{threshold, abstention_accuracy, answer_rate}],
                 "chosen", "configured"} | null
    goals       [{"goal","value","target","met"}]
    questions   [{"id","question","user","answerable","tags","expected":[doc ids],
                  "expected_people","retrieved":{retriever:[doc ids, top 10]},
                  "scores":{retriever:{metric:value}},"people":{retriever:[ids, top 3]},
                  "answers":{generator:{"text","abstained","cited","citations":{marker:
                  passage text},"people","top_dense","scores":{metric:value}}}}]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from core.config import Settings
from eval.metrics.answers import strip_markers
from eval.metrics.entailment import Entailment, LexicalEntailment
from eval.metrics.judge import entailment_name
from eval.metrics.stats import aggregate
from eval.observe import Observed
from eval.provenance import environment, run_settings
from eval.request import RunRequest
from eval.scoring import (
    ANSWER_METRICS,
    PEOPLE_METRICS,
    QUESTION_METRICS,
    RETRIEVAL_METRICS,
    AnswerRecord,
    answer_scores,
    by_tag,
    calibrate,
    people_scores,
    retrieval_scores,
    summarize,
)
from eval.suites import DatasetSpec, EvalItem

BASELINES = ("bm25", "dense")
SYSTEMS = ("hybrid", "hybrid+rerank")


def build_report(
    *,
    run_id: str,
    request: RunRequest,
    spec: DatasetSpec,
    settings: Settings,
    corpus: dict[str, Any],
    dataset: dict[str, Any],
    items: Sequence[EvalItem],
    observed: dict[str, list[Observed]],
    answers: dict[str, list[AnswerRecord]],
    notes: dict[str, str],
    problems: list[str],
    timings: dict[str, Any],
    embed: Callable[[Sequence[str]], np.ndarray],
    entails: Entailment | None = None,
) -> dict[str, Any]:
    """The report dict of a run (see the module docstring); citation support by `entails`."""
    entails = entails or LexicalEntailment()
    ret = {
        r: [retrieval_scores(o.documents, i.qrels) for o, i in zip(obs, items, strict=True)]
        for r, obs in observed.items()
    }
    who = [n for n, i in enumerate(items) if "who" in i.tags] or [
        n for n, i in enumerate(items) if i.expected_people
    ]
    ppl = {
        r: [people_scores(obs[n].people, items[n].expected_people) for n in who]
        for r, obs in observed.items()
        if r != "llamaindex" and who
    }
    ans = {g: _answer_items(recs, items, embed, entails) for g, recs in answers.items()}
    report: dict[str, Any] = {
        "id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": {"name": spec.name, "kind": spec.kind, **dataset},
        "request": {
            "retrievers": request.retrievers,
            "generators": request.generators,
            "limit": request.limit,
        },
        "settings": run_settings(settings),
        "environment": environment(),
        "corpus": corpus,
        "timings": {**timings, **_latency(observed)},
        "notes": notes,
        "problems": problems,
        "entailment": entailment_name(entails) if answers else None,
        "retrieval": {r: summarize(s, RETRIEVAL_METRICS) for r, s in ret.items()},
        "retrieval_leakage": {r: sum(bool(o.leaked) for o in obs) for r, obs in observed.items()},
        "people": {r: summarize(s, PEOPLE_METRICS) for r, s in ppl.items()},
        "people_items": len(who),
        "answers": {g: summarize(s, ANSWER_METRICS) for g, s in ans.items()},
        "comparisons": comparisons(ret),
        "by_tag": by_tag([i.tags for i in items], ret, ans),
        "calibration": None,
    }
    if answers:
        first = next(iter(answers.values()))
        report["calibration"] = calibrate(
            [r.top_dense for r in first],
            [bool(i.answerable) for i in items],
            [r.ungated_abstained for r in first],
        )
        report["calibration"]["configured"] = settings.retrieval.abstain_threshold
    report["goals"] = goals(report)
    report["questions"] = _questions(items, observed, ret, answers, ans)
    return report


def _answer_items(
    records: list[AnswerRecord],
    items: Sequence[EvalItem],
    embed: Callable[[Sequence[str]], np.ndarray],
    entails: Entailment,
) -> list[dict[str, float | None]]:
    pairs = [
        (n, strip_markers(r.text), i.reference)
        for n, (r, i) in enumerate(zip(records, items, strict=True))
        if i.answerable
    ]
    similarity: dict[int, float] = {}
    if pairs:
        vectors = embed([t for _, t, _ in pairs] + [ref for _, _, ref in pairs])
        half = len(pairs)
        for k, (n, _, _) in enumerate(pairs):
            similarity[n] = round(float(np.dot(vectors[k], vectors[half + k])), 4)
    scores = [
        answer_scores(
            r,
            bool(i.answerable),
            i.reference,
            similarity.get(n),
            entails,
            [d for d, grade in i.qrels.items() if grade > 0],
        )
        for n, (r, i) in enumerate(zip(records, items, strict=True))
    ]
    for item, score in zip(items, scores, strict=True):
        if not item.score_containment:  # a "Yes." reference is in any answer that says yes
            score["containment"] = score["containment_gold_retrieved"] = None
    return scores


def comparisons(ret: dict[str, list[dict[str, float | None]]]) -> list[dict[str, Any]]:
    """Paired nDCG@10 differences: each system against each baseline (bootstrap CI)."""
    out = []
    for system in (s for s in SYSTEMS if s in ret):
        for baseline in (b for b in (*BASELINES, "llamaindex") if b in ret):
            diffs: list[float | None] = []
            for a, b in zip(ret[system], ret[baseline], strict=True):
                x, y = a["ndcg@10"], b["ndcg@10"]
                diffs.append(None if x is None or y is None else x - y)
            out.append(
                {
                    "system": system,
                    "baseline": baseline,
                    "metric": "ndcg@10",
                    "delta": {k: _r(v) for k, v in aggregate(diffs).items()},
                }
            )
    return out


def goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's goals for the defaults, checked against this run."""
    out: list[dict[str, Any]] = []

    def add(goal: str, value: float | None, target: str, met: bool | None) -> None:
        out.append({"goal": goal, "value": _r(value), "target": target, "met": met})

    ndcg = {r: m["ndcg@10"]["mean"] for r, m in report["retrieval"].items()}
    systems = [ndcg[s] for s in SYSTEMS if ndcg.get(s) is not None]
    singles = [ndcg[b] for b in BASELINES if ndcg.get(b) is not None]
    if systems and singles:
        delta = max(systems) - max(singles)
        add("hybrid (+rerank) − best of BM25/dense, nDCG@10", delta, "≥ 0.05", delta >= 0.05)
    hybrid_people = report["people"].get("hybrid", {}).get("p@1", {}).get("mean")
    if hybrid_people is not None:
        add("people P@1 (hybrid, who items)", hybrid_people, "≥ 0.8", hybrid_people >= 0.8)
    for name, metrics in report["answers"].items():
        cp = metrics["citation_precision"]["mean"]
        acc = metrics["abstention_accuracy"]["mean"]
        rate = metrics["answer_rate"]["mean"]
        leaks = metrics["leakage"]["total"]
        add(f"{name}: citation precision", cp, "≥ 0.95", None if cp is None else cp >= 0.95)
        add(f"{name}: abstention accuracy", acc, "≥ 0.9", None if acc is None else acc >= 0.9)
        add(f"{name}: answer rate", rate, "≥ 0.9", None if rate is None else rate >= 0.9)
        add(f"{name}: leakage (answers + people)", leaks, "= 0", leaks == 0)
    for name, leaks in report["retrieval_leakage"].items():
        add(f"{name}: leakage (retrieved + people)", leaks, "= 0", leaks == 0)
    return out


def _questions(
    items: Sequence[EvalItem],
    observed: dict[str, list[Observed]],
    ret: dict[str, list[dict[str, float | None]]],
    answers: dict[str, list[AnswerRecord]],
    ans: dict[str, list[dict[str, float | None]]],
) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(items):
        out.append(
            {
                "id": item.id,
                "question": item.question,
                "user": item.principal.user_id,
                "answerable": item.answerable,
                "tags": list(item.tags),
                "expected": [d for d, g in item.qrels.items() if g >= 1],
                "expected_people": list(item.expected_people),
                "retrieved": {r: obs[n].documents[:10] for r, obs in observed.items()},
                "scores": {r: {m: _r(s[n][m]) for m in QUESTION_METRICS} for r, s in ret.items()},
                "people": {r: obs[n].people[:3] for r, obs in observed.items() if obs[n].people},
                "answers": {
                    g: {
                        "text": recs[n].text,
                        "abstained": recs[n].abstained,
                        "cited": recs[n].cited_documents,
                        "citations": recs[n].citations,
                        "people": recs[n].people[:3],
                        "top_dense": _r(recs[n].top_dense),
                        "leaked": recs[n].leaked,
                        "scores": {m: _r(v) for m, v in ans[g][n].items()},
                    }
                    for g, recs in answers.items()
                },
            }
        )
    return out


def _latency(observed: dict[str, list[Observed]]) -> dict[str, Any]:
    return {
        f"retrieval_{r}_ms_p50": round(float(np.median([o.seconds for o in obs])) * 1000, 2)
        for r, obs in observed.items()
        if obs
    }


def _r(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value
