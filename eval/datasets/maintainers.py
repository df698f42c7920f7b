"""The Linux kernel's MAINTAINERS file, and a CODEOWNERS-style owners file made from it.

An entry is a block of lines: a title line, then `X:<tab>value` fields, of which two are read:
`M:` a maintainer ("Full Name <email>", the name optionally quoted, or a bare address) and `F:`
a file pattern (a trailing '/' means everything under a folder; `dir/*` a folder's own files;
a pattern naming a folder without the '/' means the folder too, as get_maintainer.pl reads it).

`owners_rules` keeps the entries' patterns under one prefix (Documentation/) that name at least
one maintainer, one rule per distinct pattern (the maintainers of every entry that lists it,
in file order), ordered broad → specific so that "last matching line wins" (ingest/owners.py)
gives each file its most specific entry's maintainers while a whole subsystem's maintainers own
the rest of their tree. `X:` exclusions have no CODEOWNERS form and are not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

_FIELD = re.compile(r"^([A-Z]):\s*(.*?)\s*$")
_NAMED = re.compile(r'^"?(?P<name>[^"<]*?)"?\s*<(?P<email>[^<>\s]+@[^<>\s]+)>')
_BARE = re.compile(r"^<?(?P<email>[^<>\s]+@[^<>\s]+?)>?$")


@dataclass(frozen=True)
class Maintainer:
    """One `M:` line: a name (the address when the line gives none) and an email."""

    name: str
    email: str


@dataclass(frozen=True)
class Entry:
    """One MAINTAINERS entry: its title, maintainers and file patterns."""

    title: str
    maintainers: tuple[Maintainer, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """One line of the owners file: a pattern and its owners' emails."""

    pattern: str
    emails: tuple[str, ...]


def parse_maintainer(value: str) -> Maintainer | None:
    """A maintainer from an `M:` value; None when it holds no email address."""
    if match := _NAMED.match(value):
        email = match["email"].lower()
        return Maintainer(" ".join(match["name"].split()) or email, email)
    if match := _BARE.match(value):
        return Maintainer(match["email"].lower(), match["email"].lower())
    return None


def parse_maintainers(text: str) -> list[Entry]:
    """The entries of a MAINTAINERS file (blocks with a title line and field lines)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        if len(lines) < 2 or _FIELD.match(lines[0]) or lines[0][:1].isspace():
            continue
        fields = [m.groups() for line in lines[1:] if (m := _FIELD.match(line))]
        if not fields:
            continue  # prose of the file's header
        people = (parse_maintainer(v) for k, v in fields if k == "M")
        entries.append(
            Entry(
                title=lines[0].strip(),
                maintainers=tuple(p for p in people if p is not None),
                files=tuple(v for k, v in fields if k == "F" and v),
            )
        )
    return entries


def specificity(pattern: str) -> tuple[int, int]:
    """How specific a pattern is: its number of path segments, then its literal characters."""
    segments = pattern.strip("/").split("/")
    literal = sum(len(s.replace("*", "").replace("?", "")) for s in segments)
    return len(segments) + (1 if pattern.endswith("/*") else 0), literal


def owners_rules(
    entries: Iterable[Entry], prefix: str, is_dir: Callable[[str], bool]
) -> list[Rule]:
    """Owners rules for the patterns under `prefix`, broad → specific (module docstring)."""
    owners: dict[str, dict[str, None]] = {}
    for entry in entries:
        if not entry.maintainers:
            continue
        for raw in entry.files:
            if not raw.startswith(prefix):
                continue
            pattern = raw if raw.endswith("/") or not is_dir(raw) else f"{raw}/"
            emails = owners.setdefault(pattern, {})
            emails.update(dict.fromkeys(m.email for m in entry.maintainers))
    ordered = sorted(owners, key=lambda p: (*specificity(p), p))
    return [Rule(p, tuple(owners[p])) for p in ordered]


def render_owners(rules: Iterable[Rule], header: str) -> str:
    """The owners file's text: a comment header, then `/pattern email...` per rule."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f"/{rule.pattern} {' '.join(rule.emails)}" for rule in rules]
    return "\n".join(lines) + "\n"


def directory(entries: Iterable[Entry]) -> dict[str, str]:
    """email → name of every maintainer (the first name a file gives an address)."""
    people: dict[str, str] = {}
    for entry in entries:
        for person in entry.maintainers:
            people.setdefault(person.email, person.name)
    return people
