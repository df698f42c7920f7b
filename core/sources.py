"""Sources files: which folders and exports an ingestion job reads, with whose access."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from core.errors import ConfigError
from core.schema import SourceKind


class SourceConfig(BaseModel):
    """One ingestion source in a sources file."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: SourceKind
    path: Path
    format: str | None = Field(
        None, description="wiki: mediawiki|markdown; blog: rss|atom|wxr; auto-detected if empty"
    )
    groups: list[str] = Field(default_factory=list)
    url_base: str | None = Field(None, description="prefix that turns a path into a link")
    # Excluded from dumps: the ingestion context hash reads the dump, and marking a source
    # optional changes nothing about how its files are ingested.
    optional: bool = Field(
        False, exclude=True, description="a missing path is skipped instead of refused"
    )
    allow_outside: bool = Field(
        False,
        exclude=True,
        description="the path may lie outside the sources file's folder or in a system folder",
    )
    follow_outside_links: bool = Field(
        False, description="follow links that lead outside the source's folder"
    )
    # Excluded from dumps: when a source is re-read changes nothing about what is ingested.
    sync_every: timedelta | None = Field(
        None,
        exclude=True,
        description="re-ingest on this interval (queue workers): '90s', '30m', '6h', '1d'",
    )
    # Excluded from dumps: how long a trainer's verification lasts changes nothing ingested.
    verification_days: int | None = Field(
        None, ge=1, le=3650, exclude=True, description="overrides moderation.verification_days"
    )

    @field_validator("sync_every", mode="before")
    @classmethod
    def _interval(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_interval(value)
        if isinstance(value, int | float) and value <= 0:
            raise ValueError("sync_every must be positive")
        return value

    @model_validator(mode="after")
    def _readable_kind(self) -> SourceConfig:
        if self.kind == SourceKind.ANSWER:
            raise ValueError("kind 'answer' is kept by the service (Ask an expert), not read")
        return self


class SourcesConfig(BaseModel):
    """A sources file: the people directory, the owners file and the sources."""

    people: Path | None = None
    owners: Path | None = None
    # Excluded from dumps: the training catalogue changes nothing about ingestion.
    training: Path | None = Field(
        None, exclude=True, description="the training catalogue (YAML or CSV) Insights reads"
    )
    sources: list[SourceConfig]

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesConfig:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate source names: {', '.join(dupes)}")
        return self


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> timedelta:
    """'90s', '30m', '6h' or '1d' as a timedelta (at least one second)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", text)
    if not match or int(match[1]) == 0:
        raise ValueError(f"{text!r} is not an interval like '90s', '30m', '6h' or '1d'")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def bundled_sources_file() -> Path:
    """The sources file of the sample content shipped with Watercooler."""
    return Path(__file__).resolve().parent.parent / "examples" / "sample" / "watercooler.yaml"


def load_sources(path: Path | None = None) -> SourcesConfig:
    """Read a sources YAML file; relative paths in it are relative to the file."""
    path = path or bundled_sources_file()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list")
    _check_keys(path, raw)
    try:
        config = SourcesConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    base = path.resolve().parent
    for source in config.sources:
        source.path = (base / source.path).resolve()
    if config.people:
        config.people = (base / config.people).resolve()
    if config.owners:
        config.owners = (base / config.owners).resolve()
    if config.training:
        config.training = (base / config.training).resolve()
    _check_paths(path, config)
    _check_roots(path, base, config)
    return config


def _check_keys(path: Path, raw: dict[Any, Any]) -> None:
    """Refuse unknown keys (a typo would otherwise drop a setting silently), naming the closest."""
    _refuse_unknown(path, "", raw, SourcesConfig.model_fields)
    sources = raw.get("sources")
    for position, source in enumerate(sources if isinstance(sources, list) else [], start=1):
        if isinstance(source, dict):
            label = source.get("name") or f"#{position}"
            _refuse_unknown(path, f"source '{label}': ", source, SourceConfig.model_fields)


def _refuse_unknown(path: Path, where: str, raw: dict[Any, Any], known: dict[str, Any]) -> None:
    for key in raw:
        if str(key) in known:
            continue
        close = difflib.get_close_matches(str(key), list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else f" (known: {', '.join(known)})"
        raise ConfigError(f"{path}: {where}unknown key '{key}'{hint}")


def _check_paths(path: Path, config: SourcesConfig) -> None:
    """Refuse a source, people or owners path that does not exist (unless optional)."""
    for source in config.sources:
        if not source.optional and not source.path.exists():
            raise ConfigError(
                f"{path}: source '{source.name}': path does not exist: {source.path} "
                "(add 'optional: true' to the source to skip it while it is missing)"
            )
    for key in ("people", "owners", "training"):
        extra = getattr(config, key)
        if extra is not None and not extra.exists():
            raise ConfigError(f"{path}: {key} file does not exist: {extra}")


# Folders of the operating system: never documents to share, often secrets.
_SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in (
        "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/root", "/run",
        "/sbin", "/sys", "/usr", "/var/lib", "/var/log", "/var/run",
    )
)  # fmt: skip


def _check_roots(path: Path, base: Path, config: SourcesConfig) -> None:
    """Refuse `/`, system folders and paths outside the sources file's folder (unless allowed)."""
    for source in config.sources:
        where = f"{path}: source '{source.name}': path {source.path}"
        if source.path == Path(source.path.anchor):
            raise ConfigError(f"{where} is the root of the file system; name a folder")
        if source.allow_outside:
            continue
        system = next((s for s in _SYSTEM_FOLDERS if source.path.is_relative_to(s)), None)
        if system is not None:
            raise ConfigError(
                f"{where} is inside the system folder {system} "
                "(add 'allow_outside: true' to the source if that is really meant)"
            )
        if not source.path.is_relative_to(base):
            raise ConfigError(
                f"{where} is outside the sources file's folder {base} "
                "(add 'allow_outside: true' to the source if that is really meant)"
            )
