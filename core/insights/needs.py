"""The training-needs report: which programs to create and which to change, ranked.

A topic is matched to the catalogue program whose text (title + description) is closest to
its centroid, when the cosine is at least `insights.match_threshold`.

Score of a topic (higher = more urgent):

    f      = failures that training can fix / questions   (restricted ones are left out:
             they need access, not training)
    score  = f × log2(1 + those failures) × (1.5 if the trend is new or growing else 1)

    new_program     no matching program, questions in ≥ `insights.min_weeks` weeks (sustained
                    demand) and f ≥ `insights.min_failure_share`
    change_program  a matching program, and f ≥ half of `insights.min_failure_share` or any
                    stale or conflicting content
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from core.api import InsightsReport, TopicSummary, TrainingNeed, TrainingNeeds
from core.config import InsightsSettings
from core.insights.catalogue import Program

Action = Literal["new_program", "change_program"]
RISING = ("new", "growing")
TRAINABLE_REASONS = ("no_content", "stale_content", "conflicting_sources", "retrieval_miss")
CSV_FIELDS = (
    "rank", "action", "score", "topic", "program", "program_owner", "questions", "failed_share",
    "trend", "reasons", "evidence", "examples", "teams", "experts",
)  # fmt: skip


def score(topic: TopicSummary) -> tuple[float, float]:
    """(score, failure share) of a topic (module docstring)."""
    fixable = topic.failed - topic.reasons.get("restricted", 0)
    share = fixable / topic.questions if topic.questions else 0.0
    boost = 1.5 if topic.trend in RISING else 1.0
    return share * math.log2(1 + fixable) * boost, share


def training_needs(
    report: InsightsReport,
    centroids: dict[int, np.ndarray],
    programs: Sequence[Program],
    program_vectors: np.ndarray | None,
    settings: InsightsSettings,
) -> TrainingNeeds:
    """The ranked needs of the report's topics (module docstring)."""
    needs = TrainingNeeds(
        period_start=report.period_start,
        period_end=report.period_end,
        programs=len(programs),
        message=report.message,
    )
    for topic in report.topics:
        value, share = score(topic)
        program, similarity = _match(centroids.get(topic.id), programs, program_vectors, settings)
        weeks = sum(1 for n in topic.weekly if n)
        stale = topic.reasons.get("stale_content", 0) + topic.reasons.get("conflicting_sources", 0)
        if program is None:
            if weeks < settings.min_weeks or share < settings.min_failure_share:
                continue
            action: Action = "new_program"
            evidence = _evidence(topic, share, "no program covers it")
        else:
            if share < settings.min_failure_share / 2 and not stale:
                continue
            action = "change_program"
            evidence = _evidence(topic, share, f"matches '{program.title}' ({similarity:.2f})")
        needs.needs.append(
            TrainingNeed(
                rank=0,
                action=action,
                score=round(value, 3),
                topic_id=topic.id,
                topic=topic.label,
                program=program.title if program else None,
                program_owner=program.owner if program else None,
                similarity=round(similarity, 3) if program else None,
                questions=topic.questions,
                failed_share=round(share, 3),
                trend=topic.trend,
                reasons=topic.reasons,
                evidence=evidence,
                examples=topic.examples[:3],
                teams=[t.team for t in topic.teams],
                experts=[p.name for p in topic.experts],
            )
        )
    needs.needs.sort(key=lambda n: (-n.score, n.topic_id))
    for rank, need in enumerate(needs.needs, start=1):
        need.rank = rank
    if not needs.needs and needs.message is None:
        needs.message = "No topic of this period calls for a new or changed program."
    return needs


def _match(
    centroid: np.ndarray | None,
    programs: Sequence[Program],
    vectors: np.ndarray | None,
    settings: InsightsSettings,
) -> tuple[Program | None, float]:
    if centroid is None or vectors is None or not programs:
        return None, 0.0
    similarity = vectors @ centroid
    best = int(np.argmax(similarity))
    if similarity[best] < settings.match_threshold:
        return None, float(similarity[best])
    return programs[best], float(similarity[best])


def _evidence(topic: TopicSummary, share: float, match: str) -> str:
    reasons = ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in topic.reasons.items())
    stale_docs = [d.title for d in topic.documents if d.stale]
    parts = [
        f"{topic.questions} questions ({topic.trend})",
        f"{share:.0%} failed" + (f": {reasons}" if reasons else ""),
        f"{topic.not_helpful:.0%} rated not helpful",
        match,
    ]
    if stale_docs:
        parts.append("stale: " + "; ".join(stale_docs))
    return "; ".join(parts)


def to_csv(needs: TrainingNeeds) -> str:
    """The report as CSV, one need per row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for n in needs.needs:
        writer.writerow(
            [
                n.rank,
                n.action,
                n.score,
                n.topic,
                n.program or "",
                n.program_owner or "",
                n.questions,
                n.failed_share,
                n.trend,
                "; ".join(f"{r}={c}" for r, c in n.reasons.items()),
                n.evidence,
                " | ".join(n.examples),
                "; ".join(n.teams),
                "; ".join(n.experts),
            ]
        )
    return out.getvalue()


def to_markdown(needs: TrainingNeeds) -> str:
    """The report as Markdown: one section per need."""
    period = f"{needs.period_start.date()} to {needs.period_end.date()}"
    lines = [f"# Training needs, {period}", ""]
    if needs.message:
        lines += [needs.message, ""]
    titles = {"new_program": "New program needed", "change_program": "Program to change"}
    for n in needs.needs:
        head = f"## {n.rank}. {titles[n.action]}: {n.topic}"
        lines += [head + (f" → {n.program}" if n.program else ""), ""]
        lines += [f"- Score {n.score} · {n.evidence}"]
        lines += [f"- Example: {e}" for e in n.examples]
        if n.teams:
            lines.append("- Teams asking: " + ", ".join(n.teams))
        if n.experts:
            lines.append("- Experts to involve: " + ", ".join(n.experts))
        lines.append("")
    return "\n".join(lines)
