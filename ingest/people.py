"""The people directory, and resolving the names and emails sources give to people.

A directory is YAML (a list of mappings, or a mapping with a ``people`` list) or CSV with
the header ``name,email,team,title,timezone,chat,aliases`` (aliases separated by ';').
An invalid entry is skipped and reported (or, strict, refuses the directory).
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from core.errors import ConfigError
from core.schema import Contributor, Person, person_id_for

logger = logging.getLogger(__name__)

_FIELDS = ("name", "email", "team", "title", "timezone", "chat", "aliases")


MAX_FIELD_CHARS = 10_000


@dataclass
class SkippedEntry:
    """An entry of the people directory left out, and why."""

    where: str
    reason: str


def load_people(path: Path) -> list[Person]:
    """Read a people directory, refusing it whole if any entry is invalid (see `read_people`)."""
    return read_people(path, strict=True)[0]


def read_people(
    path: Path, *, strict: bool = False, max_field_chars: int = MAX_FIELD_CHARS
) -> tuple[list[Person], list[SkippedEntry]]:
    """Read and validate a people directory (YAML or CSV): the people, and the entries skipped.

    An entry without a name, with an unknown timezone, a field over `max_field_chars`
    characters or another entry's email is skipped and returned with its reason; with
    `strict` it refuses the whole directory instead.

    Raises:
        ConfigError: the file is unreadable or not a directory of people, or (strict) an
            entry is invalid.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read people directory {path}: {exc}") from exc
    csv_file = path.suffix.lower() == ".csv"
    entries = _csv_entries(text, max_field_chars) if csv_file else _yaml_entries(text, path)
    people: list[Person] = []
    skipped: list[SkippedEntry] = []
    emails: dict[str, str] = {}
    for where, entry in entries:
        try:
            if isinstance(entry, str):  # the reader's own complaint about this row
                raise ConfigError(entry)
            person = _person(entry, max_field_chars)
            if person.email and person.email in emails:
                raise ConfigError(f"email {person.email} already used by {emails[person.email]}")
        except ConfigError as exc:
            if strict:
                raise ConfigError(f"{path}: {where}: {exc}") from exc
            skipped.append(SkippedEntry(where, str(exc)))
            logger.warning("people entry skipped", extra={"where": where, "why": str(exc)})
            continue
        if person.email:
            emails[person.email] = person.name
        people.append(person)
    return people, skipped


def _csv_entries(text: str, max_field_chars: int) -> list[tuple[str, dict[str, Any] | str]]:
    """Rows as entries; a row the reader refuses becomes its reason (a string)."""
    previous = csv.field_size_limit(max_field_chars)  # the limit is global to the csv module
    try:
        reader = csv.DictReader(io.StringIO(text))
        entries: list[tuple[str, dict[str, Any] | str]] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # the row is dropped; the reader goes on with the next
                reason = f"unreadable row: {exc} (ingest.people_max_field_chars)"
                entries.append((f"line {reader.line_num + 1}", reason))
                continue
            entry: dict[str, Any] = {
                k.strip().lower(): (v or "").strip()
                for k, v in row.items()
                if isinstance(k, str) and k and isinstance(v, str | None)
            }
            entry["aliases"] = [a.strip() for a in entry.get("aliases", "").split(";") if a.strip()]
            entries.append((f"line {reader.line_num}", entry))
        return entries
    finally:
        csv.field_size_limit(previous)


def _yaml_entries(text: str, path: Path) -> list[tuple[str, dict[str, Any] | str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("people")
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of people (or a 'people' list)")
    entries: list[tuple[str, dict[str, Any] | str]] = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            entries.append((f"entry {number}", f"expected a mapping, got {str(entry)[:80]!r}"))
        else:
            entries.append((f"entry {number}", entry))
    return entries


def _person(entry: dict[str, Any], max_field_chars: int) -> Person:
    values: dict[str, Any] = {k: entry[k] for k in _FIELDS if entry.get(k) not in (None, "")}
    for key, value in values.items():
        if len(str(value)) > max_field_chars:
            raise ConfigError(f"field '{key}' is longer than {max_field_chars} characters")
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("missing name")
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
            raise ConfigError(f"unknown timezone {zone!r} (use an IANA name)") from exc
    try:
        return Person(id=person_id_for(name, values.get("email")), **values)
    except ValidationError as exc:
        raise ConfigError(str(exc)) from exc


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
        self._by_handle: dict[str, str | None] = {}  # handle → unknown person id (None: ambiguous)

    @property
    def unknown(self) -> list[Person]:
        """People met in sources but not in the directory, in order of appearance."""
        return list(self._unknown.values())

    def resolve(self, contributor: Contributor) -> Person:
        """The person a contributor is (email first, then name/alias/chat); sets person_id."""
        person = self._match(contributor) or self._remember(contributor)
        person = self._unknown.get(person.id, person)  # the latest of a merged unknown person
        if person.id in self._unknown and contributor.email and not person.email:
            person = self._merge(person, person.name, contributor.email.lower(), set())
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
        handles = _handles(name, email)
        same = {self._by_handle.get(h) for h in handles} - {None}
        known = self._unknown[str(next(iter(same)))] if len(same) == 1 else None
        if known and _compatible(known.name, name):  # "GHolloway", "Gareth Holloway": one
            return self._merge(known, name, email, handles)
        person = Person(id=person_id, name=name, email=email, in_directory=False)
        self._unknown[person_id] = person
        self._add_handles(handles, person_id)
        if email:
            self._by_email[email] = person
        key = normalise(name) if contributor.name else ""
        if key and key not in self._by_name:
            self._by_name[key] = person
        logger.info("contributor not in people directory", extra={"person_id": person.id})
        return person

    def _merge(self, known: Person, name: str, email: str | None, handles: set[str]) -> Person:
        """The unknown person `known` under one more spelling; the fuller name is shown."""
        updates: dict[str, Any] = {}
        if len(name.split()) > len(known.name.split()):
            updates["name"] = name
            updates["aliases"] = [*known.aliases, known.name]
        elif name != known.name:
            updates["aliases"] = [*known.aliases, name]
        if email and not known.email:
            updates["email"] = email
        merged = known.model_copy(update=updates)
        self._unknown[known.id] = merged
        if email:
            self._by_email.setdefault(email, merged)
        self._add_handles(handles, known.id)
        logger.info("unknown contributor spellings merged", extra={"person_id": known.id})
        return merged

    def _add_handles(self, handles: set[str], person_id: str) -> None:
        for handle in handles:
            if self._by_handle.setdefault(handle, person_id) not in (person_id, None):
                self._by_handle[handle] = None  # two people share it: never merge on it


def _handles(name: str, email: str | None) -> set[str]:
    """Compact spellings of a name: 'Gareth Holloway' → garethholloway, gholloway;
    'GHolloway' → gholloway; an email's local part 'gareth.holloway' → garethholloway."""
    words = ["".join(ch for ch in w if ch.isalpha()) for w in normalise(name).split()]
    words = [w for w in words if w]
    handles = {"".join(words)} if words else set()
    if len(words) >= 2:
        handles.add(words[0][0] + words[-1])
    if email:
        local = "".join(ch for ch in normalise(email.split("@")[0]) if ch.isalpha())
        handles.add(local)
    return {h for h in handles if len(h) >= 5}


def _compatible(a: str, b: str) -> bool:
    """Two spellings that may be one person: not two different full names."""
    return len(a.split()) < 2 or len(b.split()) < 2 or normalise(a) == normalise(b)
