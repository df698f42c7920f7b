"""How experts handle requests, per person and per team, from each request's history.

    assigned          requests routed or reassigned to the person (each step counts)
    answered          requests the person answered
    declined          requests the person declined (with the reasons given)
    reassigned_away   requests taken from the person after the response target or departure
    answer_rate       answered / assigned
    median_hours_to_answer   from the step that gave the person the request to their answer
                             (wall-clock hours)

A team's figures add up its members' (a person without a team counts under "—").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from core.db import Escalation
from core.schema import Person

NO_TEAM = "—"


@dataclass
class Tally:
    """One person's or team's figures."""

    assigned: int = 0
    answered: int = 0
    declined: int = 0
    reassigned_away: int = 0
    hours_to_answer: list[float] = field(default_factory=list)
    decline_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        """Add another tally's figures to this one."""
        self.assigned += other.assigned
        self.answered += other.answered
        self.declined += other.declined
        self.reassigned_away += other.reassigned_away
        self.hours_to_answer += other.hours_to_answer
        self.decline_reasons.update(other.decline_reasons)

    @property
    def answer_rate(self) -> float | None:
        """answered / assigned (None when nothing was assigned)."""
        return round(self.answered / self.assigned, 3) if self.assigned else None

    @property
    def median_hours(self) -> float | None:
        """Median hours from assignment to answer."""
        return round(median(self.hours_to_answer), 2) if self.hours_to_answer else None


def tally(requests: list[Escalation]) -> dict[str, Tally]:
    """Figures per person id, from the requests' histories."""
    people: dict[str, Tally] = defaultdict(Tally)
    for request in requests:
        holder: str | None = None
        since = request.created
        for step in request.history:
            if step.action in ("routed", "reassigned") and step.person_id:
                if step.action == "reassigned" and holder and holder != step.person_id:
                    people[holder].reassigned_away += 1
                holder, since = step.person_id, step.at
                people[holder].assigned += 1
            elif step.action == "declined" and step.person_id:
                people[step.person_id].declined += 1
                people[step.person_id].decline_reasons[step.detail or ""] += 1
                holder = None
            elif step.action == "answered" and step.person_id:
                people[step.person_id].answered += 1
                hours = (step.at - since).total_seconds() / 3600
                people[step.person_id].hours_to_answer.append(max(0.0, hours))
    return dict(people)


def by_team(per_person: dict[str, Tally], directory: dict[str, Person]) -> dict[str, Tally]:
    """Per-person figures added up per team."""
    teams: dict[str, Tally] = defaultdict(Tally)
    for person_id, figures in per_person.items():
        person = directory.get(person_id)
        teams[(person.team if person else None) or NO_TEAM].add(figures)
    return dict(teams)
