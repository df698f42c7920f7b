"""People to contact: who wrote or owns the passages a caller can see, and are they at work.

Only the passages handed in count as evidence (they are already filtered by the caller's
access), so no one is suggested because of a document the caller cannot read.

Score of a person, over the documents among the passages that they authored or own:

    evidence(d) = relevance(d) × role(d) × recency(d) × (SUPERSEDED_WEIGHT if superseded)
      relevance(d) = 1 / (1 + rank(d) / RANK_SCALE); rank(d) = 0-based rank of the document
                     (order of its best passage among distinct documents)
      role(d)      = i-th listed author: 1 / (1 + AUTHOR_DECAY × i) (first author 1.0);
                     owner: experts.owner_weight; both: the larger
      recency(d)   = RECENCY_FLOOR + (1 - RECENCY_FLOOR) × 0.5 ** (age_days / half_life);
                     an unknown date counts as one half-life old
    score = Σ_k evidence_k / sqrt(k + 1), documents sorted by evidence (diminishing returns:
            two documents at ranks 1 and 2 outweigh one at rank 0, a third adds less)
            × specificity ** experts.specificity_power, specificity = ln(1 + D / n), D the
              distinct documents among the passages and n the person's share of them (an idf
              for people: the owner of the one best-matching document is not outranked merely
              by someone on most of the retrieved set, a generalist)
            × endorsements.get(person, 1.0) (trainer endorsement hook)
    For a question about ownership ("who owns / maintains / approves / should I contact"),
    an owner's role weight is experts.owner_intent_weight instead of experts.owner_weight;
    for one about authorship ("who wrote"), it is AUTHOR_INTENT_OWNER_WEIGHT.

Named: at most experts.max_people, and for an answer (`confident_only`) only those whose
score is at least experts.min_relative_score of the best one's; people outside the directory
come after everyone in it (they may have left or be hard to reach).

Hidden evidence: documents the caller may not see that match the question better than all
they may see (`Retriever.hidden_evidence`). The directory teams of their authors and owners
(at most HIDDEN_TEAMS, best document first; a team someone named already belongs to is left
out) are named first, as a team: no person and no document, so the caller learns where to
ask, never who wrote what or what the document is.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.clock import as_utc
from core.config import ExpertsSettings
from core.db import PeopleStore
from core.schema import Expert, ExpertDocument, Passage, Person

log = logging.getLogger(__name__)

RANK_SCALE = 2.0
AUTHOR_DECAY = 0.5
RECENCY_FLOOR = 0.3
SUPERSEDED_WEIGHT = 0.3
AUTHOR_INTENT_OWNER_WEIGHT = 0.3
HIDDEN_TEAMS = 2
TEAM_ID_PREFIX = "team:"
_OWNER_INTENT = re.compile(
    r"\b(owns?|owner|maintains?|maintainer|responsible|in charge|approves?|approval|decides?|"
    r"runs?|manages?|contact|talk to|ask|sorts? out|handles?)\b",
    re.IGNORECASE,
)
_AUTHOR_INTENT = re.compile(r"\b(wrote|written|author(ed)?|write[sd]? up|presented)\b", re.I)
MAX_TITLES = 3  # titles named per role in `why`
MAX_TOPICS = 3  # tags shown as a person's topics


@dataclass
class _Evidence:
    """One document as evidence for one person."""

    person_id: str
    passage: Passage  # the document's best passage
    rank: int
    role: Literal["author", "owner"]
    weight: float = 0.0


@dataclass
class _Candidate:
    person_id: str
    evidence: dict[str, _Evidence] = field(default_factory=dict)  # by document id


class ExpertFinder:
    """Ranks the authors and owners of retrieved passages as people to contact."""

    def __init__(self, people: PeopleStore, settings: ExpertsSettings) -> None:
        self.people = people
        self.settings = settings

    def rank(
        self,
        passages: list[Passage],
        *,
        now: datetime | None = None,
        endorsements: dict[str, float] | None = None,
        question: str | None = None,
        hidden: list[Passage] | None = None,
        confident_only: bool = False,
    ) -> list[Expert]:
        """The people to contact about these passages (best first; module docstring).

        `confident_only` names only those above experts.min_relative_score (what an answer
        shows); without it everyone with evidence is ranked (a routing fallback chain).
        """
        now = as_utc(now or datetime.now(UTC))
        experts = self._ranked(passages, now, endorsements, question, confident_only)
        if hidden:
            named = {e.person.team for e in experts if e.person.team}
            top = experts[0].score if experts else 1.0
            teams = [t for t in self._hidden_teams(hidden) if t not in named][:HIDDEN_TEAMS]
            experts = ([_team(t, top) for t in teams] + experts)[: self.settings.max_people]
        return experts

    def _hidden_teams(self, hidden: list[Passage]) -> list[str]:
        """Directory teams of the people behind the hidden passages, best document first."""
        ids = list(dict.fromkeys(pid for p in hidden for pid in (*p.owner_ids, *p.author_ids)))
        directory = self.lookup(ids) if ids else {}
        teams = (directory[pid].team for pid in ids if directory[pid].in_directory)
        return list(dict.fromkeys(t for t in teams if t))

    def _ranked(
        self,
        passages: list[Passage],
        now: datetime,
        endorsements: dict[str, float] | None,
        question: str | None,
        confident_only: bool,
    ) -> list[Expert]:
        """The people behind the passages the caller may see (module docstring)."""
        candidates = self._candidates(passages)
        if not candidates:
            return []
        directory = self.lookup(list(candidates))
        owner_weight = self._owner_weight(question)
        documents = len({p.document_id for p in passages})
        scored: list[tuple[float, Person, _Candidate]] = []
        for pid, cand in candidates.items():
            person = directory[pid]
            for ev in cand.evidence.values():
                ev.weight = self._evidence_weight(ev, now, owner_weight)
            ordered = sorted(cand.evidence.values(), key=lambda e: -e.weight)
            score = sum(e.weight / math.sqrt(k + 1) for k, e in enumerate(ordered))
            specificity = math.log(1 + documents / len(cand.evidence))
            score *= specificity**self.settings.specificity_power
            score *= (endorsements or {}).get(pid, 1.0)
            scored.append((score, person, cand))
        scored.sort(key=lambda s: (not s[1].in_directory, -s[0], s[1].name.casefold()))
        best = max(score for score, _, _ in scored)
        floor = self.settings.min_relative_score * best if confident_only else 0.0
        kept = [s for s in scored if s[0] >= floor]
        experts = [
            self._expert(person, score, cand, now)
            for score, person, cand in kept[: self.settings.max_people]
        ]
        log.debug(
            "experts ranked",
            extra={"candidates": len(candidates), "experts": [e.person.id for e in experts]},
        )
        return experts

    def lookup(self, person_ids: list[str]) -> dict[str, Person]:
        """People by id; an id missing from the store becomes a bare, non-directory Person."""
        stored = self.people.get_many(person_ids)
        found: dict[str, Person] = {}
        for pid in dict.fromkeys(person_ids):
            if pid not in stored:
                log.warning("person not in the people store", extra={"person_id": pid})
            found[pid] = stored.get(pid) or Person(id=pid, name=pid, in_directory=False)
        return found

    def _candidates(self, passages: list[Passage]) -> dict[str, _Candidate]:
        """Everyone who authored or owns a document among the passages, with their evidence."""
        candidates: dict[str, _Candidate] = {}
        doc_rank: dict[str, int] = {}
        for passage in passages:
            if passage.document_id in doc_rank:
                continue  # a later passage of a document adds no new evidence
            rank = doc_rank[passage.document_id] = len(doc_rank)
            roles: dict[str, Literal["author", "owner"]] = dict.fromkeys(passage.owner_ids, "owner")
            roles.update(dict.fromkeys(passage.author_ids, "author"))
            for pid, role in roles.items():
                cand = candidates.setdefault(pid, _Candidate(pid))
                cand.evidence[passage.document_id] = _Evidence(pid, passage, rank, role)
        return candidates

    def _owner_weight(self, question: str | None) -> float:
        """An owner's role weight for this question (module docstring)."""
        if question and _AUTHOR_INTENT.search(question):
            return AUTHOR_INTENT_OWNER_WEIGHT
        if question and _OWNER_INTENT.search(question):
            return self.settings.owner_intent_weight
        return self.settings.owner_weight

    def _evidence_weight(self, ev: _Evidence, now: datetime, owner_weight: float) -> float:
        """relevance × role × recency × superseded factor (see the module docstring)."""
        passage = ev.passage
        relevance = 1 / (1 + ev.rank / RANK_SCALE)
        pid = ev.person_id
        role = 0.0
        if pid in passage.author_ids:
            role = 1 / (1 + AUTHOR_DECAY * passage.author_ids.index(pid))
        if pid in passage.owner_ids:
            role = max(role, owner_weight)
        half_life = self.settings.recency_half_life_days
        if passage.updated is None:
            age_days = half_life
        else:
            age_days = max(0.0, (now - as_utc(passage.updated)).total_seconds() / 86400)
        recency = RECENCY_FLOOR + (1 - RECENCY_FLOOR) * 0.5 ** (age_days / half_life)
        superseded = SUPERSEDED_WEIGHT if passage.superseded_by else 1.0
        return relevance * role * recency * superseded

    def _expert(self, person: Person, score: float, cand: _Candidate, now: datetime) -> Expert:
        ordered = sorted(cand.evidence.values(), key=lambda e: (-e.weight, e.rank))
        documents = [
            ExpertDocument(
                document_id=e.passage.document_id,
                title=e.passage.title,
                url=e.passage.url,
                role=e.role,
                updated=e.passage.updated,
            )
            for e in ordered
        ]
        local_time, working = presence(
            person.timezone, now, self.settings.work_start, self.settings.work_end
        )
        return Expert(
            person=person,
            score=round(score, 4),
            documents=documents,
            local_time=local_time,
            working_hours=working,
            why=why(ordered),
            topics=topics(ordered),
        )


def _team(team: str, score: float) -> Expert:
    """A team named for content the caller cannot open (module docstring)."""
    return Expert(
        person=Person(id=f"{TEAM_ID_PREFIX}{team}", name=f"{team} team", team=team),
        score=round(score, 4),
        why=f"The {team} team has content about this that you cannot open",
    )


def presence(
    timezone: str | None, now: datetime, work_start: int, work_end: int
) -> tuple[str | None, bool | None]:
    """Local time as "HH:MM (Zone/Name)" and whether it is Mon–Fri working hours there."""
    if not timezone:
        return None, None
    try:
        local = as_utc(now).astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone", extra={"timezone": timezone})
        return None, None
    minutes = local.hour * 60 + local.minute
    working = local.weekday() < 5 and work_start * 60 <= minutes < work_end * 60
    return f"{local:%H:%M} ({timezone})", working


def topics(evidence: list[_Evidence]) -> list[str]:
    """The tags that recur in a person's evidence, weighted by it (strongest first)."""
    weights: dict[str, float] = {}
    for ev in evidence:
        for tag in dict.fromkeys(ev.passage.tags):
            weights[tag] = weights.get(tag, 0.0) + ev.weight
    return sorted(weights, key=lambda t: (-weights[t], t))[:MAX_TOPICS]


def why(evidence: list[_Evidence]) -> str:
    """A short sentence: "Wrote 'A' and 'B'; owns 'C'"."""
    parts = []
    for role, verb in (("author", "Wrote"), ("owner", "owns")):
        titles = [_title(e.passage) for e in evidence if e.role == role]
        if titles:
            parts.append(f"{verb} {_join(titles)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _title(passage: Passage) -> str:
    suffix = " (superseded)" if passage.superseded_by else ""
    return f"'{passage.title}'{suffix}"


def _join(titles: list[str]) -> str:
    """'A'; 'A' and 'B'; 'A', 'B' and 'C'; 'A', 'B', 'C' and 2 more."""
    if len(titles) > MAX_TITLES:
        return f"{', '.join(titles[:MAX_TITLES])} and {len(titles) - MAX_TITLES} more"
    if len(titles) == 1:
        return titles[0]
    return f"{', '.join(titles[:-1])} and {titles[-1]}"
