"""The training catalogue: the organization's formal programs, from YAML or CSV.

YAML: a list of mappings (or a mapping with a `programs` list); CSV: a header row. Fields:
title and description (required), owner, audience, last_revised (YYYY-MM-DD). A program
without a required field, with an unknown field, a bad date or a title used before is refused
with a ConfigError that names the file and the line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from core.errors import ConfigError

REQUIRED = ("title", "description")
FIELDS = (*REQUIRED, "owner", "audience", "last_revised")


@dataclass(frozen=True)
class Program:
    """One training program."""

    title: str
    description: str
    owner: str | None = None
    audience: str | None = None
    last_revised: date | None = None
    line: int = 0

    @property
    def text(self) -> str:
        """What is matched to topics: the title and the description."""
        return f"{self.title}. {self.description}"


def load_catalogue(path: Path) -> list[Program]:
    """The programs of a catalogue file (module docstring)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read training catalogue {path}: {exc}") from exc
    rows = _csv_rows(path, text) if path.suffix.lower() == ".csv" else _yaml_rows(path, text)
    programs: list[Program] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        program = _program(path, line, row)
        key = program.title.casefold()
        if key in seen:
            raise ConfigError(
                f"{path}, line {line}: duplicate title {program.title!r} "
                f"(first on line {seen[key]})"
            )
        seen[key] = line
        programs.append(program)
    return programs


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return []
    rows = []
    for row in reader:
        extra = row.pop(None, None)
        if extra:
            raise ConfigError(f"{path}, line {reader.line_num}: more values than header columns")
        rows.append((reader.line_num, {k.strip(): v for k, v in row.items() if k}))
    return rows


def _yaml_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return []
    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        items = [v for k, v in node.value if k.value == "programs"]
        node = items[0] if items else None
        data = data.get("programs")
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise ConfigError(f"{path}: expected a list of programs (or a 'programs' list)")
    rows = []
    for item_node, item in zip(node.value, data, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict):
            raise ConfigError(f"{path}, line {line}: a program must be a mapping of fields")
        rows.append((line, item))
    return rows


def _program(path: Path, line: int, row: dict[str, object]) -> Program:
    where = f"{path}, line {line}"
    unknown = sorted(str(k) for k in row if str(k) not in FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(FIELDS)})")
    values = {k: (str(v).strip() if v is not None else "") for k, v in row.items()}
    missing = [f for f in REQUIRED if not values.get(f)]
    if missing:
        raise ConfigError(f"{where}: missing {' and '.join(missing)}")
    revised = row.get("last_revised")
    if isinstance(revised, date):
        last_revised: date | None = revised
    elif values.get("last_revised"):
        try:
            last_revised = date.fromisoformat(values["last_revised"])
        except ValueError as exc:
            raise ConfigError(
                f"{where}: last_revised {values['last_revised']!r} is not a date (YYYY-MM-DD)"
            ) from exc
    else:
        last_revised = None
    return Program(
        title=values["title"],
        description=values["description"],
        owner=values.get("owner") or None,
        audience=values.get("audience") or None,
        last_revised=last_revised,
        line=line,
    )
