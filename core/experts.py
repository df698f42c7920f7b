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
            × NOT_IN_DIRECTORY_WEIGHT for people outside the directory (they still appear,
              but below directory people with equal evidence: they may have left or be hard
              to reach) × endorsements.get(person, 1.0) (trainer endorsement hook)
"""

from __future__ import annotations

import logging
import math
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
NOT_IN_DIRECTORY_WEIGHT = 0.8
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
    ) -> list[Expert]:
        """The people to contact about these passages (best first, experts.max_people)."""
        now = as_utc(now or datetime.now(UTC))
        candidates = self._candidates(passages)
        if not candidates:
            return []
        directory = self.lookup(list(candidates))
        scored: list[tuple[float, Person, _Candidate]] = []
        for pid, cand in candidates.items():
            person = directory[pid]
            for ev in cand.evidence.values():
                ev.weight = self._evidence_weight(ev, now)
            ordered = sorted(cand.evidence.values(), key=lambda e: -e.weight)
            score = sum(e.weight / math.sqrt(k + 1) for k, e in enumerate(ordered))
            if not person.in_directory:
                score *= NOT_IN_DIRECTORY_WEIGHT
            score *= (endorsements or {}).get(pid, 1.0)
            scored.append((score, person, cand))
        scored.sort(key=lambda s: (-s[0], not s[1].in_directory, s[1].name.casefold()))
        experts = [
            self._expert(person, score, cand, now)
            for score, person, cand in scored[: self.settings.max_people]
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

    def _evidence_weight(self, ev: _Evidence, now: datetime) -> float:
        """relevance × role × recency × superseded factor (see the module docstring)."""
        passage = ev.passage
        relevance = 1 / (1 + ev.rank / RANK_SCALE)
        pid = ev.person_id
        role = 0.0
        if pid in passage.author_ids:
            role = 1 / (1 + AUTHOR_DECAY * passage.author_ids.index(pid))
        if pid in passage.owner_ids:
            role = max(role, self.settings.owner_weight)
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
