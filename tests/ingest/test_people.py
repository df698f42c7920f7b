"""The people directory (YAML, CSV) and resolving contributors to people."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.schema import Contributor, person_id_for
from ingest.people import PeopleResolver, load_people, read_people
from tests.ingest.connector_support import FIXTURES

PEOPLE = FIXTURES / "people"


@pytest.fixture
def resolver() -> PeopleResolver:
    return PeopleResolver(load_people(PEOPLE / "people.yaml"))


def test_load_yaml_directory() -> None:
    people = load_people(PEOPLE / "people.yaml")
    assert [p.name for p in people] == ["Priya Raman", "José Álvarez", "Sam Lee"]
    priya = people[0]
    assert priya.email == "priya.raman@acme.example"
    assert priya.id == person_id_for("Priya Raman", "priya.raman@acme.example")
    assert priya.id.startswith("priya-raman-")
    assert (priya.team, priya.title, priya.timezone, priya.chat) == (
        "Platform",
        "Staff Engineer",
        "Europe/London",
        "@priya",
    )
    assert priya.aliases == ["PRaman", "Priya R"]
    assert people[1].aliases == ["jalvarez"]
    assert people[2].email is None and people[2].id == person_id_for("Sam Lee", None)
    assert all(p.in_directory for p in people)


def test_load_csv_directory() -> None:
    people = load_people(PEOPLE / "people.csv")
    assert [(p.name, p.email, p.timezone) for p in people] == [
        ("Priya Raman", "priya.raman@acme.example", "Europe/London"),
        ("Ola Berg", "ola.berg@acme.example", "Europe/Oslo"),
    ]
    assert people[1].aliases == ["olab", "Ola B."]
    assert people[1].chat is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing-name.csv", r"missing-name.csv: line 3: missing name"),
        ("missing-name.yaml", r"missing-name.yaml: entry 2: missing name"),
        ("bad-timezone.yaml", r"entry 2: unknown timezone 'Mars/Olympus_Mons'"),
        ("duplicate-email.yaml", r"entry 2: email priya.raman@acme.example already used"),
    ],
)
def test_invalid_directories_raise_config_error(name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_people(PEOPLE / name)


@pytest.mark.parametrize(
    ("name", "where", "reason"),
    [
        ("missing-name.csv", "line 3", "missing name"),
        ("bad-timezone.yaml", "entry 2", "unknown timezone 'Mars/Olympus_Mons'"),
        ("duplicate-email.yaml", "entry 2", "email priya.raman@acme.example already used"),
    ],
)
def test_invalid_entries_are_skipped_and_reported(name: str, where: str, reason: str) -> None:
    people, skipped = read_people(PEOPLE / name)
    assert len(people) >= 1
    assert [s.where for s in skipped] == [where]
    assert reason in skipped[0].reason


def test_a_huge_csv_field_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    directory = tmp_path / "people.csv"
    directory.write_text(
        "name,email,team,title,timezone,chat,aliases\n"
        "Priya Raman,priya@acme.example,Platform,,Europe/London,,\n"
        f"Huge Field,huge@acme.example,{'x' * 20_000_000},,,,\n"
        "Mars Person,mars@acme.example,,,Mars/Olympus_Mons,,\n"
        "Ola Berg,ola@acme.example,,,Europe/Oslo,,\n"
    )
    people, skipped = read_people(directory, max_field_chars=1000)
    assert [p.name for p in people] == ["Priya Raman", "Ola Berg"]
    assert [(s.where, s.reason) for s in skipped] == [
        (
            "line 3",
            "unreadable row: field larger than field limit (1000) (ingest.people_max_field_chars)",
        ),
        ("line 4", "unknown timezone 'Mars/Olympus_Mons' (use an IANA name)"),
    ]
    with pytest.raises(ConfigError, match=r"line 3: unreadable row: field larger than field limit"):
        read_people(directory, strict=True, max_field_chars=1000)
    assert csv.field_size_limit() == 131072  # the csv module's global limit is put back


def test_a_huge_yaml_field_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "people.yaml"
    directory.write_text(f"- name: Priya Raman\n- name: Long\n  title: {'x' * 5000}\n- 42\n")
    people, skipped = read_people(directory, max_field_chars=1000)
    assert [p.name for p in people] == ["Priya Raman"]
    assert [(s.where, s.reason) for s in skipped] == [
        ("entry 2", "field 'title' is longer than 1000 characters"),
        ("entry 3", "expected a mapping, got '42'"),
    ]


def test_unreadable_or_wrongly_shaped_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read people directory"):
        load_people(tmp_path / "missing.yaml")
    shaped = tmp_path / "people.yaml"
    shaped.write_text("name: Just one mapping\n")
    with pytest.raises(ConfigError, match="expected a list of people"):
        load_people(shaped)


def test_resolve_by_email_case_insensitively(resolver: PeopleResolver) -> None:
    contributor = Contributor(name="Someone Else", email="PRIYA.RAMAN@ACME.EXAMPLE")
    person = resolver.resolve(contributor)
    assert person.name == "Priya Raman"
    assert contributor.person_id == person.id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PRaman", "Priya Raman"),  # alias
        ("  priya   raman ", "Priya Raman"),  # case and whitespace
        ("Jose Alvarez", "José Álvarez"),  # accents
        ("JALVAREZ", "José Álvarez"),
        ("samlee", "Sam Lee"),  # chat handle without '@'
        ("@samlee", "Sam Lee"),
        ("@priya", "Priya Raman"),
    ],
)
def test_resolve_by_name_alias_or_chat(resolver: PeopleResolver, name: str, expected: str) -> None:
    person = resolver.resolve(Contributor(name=name))
    assert person.name == expected
    assert person.in_directory


def test_unknown_contributors_become_stable_new_people(resolver: PeopleResolver) -> None:
    first = Contributor(name="Dana Lee", email="Dana.Lee@acme.example")
    person = resolver.resolve(first)
    assert not person.in_directory
    assert person.id == person_id_for("Dana Lee", "dana.lee@acme.example")
    assert first.person_id == person.id
    # the same person again, by email or by name, is the same unknown person
    assert resolver.resolve(Contributor(email="dana.lee@acme.example")).id == person.id
    assert resolver.resolve(Contributor(name="dana lee")).id == person.id
    only_email = resolver.resolve(Contributor(email="kim.ng@partner.example"))
    assert only_email.name == "kim.ng"
    assert [p.name for p in resolver.unknown] == ["Dana Lee", "kim.ng"]
    resolver.resolve(Contributor(name="Priya Raman"))
    assert len(resolver.unknown) == 2  # directory people are never 'unknown'


def test_spellings_of_one_unknown_person_are_merged(resolver: PeopleResolver) -> None:
    # a wiki user name, then a WordPress login with email, then the name in a PDF
    wiki = resolver.resolve(Contributor(name="GHolloway"))
    blog = resolver.resolve(
        Contributor(name="gholloway", email="gareth.holloway@brightpath.example")
    )
    pdf = resolver.resolve(Contributor(name="Gareth Holloway"))
    assert wiki.id == blog.id == pdf.id
    assert [p.name for p in resolver.unknown] == ["Gareth Holloway"]
    merged = resolver.unknown[0]
    assert merged.email == "gareth.holloway@brightpath.example"
    assert set(merged.aliases) >= {"GHolloway"} and not merged.in_directory
    # two different full names that share a handle stay two people
    resolver.resolve(Contributor(name="Jane Smith"))
    resolver.resolve(Contributor(name="John Smith"))
    assert len({p.id for p in resolver.unknown}) == 3


def test_ambiguous_names_are_not_matched() -> None:
    people = load_people(PEOPLE / "people.csv")
    people[1].aliases.append("Priya R")  # now two people answer to 'Priya R'
    resolver = PeopleResolver(people)
    assert not resolver.resolve(Contributor(name="Priya R")).in_directory
    assert resolver.resolve(Contributor(name="Priya Raman")).in_directory
