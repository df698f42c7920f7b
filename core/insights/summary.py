"""One topic's figures: volume, weekly trend, outcomes, reasons, documents, people and teams.

Trend over the period's weeks: *new* when the topic's first question falls in the last
NEW_WEEKS weeks; else *growing* / *declining* when the last RECENT_WEEKS weeks average at
least GROWTH × / at most 1 / GROWTH × the weeks before; else *steady*.

Privacy: askers are never named; a team's figures appear only when at least `k` distinct
people of it asked (the rest are counted in `teams_hidden`); a cited document the caller may
not see is counted in `hidden_documents`, never named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.api import Reason, TeamShare, TopicDocument, TopicSummary, Trend
from core.db.insights import LoggedQuestion
from core.insights.reasons import NEGATIVE, DocumentFacts
from core.schema import Person, PersonRef

NEW_WEEKS = 4
RECENT_WEEKS = 4
GROWTH = 1.5
MAX_DOCUMENTS = 5
MAX_EXPERTS = 3
MAX_EXAMPLES = 5
REASONS: tuple[Reason, ...] = (
    "no_content",
    "stale_content",
    "conflicting_sources",
    "retrieval_miss",
    "restricted",
)


@dataclass(frozen=True)
class Context:
    """What every topic's summary reads: the period, documents, people, the caller's access."""

    start: datetime
    weeks: int
    facts: Mapping[str, DocumentFacts]
    titles: Mapping[str, str]
    owners: Mapping[str, list[PersonRef]]
    people: Mapping[str, Person]
    team_of: Mapping[str, str]
    caller_sees: Callable[[list[str]], bool]
    k: int
    escalated: AbstractSet[str] = frozenset()  # ids of questions sent to an expert


def week_starts(start: datetime, weeks: int) -> list[datetime]:
    """The first instant of each week of the period."""
    return [start + timedelta(weeks=w) for w in range(weeks)]


def weekly_counts(questions: Sequence[LoggedQuestion], start: datetime, weeks: int) -> list[int]:
    """Questions per week of the period, oldest first."""
    counts = [0] * weeks
    for q in questions:
        week = int((q.created - start) / timedelta(weeks=1))
        counts[min(max(week, 0), weeks - 1)] += 1
    return counts


def trend(weekly: Sequence[int]) -> Trend:
    """new / growing / declining / steady (module docstring)."""
    first = next((w for w, n in enumerate(weekly) if n), len(weekly))
    if first >= len(weekly) - NEW_WEEKS and len(weekly) > NEW_WEEKS:
        return "new"
    recent, before = weekly[-RECENT_WEEKS:], weekly[first:-RECENT_WEEKS]
    if not before:
        return "steady"
    recent_mean, before_mean = sum(recent) / len(recent), sum(before) / len(before)
    if recent_mean >= GROWTH * max(before_mean, 1e-9):
        return "growing"
    if recent_mean * GROWTH <= before_mean:
        return "declining"
    return "steady"


def summarise(
    topic_id: int,
    label: str,
    keywords: list[str],
    questions: Sequence[LoggedQuestion],
    reasons: Mapping[str, Reason],
    ctx: Context,
    max_documents: int | None = MAX_DOCUMENTS,
) -> TopicSummary:
    """The topic's figures as the caller may see them (`max_documents` None: every cited
    document, for `restrict` to cut per caller)."""
    n = len(questions)
    weekly = weekly_counts(questions, ctx.start, ctx.weeks)
    abstained = sum(q.abstained for q in questions)
    negative = sum(1 for q in questions if not q.abstained and NEGATIVE & set(q.ratings))
    cited = Counter(d for q in questions if not q.abstained for d in q.cited_document_ids)
    documents: list[TopicDocument] = []
    hidden = 0
    for document_id, count in cited.most_common():
        facts = ctx.facts.get(document_id)
        if facts is not None and not ctx.caller_sees(facts.groups):
            hidden += 1
            continue
        if max_documents is None or len(documents) < max_documents:
            documents.append(
                TopicDocument(
                    document_id=document_id,
                    title=ctx.titles.get(document_id, document_id),
                    citations=count,
                    stale=facts.stale if facts else None,
                    owners=ctx.owners.get(document_id, []),
                )
            )
    teams, teams_hidden = _teams(questions, ctx)
    reason_counts = Counter(reasons[q.id] for q in questions if q.id in reasons)
    return TopicSummary(
        id=topic_id,
        label=label,
        keywords=keywords,
        questions=n,
        weekly=weekly,
        trend=trend(weekly),
        answered=round((n - abstained) / n, 3) if n else 0.0,
        abstained=round(abstained / n, 3) if n else 0.0,
        not_helpful=round(negative / n, 3) if n else 0.0,
        failed=len(reasons),
        escalated=round(sum(q.id in ctx.escalated for q in questions) / n, 3) if n else 0.0,
        reasons={r: reason_counts[r] for r in REASONS if reason_counts[r]},
        documents=documents,
        hidden_documents=hidden,
        experts=_experts(questions, [d.document_id for d in documents], ctx),
        teams=teams,
        teams_hidden=teams_hidden,
        examples=_examples(questions),
    )


def restrict(full: TopicSummary, named_experts: bool, ctx: Context) -> TopicSummary:
    """A topic summarised for a viewer who sees everything (`summarise(..., max_documents=None)`),
    cut to what the caller may see: documents they may not see only counted, the experts taken
    from the shown documents' owners unless the answers named people (`named_experts`)."""
    shown = [d for d in full.documents if ctx.caller_sees(_groups(ctx, d.document_id))]
    hidden = len(full.documents) - len(shown)
    shown = shown[:MAX_DOCUMENTS]
    experts = full.experts
    if not named_experts:
        owners = Counter(o.id for d in shown for o in ctx.owners.get(d.document_id, []))
        experts = [ctx.people[p] for p, _ in owners.most_common() if p in ctx.people]
    return full.model_copy(
        update={
            "documents": shown,
            "hidden_documents": hidden,
            "experts": experts[:MAX_EXPERTS],
        }
    )


def names_experts(questions: Sequence[LoggedQuestion]) -> bool:
    """Whether the topic's answers named people (then its experts do not depend on the caller)."""
    return any(q.people_ids for q in questions if not q.abstained)


def _groups(ctx: Context, document_id: str) -> list[str]:
    facts = ctx.facts.get(document_id)
    return facts.groups if facts else []


def _teams(questions: Sequence[LoggedQuestion], ctx: Context) -> tuple[list[TeamShare], int]:
    askers: dict[str, set[str]] = {}
    counts: Counter[str] = Counter()
    for q in questions:
        team = ctx.team_of.get(q.user_id)
        if team:
            askers.setdefault(team, set()).add(q.user_id)
            counts[team] += 1
    shown = [
        TeamShare(team=t, askers=len(a), questions=counts[t])
        for t, a in askers.items()
        if len(a) >= ctx.k
    ]
    shown.sort(key=lambda s: (-s.questions, s.team))
    return shown, len(askers) - len(shown)


def _experts(
    questions: Sequence[LoggedQuestion], shown_documents: list[str], ctx: Context
) -> list[Person]:
    """The people named in the topic's answers, else the owners of its cited documents."""
    named = Counter(p for q in questions if not q.abstained for p in q.people_ids)
    if not named:
        named = Counter(o.id for d in shown_documents for o in ctx.owners.get(d, []))
    return [ctx.people[p] for p, _ in named.most_common() if p in ctx.people][:MAX_EXPERTS]


def _examples(questions: Sequence[LoggedQuestion]) -> list[str]:
    """The most asked wordings, most recent first among equals."""
    wording = Counter(q.question.strip() for q in questions)
    return [text for text, _ in wording.most_common(MAX_EXAMPLES)]
