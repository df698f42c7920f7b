"""Ask an expert: who gets a question the content could not answer.

Candidates are the people-to-contact ranking for the question as the asker may see it
(core/experts.py, over the passages the asker can read), best first. `route` picks one:

    1. drop the asker, people already tried (declined, reassigned), people outside the
       directory, and people away (away_until later than now)
    2. load cap: keep those with fewer than escalation.load_cap open requests; only when nobody
       is under the cap do the others stay (an expert exceeds the cap only if nobody else can
       answer)
    3. whoever is within working hours now in their own time zone (Mon–Fri,
       experts.work_start–work_end), best ranked first
    4. otherwise whoever starts work next (the asker is shown when: "Aisha starts work in 3 h
       (Africa/Lagos)"); people without a known time zone come last, in ranking order

A request unanswered after escalation.response_target_hours of the assignee's working time
(`working_hours_between`, in their zone), or whose assignee left the directory, is reassigned
to the next candidate by the same rules (`overdue`).

A person the asker suggests gets the question whatever their load (`routing_for` only says
when they are at work); a decline or a missed response target then routes by the rules above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.clock import as_utc
from core.schema import Person

MAX_DAYS_AHEAD = 8  # a working day starts within a week whatever the zone


@dataclass(frozen=True)
class Candidate:
    """A person who could answer, with what routing needs to know about them now."""

    person: Person
    open_requests: int = 0
    away_until: datetime | None = None


@dataclass(frozen=True)
class Hours:
    """The local working day: Mon–Fri, start ≤ hour < end."""

    start: int = 9
    end: int = 17


@dataclass(frozen=True)
class Routing:
    """Who gets the question, and when they can be expected to see it."""

    person: Person
    at_work: bool
    starts_at: datetime | None  # the next start of their working day when not at work
    over_cap: bool = False

    def expected(self, now: datetime) -> str:
        """What the asker is told: "at work now" or "Aisha starts work in 3 h (Africa/Lagos)"."""
        first = self.person.name.split()[0] if self.person.name.strip() else self.person.id
        if self.at_work:
            return f"{first} is at work now ({self.person.timezone})"
        if self.starts_at is None:
            return f"{first}'s working hours are not known"
        hours = max(0.0, (self.starts_at - as_utc(now)).total_seconds() / 3600)
        when = f"{round(hours)} h" if hours >= 1 else f"{max(1, round(hours * 60))} min"
        return f"{first} starts work in {when} ({self.person.timezone})"


def local_now(timezone: str | None, now: datetime) -> datetime | None:
    """`now` in the person's zone, or None when the zone is unknown or invalid."""
    if not timezone:
        return None
    try:
        return as_utc(now).astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return None


def at_work(timezone: str | None, now: datetime, hours: Hours) -> bool:
    """Whether it is within working hours in that zone now."""
    local = local_now(timezone, now)
    if local is None:
        return False
    minutes = local.hour * 60 + local.minute
    return local.weekday() < 5 and hours.start * 60 <= minutes < hours.end * 60


def next_start(timezone: str | None, now: datetime, hours: Hours) -> datetime | None:
    """When the next working day starts in that zone (None for an unknown zone)."""
    local = local_now(timezone, now)
    if local is None:
        return None
    for days in range(MAX_DAYS_AHEAD):
        day = (local + timedelta(days=days)).date()
        start = datetime(day.year, day.month, day.day, hours.start, tzinfo=local.tzinfo)
        if day.weekday() < 5 and start > local:
            return as_utc(start).astimezone(as_utc(now).tzinfo)
    return None


def available(candidate: Candidate, now: datetime, excluded: set[str]) -> bool:
    """Step 1: not excluded, in the directory, not away."""
    person = candidate.person
    away = candidate.away_until is not None and as_utc(candidate.away_until) > as_utc(now)
    return person.id not in excluded and person.in_directory and not away


def route(
    candidates: Sequence[Candidate],
    now: datetime,
    *,
    hours: Hours,
    load_cap: int,
    excluded: set[str],
) -> Routing | None:
    """The best candidate by the rules of the module docstring, or None when nobody fits."""
    pool = [c for c in candidates if available(c, now, excluded)]
    if not pool:
        return None
    under = [c for c in pool if c.open_requests < load_cap]
    over_cap = not under
    pool = under or pool
    for c in pool:
        if at_work(c.person.timezone, now, hours):
            return Routing(c.person, True, None, over_cap)
    starts = [(next_start(c.person.timezone, now, hours), i) for i, c in enumerate(pool)]
    known = [(s, i) for s, i in starts if s is not None]
    start, index = min(known) if known else (None, 0)
    return Routing(pool[index].person, False, start, over_cap)


def routing_for(person: Person, now: datetime, hours: Hours) -> Routing:
    """The routing of a question to a chosen person (the asker's suggestion)."""
    if at_work(person.timezone, now, hours):
        return Routing(person, True, None)
    return Routing(person, False, next_start(person.timezone, now, hours))


def working_hours_between(
    timezone: str | None, start: datetime, end: datetime, hours: Hours
) -> float:
    """Working hours in that zone between two moments (wall-clock hours for an unknown zone)."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return 0.0
    local_start, local_end = local_now(timezone, start), local_now(timezone, end)
    if local_start is None or local_end is None:
        return (end - start).total_seconds() / 3600
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if day.weekday() < 5:
            open_ = datetime(day.year, day.month, day.day, hours.start, tzinfo=local_start.tzinfo)
            close = open_ + timedelta(hours=hours.end - hours.start)
            overlap = min(close, local_end) - max(open_, local_start)
            total += max(0.0, overlap.total_seconds() / 3600)
        day += timedelta(days=1)
    return total


def overdue(
    assignee: Person | None, assigned: datetime, now: datetime, hours: Hours, target_hours: float
) -> bool:
    """Whether a request must move on: its assignee left the directory, or let the target pass."""
    if assignee is None or not assignee.in_directory:
        return True
    return working_hours_between(assignee.timezone, assigned, now, hours) >= target_hours
