"""PeopleStore: upsert, lookup by id and email, search, teams, pagination."""

from __future__ import annotations

import pytest

from core.db import PeopleStore
from core.errors import NotFoundError
from core.schema import Person

DIRECTORY = [
    Person(
        id="zoe-1",
        name="Zoë Ångström",
        email="Zoe.Angstrom@Example.com",
        team="Platform",
        title="Staff Engineer",
        timezone="Europe/Stockholm",
        chat="@zoe",
        aliases=["ZA", "Élodie"],
    ),
    Person(id="bob-2", name="Bob Stone", email="bob@example.com", team="Data", title="Analyst"),
    Person(id="ann-3", name="Ann Lee", team="Platform", title="SRE", aliases=["100% uptime"]),
    Person(id="ext-4", name="Kim (contractor)", in_directory=False),
]


@pytest.fixture
def filled(people: PeopleStore) -> PeopleStore:
    assert people.upsert_many(DIRECTORY) == len(DIRECTORY)
    return people


def test_get_round_trips_every_field(filled: PeopleStore) -> None:
    assert filled.get("zoe-1") == DIRECTORY[0]
    assert filled.get("ext-4") == DIRECTORY[3]
    with pytest.raises(NotFoundError, match="nobody"):
        filled.get("nobody")


def test_upsert_replaces_by_id(filled: PeopleStore) -> None:
    moved = DIRECTORY[1].model_copy(update={"team": "Platform", "aliases": ["Bobby"]})
    assert filled.upsert_many([moved, Person(id="new-5", name="Neu")]) == 2
    assert filled.count() == 5
    assert filled.get("bob-2") == moved
    assert filled.upsert_many([]) == 0


def test_search_matches_alias_name_email_team_title_case_insensitively(
    filled: PeopleStore,
) -> None:
    def ids(query: str) -> list[str]:
        return [p.id for p in filled.list(query=query)]

    assert ids("élodie") == ["zoe-1"]
    assert ids("ÉLODIE") == ["zoe-1"]
    assert ids("ångström") == ["zoe-1"]
    assert ids("example.com") == ["bob-2", "zoe-1"]
    assert ids("platform") == ["ann-3", "zoe-1"]
    assert ids("analyst") == ["bob-2"]
    assert ids("platform sre") == ["ann-3"]  # every word must match
    assert ids("100%") == ["ann-3"]  # LIKE wildcards are matched literally
    assert ids("%") == ["ann-3"]
    assert ids("nobody") == []
    assert len(ids("  ")) == 4


def test_team_filter_teams_and_count(filled: PeopleStore) -> None:
    assert [p.id for p in filled.list(team="Platform")] == ["ann-3", "zoe-1"]
    assert [p.id for p in filled.list(query="zoë", team="Data")] == []
    assert filled.teams() == ["Data", "Platform"]
    assert filled.count() == 4
    assert filled.count(team="Platform") == 2
    assert filled.count(query="example") == 2


def test_list_paginates_by_name(filled: PeopleStore) -> None:
    names = [p.name for p in filled.list()]
    assert names == ["Ann Lee", "Bob Stone", "Kim (contractor)", "Zoë Ångström"]
    assert [p.name for p in filled.list(limit=2, offset=1)] == ["Bob Stone", "Kim (contractor)"]
    assert filled.list(offset=10) == []


def test_by_email_is_case_insensitive(filled: PeopleStore) -> None:
    found = filled.by_email(" zoe.angstrom@example.COM ")
    assert found is not None and found.id == "zoe-1"
    assert filled.by_email("nobody@example.com") is None


def test_get_many_in_one_query(filled: PeopleStore) -> None:
    found = filled.get_many(["bob-2", "zoe-1", "nobody", "bob-2"])
    assert found == {"bob-2": DIRECTORY[1], "zoe-1": DIRECTORY[0]}
    assert filled.get_many([]) == {}
