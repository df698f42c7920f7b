"""Content to fix: the stale documents answers still cite, by impact.

A cited document is stale when it is superseded, outdated, needs review (an expert's answer
not verified yet among them), holds an expired verification, or is flagged by readers
(core/insights/lookups.py). Over the period's answered questions:

    impact = citations + 2 × negative

`citations` counts the answers citing it, `negative` those of them rated not helpful or wrong
citation (a rated failure weighs as much as two more readers misled). Documents the caller
may not see are counted in `hidden`, never named.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

from core.api import StaleDocument
from core.db.insights import LoggedQuestion
from core.insights.reasons import NEGATIVE, DocumentFacts
from core.schema import PersonRef

MAX_STALE = 20


def stale_by_impact(
    members: Mapping[int, Sequence[LoggedQuestion]],
    labels: Sequence[str],
    facts: Mapping[str, DocumentFacts],
    titles: Mapping[str, str],
    owners: Mapping[str, list[PersonRef]],
) -> list[StaleDocument]:
    """Every stale cited document by impact, for a viewer who sees everything (`visible` cuts
    the list for a caller)."""
    cited: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    topics: dict[str, set[str]] = defaultdict(set)
    for topic_id, questions in members.items():
        label = labels[topic_id] if 0 <= topic_id < len(labels) else None
        for q in questions:
            if q.abstained:
                continue
            bad = bool(NEGATIVE & set(q.ratings))
            for d in q.cited_document_ids:
                if d in facts and facts[d].stale:
                    cited[d] += 1
                    negative[d] += bad
                    if label:
                        topics[d].add(label)
    ranked = [
        StaleDocument(
            document_id=d,
            title=titles.get(d, d),
            stale=facts[d].stale or "",
            citations=cited[d],
            negative=negative[d],
            impact=cited[d] + 2 * negative[d],
            owners=owners.get(d, []),
            topics=sorted(topics[d]),
        )
        for d in cited
    ]
    return sorted(ranked, key=lambda s: (-s.impact, s.title, s.document_id))


def visible(
    ranked: Sequence[StaleDocument],
    facts: Mapping[str, DocumentFacts],
    caller_sees: Callable[[list[str]], bool],
    limit: int = MAX_STALE,
) -> tuple[list[StaleDocument], int]:
    """The first `limit` documents the caller may see, and how many they may not see."""
    shown = [s for s in ranked if caller_sees(facts[s.document_id].groups)]
    return shown[:limit], len(ranked) - len(shown)
