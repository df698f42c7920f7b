"""ExpertFinder on a real SQLite people directory, with fixed clocks in several time zones."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.config import ExpertsSettings
from core.db import PeopleStore
from core.experts import HIDDEN_TEAMS, ExpertFinder, presence
from core.schema import Expert, Passage, Person, SourceKind
from tests.core import corpus

# Wednesday 4 June 2025, 13:05 UTC: 14:05 in London (BST), 09:05 in New York (EDT),
# 22:05 in Tokyo, 15:05 in Berlin, 23:05 in Sydney.
NOW = datetime(2025, 6, 4, 13, 5, tzinfo=UTC)
SATURDAY = datetime(2025, 6, 7, 13, 5, tzinfo=UTC)
FRANK = next(p for p in corpus.resolve_people() if not p.in_directory)


@pytest.fixture
def people(tmp_path: Path) -> Iterator[PeopleStore]:
    db, store = corpus.open_people(tmp_path)
    yield store
    db.dispose()


@pytest.fixture
def finder(people: PeopleStore) -> ExpertFinder:
    return ExpertFinder(people, ExpertsSettings())


def passage(
    doc: str,
    authors: Sequence[str] = (),
    owners: Sequence[str] = (),
    *,
    age_days: float = 30,
    superseded_by: str | None = None,
    position: int = 0,
    tags: Sequence[str] = (),
) -> Passage:
    """A retrieved passage of document `doc` (titled the same), updated `age_days` before NOW."""
    return Passage(
        chunk_id=f"{doc}-{position}",
        document_id=doc,
        title=doc,
        kind=SourceKind.WIKI,
        source="wiki",
        url=f"https://wiki.example.com/{doc.replace(' ', '-')}",
        text="Some text.",
        start=0,
        end=10,
        author_ids=list(authors),
        owner_ids=list(owners),
        updated=NOW - timedelta(days=age_days),
        superseded_by=superseded_by,
        tags=list(tags),
    )


def ids(experts: list[Expert]) -> list[str]:
    return [e.person.id for e in experts]


def test_more_documents_rank_first(people: PeopleStore) -> None:
    # Without the specificity factor (below), two documents outweigh one ranked above them.
    finder = ExpertFinder(people, ExpertsSettings(specificity_power=0.0))
    ranked = finder.rank(
        [passage("Policy", ["bob"]), passage("FAQ", ["alice"]), passage("Guide", ["alice"])],
        now=NOW,
    )
    assert ids(ranked) == ["alice", "bob"]


def test_more_relevant_evidence_ranks_first(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("A", ["erin"]), passage("B", ["bob"])], now=NOW)
    assert ids(ranked) == ["erin", "bob"]
    assert ranked[0].score > ranked[1].score


def test_more_recent_evidence_ranks_first(finder: ExpertFinder) -> None:
    ranked = finder.rank(
        [passage("Old", ["bob"], age_days=4 * 365), passage("New", ["erin"], age_days=7)],
        now=NOW,
    )
    assert ids(ranked) == ["erin", "bob"]


def test_superseded_documents_count_less(finder: ExpertFinder) -> None:
    ranked = finder.rank(
        [passage("Policy 2023", ["bob"], superseded_by="Policy 2025"), passage("FAQ", ["alice"])],
        now=NOW,
    )
    assert ids(ranked) == ["alice", "bob"]
    assert ranked[1].why == "Wrote 'Policy 2023' (superseded)"


def test_authors_rank_above_owners(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("Handbook", ["bob"], ["carol"])], now=NOW)
    assert ids(ranked) == ["bob", "carol"]
    assert [d.role for d in ranked[1].documents] == ["owner"]
    assert ranked[1].score == pytest.approx(
        ranked[0].score * ExpertsSettings().owner_weight, abs=1e-3
    )


def test_first_author_counts_most(finder: ExpertFinder) -> None:
    assert ids(finder.rank([passage("Paper", ["grace", "erin", "bob"])], now=NOW)) == [
        "grace",
        "erin",
        "bob",
    ]


def test_people_outside_the_directory_come_after_everyone_in_it(finder: ExpertFinder) -> None:
    # Frank owns two of the documents, Grace one: more evidence, still after her.
    passages = [passage("Offsite notes", owners=[FRANK.id]), passage("Agenda", owners=[FRANK.id])]
    ranked = finder.rank([*passages, passage("Minutes", owners=["grace"])], now=NOW)
    assert ids(ranked) == ["grace", FRANK.id]
    assert ranked[1].person.in_directory is False
    assert ranked[1].person.name == "Frank Ude"
    assert ranked[1].score > ranked[0].score


def test_ids_from_ingestion_map_to_directory_people(finder: ExpertFinder) -> None:
    # The corpus names Alice by an alias ("A. Martin", "amartin") and Carol by email;
    # ingestion's resolver turned them into directory ids.
    corpus.resolve_people()
    evidence = corpus.EXPENSES_2025
    author_ids = [str(c.person_id) for c in evidence.authors]
    owner_ids = [str(c.person_id) for c in evidence.owners]
    assert author_ids == ["alice"] and owner_ids == ["carol"]
    ranked = finder.rank([passage(evidence.title, author_ids, owner_ids)], now=NOW)
    alice = ranked[0].person
    assert (alice.name, alice.team, alice.title) == ("Alice Martin", "Finance", "Finance lead")
    assert (alice.email, alice.chat, alice.timezone) == (
        "alice@example.com",
        "@alice",
        "Europe/London",
    )


def test_expert_lists_documents_and_explains_why(finder: ExpertFinder) -> None:
    ranked = finder.rank(
        [
            passage("Expense policy 2025", ["alice"], age_days=10),
            passage("Expense policy 2025", ["alice"], age_days=10, position=1),
            passage("Travel FAQ", ["alice"], age_days=200),
            passage("Finance handbook", ["bob"], ["alice"]),
        ],
        now=NOW,
    )
    alice = ranked[0]
    assert alice.person.id == "alice"
    assert alice.why == "Wrote 'Expense policy 2025' and 'Travel FAQ'; owns 'Finance handbook'"
    assert [(d.title, d.role) for d in alice.documents] == [
        ("Expense policy 2025", "author"),
        ("Travel FAQ", "author"),
        ("Finance handbook", "owner"),
    ]
    assert alice.documents[0].url == "https://wiki.example.com/Expense-policy-2025"
    assert alice.documents[0].updated == NOW - timedelta(days=10)


def test_topics_are_the_tags_of_the_strongest_evidence(finder: ExpertFinder) -> None:
    ranked = finder.rank(
        [
            passage("On-call rota", ["alice"], tags=["on-call", "lms"]),
            passage("Incident guide", ["alice"], tags=["on-call", "incidents"]),
            passage("Release checklist", ["alice"], tags=["releases"], age_days=900),
            passage("Quiz rules", ["alice"], tags=["quiz"], age_days=2000),
        ],
        now=NOW,
    )
    assert ranked[0].topics == ["on-call", "lms", "incidents"]


def test_why_shortens_long_lists(finder: ExpertFinder) -> None:
    docs = [passage(f"Doc {i}", ["bob"]) for i in range(5)]
    assert finder.rank(docs, now=NOW)[0].why == "Wrote 'Doc 0', 'Doc 1', 'Doc 2' and 2 more"


def test_local_time_and_working_hours_on_a_wednesday(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("Doc", ["alice", "bob", "carol", "dave", "erin"])], now=NOW)
    seen = {e.person.id: (e.local_time, e.working_hours) for e in ranked}
    assert seen == {
        "alice": ("14:05 (Europe/London)", True),
        "bob": ("09:05 (America/New_York)", True),
        "carol": ("22:05 (Asia/Tokyo)", False),
        "dave": ("15:05 (Europe/Berlin)", True),
        "erin": ("23:05 (Australia/Sydney)", False),
    }


def test_weekends_are_not_working_hours(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("Doc", ["alice"])], now=SATURDAY)
    assert (ranked[0].local_time, ranked[0].working_hours) == ("14:05 (Europe/London)", False)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of June 2025 in UTC (the 2nd is a Monday)."""
    return datetime(2025, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "now", "expected"),
    [
        (None, NOW, (None, None)),
        ("Mars/Olympus_Mons", NOW, (None, None)),
        ("Europe/London", datetime(2025, 6, 4, 8, 0), ("09:00 (Europe/London)", True)),  # naive
        ("Europe/London", utc(4, 7, 59), ("08:59 (Europe/London)", False)),
        ("Europe/London", utc(4, 16), ("17:00 (Europe/London)", False)),
        ("Asia/Kolkata", utc(2, 3, 30), ("09:00 (Asia/Kolkata)", True)),
        ("Pacific/Auckland", utc(6, 23), ("11:00 (Pacific/Auckland)", False)),  # Saturday there
    ],
)
def test_presence(
    timezone: str | None, now: datetime, expected: tuple[str | None, bool | None]
) -> None:
    assert presence(timezone, now, 9, 17) == expected


def test_unknown_time_zone_in_directory_gives_none(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("Doc", ["grace"])], now=NOW)
    assert (ranked[0].local_time, ranked[0].working_hours) == (None, None)


def test_at_most_max_people(people: PeopleStore) -> None:
    finder = ExpertFinder(people, ExpertsSettings(max_people=2))
    ranked = finder.rank([passage("Doc", ["alice", "bob", "carol"])], now=NOW)
    assert ids(ranked) == ["alice", "bob"]


def test_endorsements_multiply_the_score(finder: ExpertFinder) -> None:
    passages = [passage("A", ["erin"]), passage("B", ["bob"])]
    plain = finder.rank(passages, now=NOW)
    endorsed = finder.rank(passages, now=NOW, endorsements={"bob": 3.0})
    assert ids(endorsed) == ["bob", "erin"]
    assert endorsed[0].score == pytest.approx(plain[1].score * 3.0, abs=1e-3)


def test_only_the_given_passages_are_evidence(finder: ExpertFinder) -> None:
    # Dave wrote the restricted runbook; without its passages he is not suggested.
    assert finder.rank([], now=NOW) == []
    assert "dave" not in ids(finder.rank([passage("FAQ", ["alice"])], now=NOW))


def test_ids_missing_from_the_store_still_appear(finder: ExpertFinder) -> None:
    ranked = finder.rank([passage("Doc", ["alice"]), passage("Other", ["ghost-123"])], now=NOW)
    assert ids(ranked) == ["alice", "ghost-123"]
    assert ranked[1].person == Person(id="ghost-123", name="ghost-123", in_directory=False)


def test_dates_without_zone_are_utc(finder: ExpertFinder) -> None:
    naive = passage("Doc", ["alice"]).model_copy(update={"updated": datetime(2025, 6, 1)})
    assert finder.rank([naive], now=datetime(2025, 6, 4, 13, 5))[0].person.id == "alice"


def test_people_far_below_the_best_are_not_named(people: PeopleStore) -> None:
    passages = [passage("A", ["erin"]), passage("B", ["bob"], age_days=6 * 365)]
    # erin ~0.99; bob: relevance 2/3 x recency 0.3 + 0.7 / 64 ~ 0.21 of erin's
    finder = ExpertFinder(people, ExpertsSettings())
    assert ids(finder.rank(passages, now=NOW, confident_only=True)) == ["erin"]
    everyone = ExpertFinder(people, ExpertsSettings(min_relative_score=0.0))
    assert ids(everyone.rank(passages, now=NOW, confident_only=True)) == ["erin", "bob"]
    assert ids(finder.rank(passages, now=NOW)) == ["erin", "bob"]  # a routing chain: all


def test_owners_lead_for_ownership_questions_and_authors_for_authorship(
    finder: ExpertFinder,
) -> None:
    handbook = [passage("Handbook", ["bob"], ["carol"])]
    assert ids(finder.rank(handbook, now=NOW)) == ["bob", "carol"]  # a plain question
    owns = finder.rank(handbook, now=NOW, question="Who owns the handbook?")
    assert ids(owns) == ["carol", "bob"]
    assert owns[0].score == pytest.approx(
        owns[1].score * ExpertsSettings().owner_intent_weight, abs=1e-3
    )
    wrote = finder.rank(handbook, now=NOW, question="Who should I contact? Who wrote it?")
    assert ids(wrote) == ["bob", "carol"]


def test_specificity_lowers_people_on_most_of_the_retrieved_documents(
    people: PeopleStore,
) -> None:
    # Bob (a generalist) owns all four documents; Erin wrote only the best-matching one.
    passages = [passage("Runbook", ["erin"], ["bob"])] + [
        passage(f"Page {n}", owners=["bob"]) for n in range(3)
    ]
    plain = ExpertFinder(people, ExpertsSettings(specificity_power=0.0, min_relative_score=0.0))
    assert ids(plain.rank(passages, now=NOW))[0] == "bob"
    specific = ExpertFinder(people, ExpertsSettings(specificity_power=2.0))
    assert ids(specific.rank(passages, now=NOW))[0] == "erin"


def test_hidden_evidence_names_its_teams_but_no_person_or_document(
    finder: ExpertFinder,
) -> None:
    # Dave (Security) and Carol (People Ops) wrote what the caller cannot open; Bob (Finance).
    restricted = [passage("Salary bands 2026", ["carol"], ["dave"]), passage("Pay", ["bob"])]
    ranked = finder.rank([passage("FAQ", ["alice"])], now=NOW, hidden=restricted)
    assert ids(ranked)[:HIDDEN_TEAMS] == ["team:Security", "team:People Ops"][:HIDDEN_TEAMS]
    assert ids(ranked)[HIDDEN_TEAMS:] == ["alice"]
    assert ranked[0].person.name == "Security team" and ranked[0].documents == []
    assert ranked[0].why == "The Security team has content about this that you cannot open"
    text = " ".join(e.model_dump_json() for e in ranked)
    for secret in ("Salary", "Pay", "dave", "Dave", "carol", "Carol", "bob", "Bob"):
        assert secret not in text
    # a team someone named for visible evidence belongs to is not named again
    again = finder.rank([passage("FAQ", ["erin", "dave"])], now=NOW, hidden=restricted)
    assert "team:Security" not in ids(again) and ids(again)[0] == "team:People Ops"


@pytest.mark.parametrize("power", [ExpertsSettings().specificity_power, 1.0])
def test_specific_owner_of_the_best_document_beats_a_broad_owner_of_lower_ones(
    people: PeopleStore, power: float
) -> None:
    # Erin owns the best-matching page; Bob, a subsystem's owner, the next three.
    passages = [passage("Driver", owners=["erin"])] + [
        passage(f"Subsystem {n}", owners=["bob"]) for n in range(3)
    ]
    question = "Who maintains the driver?"
    plain = ExpertFinder(people, ExpertsSettings(specificity_power=0.0))
    assert ids(plain.rank(passages, now=NOW, question=question))[0] == "bob"
    specific = ExpertFinder(people, ExpertsSettings(specificity_power=power))
    assert ids(specific.rank(passages, now=NOW, question=question))[0] == "erin"
