"""Ask-an-expert figures from hand-built request histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db.escalations import Escalation, EscalationEvent
from core.request_stats import NO_TEAM, by_team, tally
from core.schema import Person

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _request(*steps: tuple[int, str, str | None, str | None]) -> Escalation:
    history = [EscalationEvent(T0 + timedelta(hours=h), "x", a, p, d) for h, a, p, d in steps]
    return Escalation(
        id="r", question_id="q", question="?", asker_id="asker", asker_person_id="asker",
        groups=[], note=None, status="open", assignee_id=None, tried=[], created=T0,
        assigned=None, answered=None, answer=None, answered_by=None, document_id=None,
        context={}, history=history,
    )  # fmt: skip


def test_each_step_counts_for_the_person_who_took_it() -> None:
    declined_then_answered = _request(
        (0, "created", None, None),
        (0, "routed", "ana", None),
        (1, "declined", "ana", "not my area"),
        (1, "routed", "ben", None),
        (4, "answered", "ben", "doc"),
    )
    timed_out = _request(
        (0, "created", None, None),
        (0, "routed", "ben", None),
        (9, "reassigned", "cy", "no answer within 8 working h"),
        (11, "answered", "cy", "doc"),
    )
    figures = tally([declined_then_answered, timed_out])
    ana, ben, cy = figures["ana"], figures["ben"], figures["cy"]
    assert (ana.assigned, ana.declined, ana.answer_rate) == (1, 1, 0.0)
    assert ana.decline_reasons == {"not my area": 1}
    assert (ben.assigned, ben.answered, ben.reassigned_away, ben.answer_rate) == (2, 1, 1, 0.5)
    assert ben.median_hours == 3.0 and cy.median_hours == 2.0
    teams = by_team(figures, {"ana": Person(id="ana", name="Ana", team="Finance")})
    assert teams["Finance"].declined == 1
    assert teams[NO_TEAM].assigned == 3 and teams[NO_TEAM].answered == 2
