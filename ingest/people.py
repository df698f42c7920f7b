"""The people directory, and resolving the names and emails sources give to people.

A directory is YAML (a list of mappings, or a mapping with a ``people`` list) or CSV with
the header ``name,email,team,title,timezone,chat,aliases`` (aliases separated by ';').
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from core.errors import ConfigError
from core.schema import Contributor, Person, person_id_for

logger = logging.getLogger(__name__)

_FIELDS = ("name", "email", "team", "title", "timezone", "chat", "aliases")


def load_people(path: Path) -> list[Person]:
    """Read and validate a people directory (YAML or CSV).

    Raises:
        ConfigError: the file is unreadable, or an entry lacks a name, has an unknown
            timezone or repeats another entry's email.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read people directory {path}: {exc}") from exc
    csv_file = path.suffix.lower() == ".csv"
    entries = _csv_entries(text) if csv_file else _yaml_entries(text, path)
    people: list[Person] = []
    emails: dict[str, str] = {}
    for where, entry in entries:
        person = _person(entry, f"{path}: {where}")
        if person.email:
            if person.email in emails:
                raise ConfigError(
                    f"{path}: {where}: email {person.email} already used by {emails[person.email]}"
                )
            emails[person.email] = person.name
        people.append(person)
    return people


def _csv_entries(text: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    entries = []
    for row in reader:
        entry = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        entry["aliases"] = [a.strip() for a in entry.get("aliases", "").split(";") if a.strip()]
        entries.append((f"line {reader.line_num}", entry))
    return entries


def _yaml_entries(text: str, path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("people")
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of people (or a 'people' list)")
    entries = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: entry {number}: expected a mapping, got {entry!r}")
        entries.append((f"entry {number}", entry))
    return entries


def _person(entry: dict[str, Any], where: str) -> Person:
    values: dict[str, Any] = {k: entry[k] for k in _FIELDS if entry.get(k) not in (None, "")}
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: missing name")
    values["name"] = name = " ".join(name.split())
    if isinstance(values.get("aliases"), str):
        values["aliases"] = [a.strip() for a in values["aliases"].split(";") if a.strip()]
    if isinstance(values.get("email"), str):
        values["email"] = values["email"].strip().lower()
    zone = values.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}: unknown timezone {zone!r} (use an IANA name)") from exc
    try:
        return Person(id=person_id_for(name, values.get("email")), **values)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def normalise(name: str) -> str:
    """A matching key: accents, case, '@' and extra whitespace removed."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().lstrip("@").split())


class PeopleResolver:
    """Maps contributors to people in the directory, inventing stable unknown people."""

    def __init__(self, people: list[Person]) -> None:
        self._by_email: dict[str, Person] = {}
        self._by_name: dict[str, Person | None] = {}  # None: ambiguous, never matched
        for person in people:
            if person.email:
                self._by_email[person.email.lower()] = person
            keys = {normalise(k) for k in [person.name, *person.aliases, person.chat or ""] if k}
            for key in keys - {""}:
                if key in self._by_name and self._by_name[key] is not person:
                    logger.warning("ambiguous name in people directory", extra={"alias": key})
                    self._by_name[key] = None
                else:
                    self._by_name[key] = person
        self._unknown: dict[str, Person] = {}

    @property
    def unknown(self) -> list[Person]:
        """People met in sources but not in the directory, in order of appearance."""
        return list(self._unknown.values())

    def resolve(self, contributor: Contributor) -> Person:
        """The person a contributor is (email first, then name/alias/chat); sets person_id."""
        person = self._match(contributor) or self._remember(contributor)
        contributor.person_id = person.id
        return person

    def _match(self, contributor: Contributor) -> Person | None:
        if contributor.email and (person := self._by_email.get(contributor.email.lower())):
            return person
        if contributor.name:
            return self._by_name.get(normalise(contributor.name))
        return None

    def _remember(self, contributor: Contributor) -> Person:
        email = contributor.email.lower() if contributor.email else None
        name = (contributor.name or "").strip() or (email.split("@")[0] if email else "unknown")
        person_id = person_id_for(name, email)
        if person_id in self._unknown:
            return self._unknown[person_id]
        person = Person(id=person_id, name=name, email=email, in_directory=False)
        self._unknown[person_id] = person
        if email:
            self._by_email[email] = person
        key = normalise(name) if contributor.name else ""
        if key and key not in self._by_name:
            self._by_name[key] = person
        logger.info("contributor not in people directory", extra={"person_id": person.id})
        return person
