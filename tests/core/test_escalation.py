"""Routing of escalated questions, with time frozen across time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.escalation import (
    Candidate,
    Hours,
    Routing,
    at_work,
    next_start,
    overdue,
    route,
    routing_for,
    working_hours_between,
)
from core.schema import Person

HOURS = Hours(9, 17)
# Wednesday 3 Dec 2026, 14:00 UTC: 15:00 in Lagos, 09:00 in New York, 23:00 in Tokyo.
WED_1400 = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)

AISHA = Person(id="aisha", name="Aisha Bello", timezone="Africa/Lagos")
TOMAS = Person(id="tomas", name="Tomás Ferreira", timezone="America/New_York")
KENJI = Person(id="kenji", name="Kenji Sato", timezone="Asia/Tokyo")
NOZONE = Person(id="nozone", name="No Zone")
GONE = Person(id="gone", name="Left Company", timezone="Africa/Lagos", in_directory=False)


def _route(cands: list[Candidate], now: datetime = WED_1400, **kw: object) -> Routing | None:
    options: dict[str, object] = {"hours": HOURS, "load_cap": 2, "excluded": set()}
    options.update(kw)
    return route(cands, now, **options)  # type: ignore[arg-type]


def test_working_hours_follow_each_time_zone() -> None:
    assert at_work("Africa/Lagos", WED_1400, HOURS)
    assert at_work("America/New_York", WED_1400, HOURS)  # 09:00 exactly: the day has begun
    assert not at_work("Asia/Tokyo", WED_1400, HOURS)
    assert not at_work(None, WED_1400, HOURS)
    assert not at_work("Not/AZone", WED_1400, HOURS)
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert not at_work("Africa/Lagos", saturday, HOURS)


def test_next_start_skips_the_weekend() -> None:
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)  # 19:00 Friday in Lagos
    start = next_start("Africa/Lagos", friday_evening, HOURS)
    assert start == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 Lagos (UTC+1)
    assert next_start(None, friday_evening, HOURS) is None


def test_best_ranked_person_at_work_wins() -> None:
    got = _route([Candidate(KENJI), Candidate(AISHA), Candidate(TOMAS)])
    assert got is not None and got.person.id == "aisha" and got.at_work
    assert got.expected(WED_1400) == "Aisha is at work now (Africa/Lagos)"


def test_asker_and_people_already_tried_are_excluded() -> None:
    got = _route([Candidate(AISHA), Candidate(TOMAS)], excluded={"aisha"})
    assert got is not None and got.person.id == "tomas"
    assert _route([Candidate(AISHA)], excluded={"aisha"}) is None


def test_away_people_are_skipped_until_they_return() -> None:
    away = Candidate(AISHA, away_until=WED_1400 + timedelta(days=2))
    got = _route([away, Candidate(TOMAS)])
    assert got is not None and got.person.id == "tomas"
    back = Candidate(AISHA, away_until=WED_1400 - timedelta(minutes=1))
    got = _route([back, Candidate(TOMAS)])
    assert got is not None and got.person.id == "aisha"


def test_people_outside_the_directory_are_never_routed_to() -> None:
    got = _route([Candidate(GONE), Candidate(TOMAS)])
    assert got is not None and got.person.id == "tomas"


def test_load_cap_spreads_requests_and_is_exceeded_only_when_nobody_else_can() -> None:
    busy = Candidate(AISHA, open_requests=2)
    got = _route([busy, Candidate(TOMAS)])
    assert got is not None and got.person.id == "tomas" and not got.over_cap
    # Kenji is under the cap but asleep: still preferred to a busy person at work.
    got = _route([busy, Candidate(KENJI)])
    assert got is not None and got.person.id == "kenji" and not got.at_work
    got = _route([busy, Candidate(TOMAS, open_requests=5)])
    assert got is not None and got.person.id == "aisha" and got.over_cap


def test_nobody_at_work_gives_the_next_to_start_with_the_expected_time() -> None:
    late = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 20:00 Lagos, 14:00 NY, 04:00 Tokyo
    got = _route([Candidate(AISHA), Candidate(KENJI), Candidate(NOZONE)], now=late)
    # Kenji starts at 00:00 UTC (09:00 Tokyo), Aisha at 08:00 UTC.
    assert got is not None and got.person.id == "kenji" and not got.at_work
    assert got.starts_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert got.expected(late) == "Kenji starts work in 5 h (Asia/Tokyo)"


def test_only_unknown_zones_falls_back_to_the_ranking() -> None:
    got = _route([Candidate(NOZONE), Candidate(Person(id="b", name="B"))])
    assert got is not None and got.person.id == "nozone" and got.starts_at is None
    assert got.expected(WED_1400) == "No's working hours are not known"


def test_decline_routes_to_the_next_candidate() -> None:
    cands = [Candidate(AISHA), Candidate(TOMAS), Candidate(KENJI)]
    first = _route(cands)
    assert first is not None
    second = _route(cands, excluded={first.person.id})
    assert second is not None and second.person.id == "tomas"
    third = _route(cands, excluded={"aisha", "tomas"})
    assert third is not None and third.person.id == "kenji"


def test_a_suggested_person_is_told_apart_by_presence() -> None:
    assert routing_for(AISHA, WED_1400, HOURS).at_work
    asleep = routing_for(KENJI, WED_1400, HOURS)
    assert not asleep.at_work and asleep.starts_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)


def test_working_hours_count_only_the_working_day_in_the_persons_zone() -> None:
    # Friday 16:00 Lagos (15:00 UTC) to Monday 11:00 Lagos (10:00 UTC): 1 h + 2 h.
    friday, monday = (
        datetime(2026, 12, 4, 15, 0, tzinfo=UTC),
        datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
    )
    assert working_hours_between("Africa/Lagos", friday, monday, HOURS) == 3.0
    assert working_hours_between("Africa/Lagos", monday, friday, HOURS) == 0.0
    assert working_hours_between(None, friday, monday, HOURS) == 67.0  # wall clock


def test_timeout_and_leaving_the_directory_make_a_request_overdue() -> None:
    assigned = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # Friday 16:00 in Lagos
    monday_1030 = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 1 h + 1.5 h of work later
    assert not overdue(AISHA, assigned, monday_1030, HOURS, target_hours=3)
    assert overdue(AISHA, assigned, monday_1030 + timedelta(minutes=30), HOURS, target_hours=3)
    assert overdue(GONE, assigned, assigned, HOURS, target_hours=3)
    assert overdue(None, assigned, assigned, HOURS, target_hours=3)
