"""Sources files: which folders and exports an ingestion job reads, with whose access."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

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


class SourcesConfig(BaseModel):
    """A sources file: the people directory, the owners file and the sources."""

    people: Path | None = None
    owners: Path | None = None
    sources: list[SourceConfig]

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesConfig:
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate source names: {', '.join(dupes)}")
        return self


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
    return config
