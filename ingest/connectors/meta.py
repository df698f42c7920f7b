"""Document metadata as authors write it: front matter, sidecar YAML, dates and names.

Functions here raise ValueError with a human reason; connectors wrap it in SourceError. Except
for one rule: a date, author, owner or tag that cannot be read does not cost the document.
`meta_from_mapping` and `lenient_date` leave the value out and record a MetadataWarning
(field, value, reason) that travels with the document to the job's report. Access groups stay
strict: a document whose groups cannot be read must not become public.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml

from core.schema import Contributor, MetadataWarning

logger = logging.getLogger(__name__)

_NAME_EMAIL = re.compile(r"^\s*\"?(?P<name>[^<>\"]*?)\"?\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*$")
_EMAIL_NAME = re.compile(r"^\s*(?P<email>[^\s()]+@[^\s()]+)\s*\((?P<name>[^()]*)\)\s*$")
_EMAIL = re.compile(r"^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_MAX_SHOWN = 200  # characters of an unreadable value kept in the report


@dataclass
class DocMeta:
    """Metadata gathered for one document, from any mix of sources."""

    title: str | None = None
    url: str | None = None
    authors: list[Contributor] = field(default_factory=list)
    owners: list[Contributor] = field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    superseded_by: str | None = None
    warnings: list[MetadataWarning] = field(default_factory=list)

    def merged(self, other: DocMeta) -> DocMeta:
        """This metadata overridden by the fields `other` sets; tags and groups are unioned."""
        return DocMeta(
            title=other.title or self.title,
            url=other.url or self.url,
            authors=other.authors or self.authors,
            owners=other.owners or self.owners,
            created=other.created or self.created,
            updated=other.updated or self.updated,
            tags=[*self.tags, *other.tags],
            groups=[*self.groups, *other.groups],
            superseded_by=other.superseded_by or self.superseded_by,
            warnings=[*self.warnings, *other.warnings],
        )


def lenient_date(
    value: str,
    path: Path | None = None,
    *,
    name: str = "date",
    warnings: list[MetadataWarning] | None = None,
) -> datetime | None:
    """A date from a source's metadata; empty or unparseable values are None.

    An unparseable one is logged, and recorded in `warnings` (as field `name`) when given.
    """
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        if warnings is None:
            extra = {"value": value, **({"path": str(path)} if path else {})}
            logger.warning("ignoring unparseable date", extra=extra)
        else:
            warnings.append(metadata_warning(name, value, exc))
        return None


def metadata_warning(name: str, value: object, error: ValueError) -> MetadataWarning:
    """The warning for a metadata value left out: its field, the value as written, why."""
    shown = value if isinstance(value, str) else repr(value)
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return MetadataWarning(field=name, value=shown, reason=str(error))


def parse_date(value: object) -> datetime:
    """A timezone-aware datetime (UTC when no zone is given) from ISO 8601 or RFC 822."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"not a date (ISO 8601 or RFC 822 expected): {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_contributor(text: str, weight: float = 1.0) -> Contributor | None:
    """A contributor from 'Name <email>', 'email (Name)', an email or a name."""
    text = text.strip()
    if not text:
        return None
    if match := _NAME_EMAIL.match(text) or _EMAIL_NAME.match(text):
        name = match["name"].strip() or None
        return Contributor(name=name, email=match["email"].lower(), weight=weight)
    if _EMAIL.match(text):
        return Contributor(email=text.lower(), weight=weight)
    return Contributor(name=" ".join(text.split()), weight=weight)


def parse_contributors(value: object, *, share: bool) -> list[Contributor]:
    """Contributors from a string, a list of strings or a list of {name, email, weight}.

    With `share`, weights not given explicitly split 1.0 equally; otherwise each gets 1.0.
    """
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    default = 1.0 / len(items) if share and items else 1.0
    people = []
    for item in items:
        if isinstance(item, str):
            person = parse_contributor(item, default)
        elif isinstance(item, dict):
            person = _contributor_from_mapping(item, default)
        else:
            raise ValueError(f"cannot read a person from {item!r}")
        if person:
            people.append(person)
    return people


def _contributor_from_mapping(item: dict[str, Any], default: float) -> Contributor | None:
    name, email = item.get("name"), item.get("email")
    if not isinstance(name, str | None) or not isinstance(email, str | None):
        raise ValueError(f"a person's name and email must be text: {item!r}")
    weight = item.get("weight", default)
    if not isinstance(weight, int | float) or weight < 0:
        raise ValueError(f"a person's weight must be a non-negative number: {item!r}")
    if not (name or email):
        return None
    return Contributor(
        name=name.strip() if name else None,
        email=email.strip().lower() if email else None,
        weight=float(weight),
    )


def split_list(value: object) -> list[str]:
    """Tags or groups from a list or a comma/semicolon separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValueError(f"expected a list or a comma-separated string, got {value!r}")


def meta_from_mapping(data: dict[str, Any]) -> DocMeta:
    """DocMeta from front matter or a sidecar (title, author(s)/presenter, owners, dates...).

    Unreadable dates, people and tags are left out with a warning (see the module doc).
    """
    if not isinstance(data, dict):
        raise ValueError("metadata must be a mapping of field: value")
    for key in ("title", "url", "superseded_by"):
        if data.get(key) is not None and not isinstance(data[key], str | int | float):
            raise ValueError(f"field '{key}' must be text, got {data[key]!r}")
    warnings: list[MetadataWarning] = []

    def lenient(keys: tuple[str, ...], read: Any, empty: Any) -> Any:
        key = next((k for k in keys if data.get(k) is not None), None)
        if key is None:
            return empty
        try:
            return read(data[key])
        except ValueError as exc:
            warnings.append(metadata_warning(key, data[key], exc))
            return empty

    authors = lenient(
        ("authors", "author", "presenter"), lambda v: parse_contributors(v, share=True), []
    )
    owners = lenient(("owners", "owner"), lambda v: parse_contributors(v, share=False), [])
    dated = {key: lenient((key,), parse_date, None) for key in ("created", "updated", "date")}
    return DocMeta(
        title=_text(data.get("title")),
        url=_text(data.get("url")),
        authors=authors,
        owners=owners,
        created=dated["created"] or dated["date"],
        updated=dated["updated"] or dated["date"],
        tags=lenient(("tags", "keywords"), split_list, []),
        groups=split_list(data.get("groups")),
        superseded_by=_text(data.get("superseded_by")),
        warnings=warnings,
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (between '---' lines at the top) from the body."""
    if not re.match(r"---[ \t]*\r?\n", text):
        return {}, text
    first_newline = text.index("\n") + 1
    end = _FRONT_MATTER_END.search(text, first_newline)
    if end is None:
        raise ValueError("front matter starts with '---' but is never closed")
    raw = text[first_newline : end.start()]
    data = load_yaml(raw, line_offset=1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError("front matter must be a mapping of field: value")
    body_start = text.find("\n", end.end())
    return data, "" if body_start < 0 else text[body_start + 1 :]


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse YAML, turning errors into ValueError with the line number."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1 + line_offset}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"invalid YAML{where}: {problem}") from None


def find_sidecar(path: Path) -> Path | None:
    """The sidecar YAML of a file: '<name>.yaml' or '<stem>.yaml' (or .yml), if present."""
    for base in (path.name, path.stem):
        for suffix in (".yaml", ".yml"):
            candidate = path.with_name(base + suffix)
            if candidate != path and candidate.is_file():
                return candidate
    return None
