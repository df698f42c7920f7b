"""A period's insights before any caller (the base), and one caller's report cut from it.

Everything but the documents a caller may see is the same for every trainer: the log, topics,
reasons, each topic summarised for a viewer who sees everything, the stale documents. The
base is built once per period and log state (core/insights/engine.py caches it); a caller's
report only drops what they may not see (`summary.restrict`, `stale.visible`), so another
trainer's first open, or the first open after the start-up preparation, is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime

from core.api import InsightsReport, Reason, StaleDocument, TopicSummary
from core.auth import can_see
from core.db.insights import LoggedQuestion
from core.insights.lookups import DocumentInfo
from core.insights.stale import stale_by_impact, visible
from core.insights.summary import Context, names_experts, restrict, summarise
from core.insights.topics import TopicModel
from core.schema import Person, Principal

Built = tuple[InsightsReport, dict[int, list[LoggedQuestion]], dict[str, Reason]]


@dataclass(frozen=True)
class Base:
    """A period's report before any caller: what every trainer's report is cut from."""

    report: InsightsReport  # the period, counts and message; no topics yet
    start: datetime
    weeks: int
    members: dict[int, list[LoggedQuestion]]
    info: DocumentInfo
    people: dict[str, Person]
    model: TopicModel | None  # None: too few questions for topics
    reasons: dict[int, dict[str, Reason]]  # per topic: each failed question's reason
    # per topic: summarised for a viewer who sees everything, and whether its answers named
    # people (then its experts do not depend on the caller)
    summaries: dict[int, tuple[TopicSummary, bool]]
    stale: list[StaleDocument]  # every stale cited document, by impact


def empty_base(report: InsightsReport, start: datetime, weeks: int) -> Base:
    """A base without topics (an empty or too small period: the report says why)."""
    return Base(report, start, weeks, {}, DocumentInfo(), {}, None, {}, {}, [])


def build_base(
    report: InsightsReport,
    start: datetime,
    weeks: int,
    members: Mapping[int, list[LoggedQuestion]],
    info: DocumentInfo,
    people: dict[str, Person],
    model: TopicModel,
    reasons: dict[int, dict[str, Reason]],
    escalated: AbstractSet[str],
    k: int,
) -> Base:
    """Summarise every topic for a viewer who sees everything, and rank the stale documents."""
    ctx = context(start, weeks, info, people, lambda _groups: True, k, escalated)
    summaries = {
        t: (
            summarise(t, model.labels[t], model.keywords[t], members[t], r, ctx, None),
            names_experts(members[t]),
        )
        for t, r in reasons.items()
    }
    stale = stale_by_impact(members, model.labels, info.facts, info.titles, info.owners)
    return Base(report, start, weeks, dict(members), info, people, model, reasons, summaries, stale)


def for_caller(base: Base, caller: Principal, k: int) -> Built:
    """The caller's report, each topic's questions and each failed question's reason."""
    report = base.report.model_copy(deep=True)
    if base.model is None:
        return report, {}, {}
    ctx = context(base.start, base.weeks, base.info, base.people, lambda g: can_see(caller, g), k)
    report.stale_documents, report.stale_hidden = visible(base.stale, ctx.facts, ctx.caller_sees)
    all_reasons: dict[str, Reason] = {}
    for topic_id, reasons in base.reasons.items():
        all_reasons.update(reasons)
        full, named = base.summaries[topic_id]
        report.topics.append(restrict(full, named, ctx))
    report.topics.sort(key=lambda t: (-t.questions, t.id))
    return report, base.members, all_reasons


def context(
    start: datetime,
    weeks: int,
    info: DocumentInfo,
    people: Mapping[str, Person],
    sees: Callable[[list[str]], bool],
    k: int,
    escalated: AbstractSet[str] = frozenset(),
) -> Context:
    """What summarising a topic reads, for a viewer who sees what `sees` lets through."""
    return Context(
        start=start,
        weeks=weeks,
        facts=info.facts,
        titles=info.titles,
        owners=info.owners,
        people=people,
        team_of={p: person.team for p, person in people.items() if person.team},
        caller_sees=sees,
        k=k,
        escalated=escalated,
    )
