"""Scores of answer-behaviour cases: per case, per case type, and by tier or difficulty.

Per case (None where a metric does not apply to the case's type):

    abstention_accuracy   abstention cases: 1 when the assistant abstained
    answer_rate           grounding and trustworthy cases: 1 when it answered
    no_forbidden_claims   cases with fitz-gov `forbidden_claims` regexes (grounding): 1 when the
                          answer text (without its [n] markers) matches none of them
                          (case-insensitive, as fitz-gov checks them); an abstention
                          makes no claim, so it passes
    no_invented_claims    the same, counting only the regexes that match none of the case's
                          contexts: a match of a regex the contexts also match may be a quote
                          (the regexes are broad, e.g. any "$425,000"), not an invention
    dispute_flagged       dispute cases: 1 when the answer flags the disagreement: it says
                          so in words (`dispute_says`, the DISAGREEMENT pattern) or presents
                          more than one side by citing at least two of the case's contexts
                          (`dispute_cites_two`; the contexts of a dispute case conflict)
    citation_precision, citation_recall, groundedness
                          every answered case: ALCE citation scores and groundedness against
                          the passages the answer cites, decided by the run's `Entailment`
    abstained             every case: 1 when the assistant abstained

A case type's headline metric (`HEADLINE`) is what the by-tier and by-difficulty tables show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.evalreport import HEADLINE
from eval.datasets.fitz_gov import BehaviourCase
from eval.metrics import answers
from eval.metrics.entailment import Entailment
from eval.metrics.stats import aggregate

METRICS = (
    "abstention_accuracy",
    "answer_rate",
    "no_forbidden_claims",
    "no_invented_claims",
    "dispute_flagged",
    "dispute_says",
    "dispute_cites_two",
    "citation_precision",
    "citation_recall",
    "groundedness",
    "abstained",
)
_ORDER = {"easy": 0, "medium": 1, "hard": 2}  # difficulties in reading order; tiers sort by name
# Words that say the sources disagree ("Sources disagree", "conflicting reports", "however,
# another study found ..."); a hedge such as "may" does not count.
DISAGREEMENT = re.compile(
    r"\b(disagree\w*|conflict\w*|contradict\w*|inconsisten\w*|disputed?|"
    r"(sources|studies|reports|accounts) (differ|vary)|differing|mixed (evidence|results)|"
    r"on the other hand|other (sources|studies|reports) (say|find|found|report))\b",
    re.IGNORECASE,
)


@dataclass
class CaseRecord:
    """What one generator answered on one case."""

    text: str
    abstained: bool
    citations: dict[int, str] = field(default_factory=dict)  # answer marker → passage text
    cited_contexts: list[int] = field(default_factory=list)  # the case's context numbers
    top_dense: float | None = None
    seconds: float = 0.0


def forbidden_matches(text: str, patterns: Sequence[str]) -> list[str]:
    """The forbidden-claim regexes that match the text (case-insensitive, as fitz-gov does)."""
    return [p for p in patterns if re.search(p, text, re.IGNORECASE)]


def case_scores(
    case: BehaviourCase, record: CaseRecord, entails: Entailment
) -> dict[str, float | None]:
    """Every metric of one answer to one case (module docstring)."""
    scores: dict[str, float | None] = dict.fromkeys(METRICS)
    answered = not record.abstained
    plain = answers.strip_markers(record.text)  # a marker's digits are no claim ("[2]" ~ \d)
    scores["abstained"] = float(record.abstained)
    if case.case_type == "abstention":
        scores["abstention_accuracy"] = float(record.abstained)
    elif case.case_type == "dispute":
        says = answered and bool(DISAGREEMENT.search(plain))
        both = answered and len(set(record.cited_contexts)) >= 2
        scores["dispute_says"] = float(says)
        scores["dispute_cites_two"] = float(both)
        scores["dispute_flagged"] = float(says or both)
    else:
        scores["answer_rate"] = float(answered)
    if case.forbidden_claims:
        matched = forbidden_matches(plain, case.forbidden_claims) if answered else []
        invented = [p for p in matched if not forbidden_matches("\n".join(case.contexts), [p])]
        scores["no_forbidden_claims"] = float(not matched)
        scores["no_invented_claims"] = float(not invented)
    if answered:
        cites = answers.citation_scores(record.text, record.citations, entails)
        scores["citation_precision"] = cites.precision
        scores["citation_recall"] = cites.recall
        scores["groundedness"] = answers.groundedness(record.text, record.citations, entails)
    return scores


def summarize_cases(per_case: Sequence[Mapping[str, float | None]]) -> dict[str, Any]:
    """Aggregate (mean, bootstrap CI, n) of each metric; metrics no case scored are left out."""
    out: dict[str, Any] = {}
    for metric in METRICS:
        agg = aggregate([s[metric] for s in per_case])
        if agg["n"]:
            out[metric] = {k: round(v, 4) if isinstance(v, float) else v for k, v in agg.items()}
    return out


def by_type(
    cases: Sequence[BehaviourCase], per_case: Sequence[Mapping[str, float | None]]
) -> dict[str, dict[str, Any]]:
    """Per case type: the number of cases and every metric's aggregate."""
    out: dict[str, dict[str, Any]] = {}
    for case_type in dict.fromkeys(c.case_type for c in cases):
        idx = [n for n, c in enumerate(cases) if c.case_type == case_type]
        out[case_type] = {"n": len(idx), **summarize_cases([per_case[n] for n in idx])}
    return out


def by_group(
    cases: Sequence[BehaviourCase],
    per_case: Mapping[str, Sequence[Mapping[str, float | None]]],
    key: str,
) -> list[dict[str, Any]]:
    """Rows (case type, tier or difficulty value): n and each generator's headline aggregate."""
    rows: list[dict[str, Any]] = []
    types = list(HEADLINE)
    groups = sorted(
        {(c.case_type, str(getattr(c, key))) for c in cases},
        key=lambda g: (types.index(g[0]), _ORDER.get(g[1], len(_ORDER)), g[1]),
    )
    for case_type, value in groups:
        idx = [
            n
            for n, c in enumerate(cases)
            if c.case_type == case_type and str(getattr(c, key)) == value
        ]
        metric = HEADLINE[case_type]
        row: dict[str, Any] = {"case_type": case_type, key: value, "n": len(idx), "metric": metric}
        for generator, scores in per_case.items():
            agg = aggregate([scores[n][metric] for n in idx])
            row[generator] = {k: round(v, 4) if isinstance(v, float) else v for k, v in agg.items()}
        rows.append(row)
    return rows
