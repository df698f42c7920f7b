"""CODEOWNERS-style owners files: which people own which paths.

Each line is ``pattern owner...``; owners are emails, chat handles, names (quote names with
spaces) or ``Name <email>``, separated by spaces or commas. Patterns match like .gitignore,
relative to the owners file's folder: a leading '/' anchors to it, a trailing '/' means
everything under a folder, '*' stays within one path segment, '**' crosses segments, a
pattern without a '/' matches at any depth. The last matching line wins. Matching never
backtracks (pathglob.py): a hostile pattern cannot stall a job.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError
from core.schema import Contributor
from ingest.connectors.meta import parse_contributor
from ingest.pathglob import PathGlob

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"^<?[^\s@<>]+@[^\s@<>]+>?$")


@dataclass(frozen=True)
class OwnersRule:
    """One line of an owners file."""

    line: int
    pattern: PathGlob
    owners: tuple[Contributor, ...]


class OwnersFile:
    """The rules of one owners file, matched against paths under its folder."""

    def __init__(self, base: Path, rules: list[OwnersRule]) -> None:
        self.base = base
        self.rules = rules

    @classmethod
    def load(cls, path: Path) -> OwnersFile:
        """Read an owners file.

        Raises:
            ConfigError: the file is unreadable, or a line has a pattern but no owners.
        """
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read owners file {path}: {exc}") from exc
        rules = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = re.sub(r"(^|\s)#.*$", "", raw).strip()
            if not line:
                continue
            try:
                pattern, *rest = shlex.split(line, posix=True)
            except ValueError as exc:
                raise ConfigError(f"{path}: line {number}: {exc}") from exc
            owners = _owners(rest)
            if not owners:
                raise ConfigError(f"{path}: line {number}: pattern '{pattern}' has no owners")
            rules.append(OwnersRule(number, PathGlob.compile(pattern), tuple(owners)))
        return cls(path.resolve().parent, rules)

    def owners_for(self, path: Path) -> list[Contributor]:
        """Owners of a file (absolute path); [] outside the folder or when nothing matches."""
        try:
            relative = path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return []
        for rule in reversed(self.rules):
            if rule.pattern.matches(relative):
                return [owner.model_copy() for owner in rule.owners]
        return []


def _owners(tokens: list[str]) -> list[Contributor]:
    """Owners from the tokens after the pattern; unquoted words before '<email>' name it."""
    owners: list[Contributor] = []
    words: list[str] = []

    def add(text: str) -> None:
        if person := parse_contributor(text):
            owners.append(person)

    for token in (part.strip() for raw in tokens for part in raw.split(",")):
        if not token:
            continue
        if token.startswith("<") and _EMAIL.match(token):
            add(f"{' '.join(words)} {token}")
            words = []
        elif _EMAIL.match(token) or token.startswith("@"):
            for word in words:
                add(word)
            words = []
            add(token)
        else:
            words.append(token)
    for word in words:
        add(word)
    return owners
