"""Settings: one validated object, built by `get_settings()`, passed explicitly.

Environment variables use the prefix ``WATERCOOLER_`` and ``__`` for nesting, e.g.
``WATERCOOLER_INDEX__BACKEND=server`` or ``WATERCOOLER_EMBEDDING__DTYPE=bfloat16``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError
from core.schema import SourceKind

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class EmbeddingSettings(BaseModel):
    """Which sentence-transformers model embeds passages and queries, and how."""

    model: str = Field(
        DEFAULT_MODEL,
        description="'all-MiniLM-L6-v2' (packaged) or a path to a sentence-transformers model",
    )
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    device: str = Field("auto", description="'auto', 'cpu', 'cuda', 'cuda:1', ...")
    batch_size: int = Field(64, ge=1, le=4096)


class IndexSettings(BaseModel):
    """Where the vectors live: embedded Qdrant Edge or a Qdrant server."""

    backend: Literal["edge", "server"] = "edge"
    url: str | None = None
    api_key: SecretStr | None = None
    collection: str = "watercooler"
    timeout_s: float = Field(10.0, gt=0)

    @model_validator(mode="after")
    def _server_needs_url(self) -> IndexSettings:
        if self.backend == "server" and not self.url:
            raise ValueError("index.backend=server needs index.url (WATERCOOLER_INDEX__URL)")
        return self


class ChunkingSettings(BaseModel):
    """Chunk size and overlap, in tokens of the embedding model."""

    max_tokens: int = Field(200, ge=16, le=512)
    overlap_tokens: int = Field(32, ge=0, le=256)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> ChunkingSettings:
        if self.overlap_tokens >= self.max_tokens:
            raise ValueError("chunking.overlap_tokens must be smaller than chunking.max_tokens")
        return self


class DatabaseSettings(BaseModel):
    """Any SQLAlchemy URL; empty means a SQLite file under the data directory."""

    url: str | None = None


class IngestSettings(BaseModel):
    """Ingestion job defaults."""

    config: Path | None = Field(None, description="sources YAML; empty = bundled sample content")
    max_file_mb: float = Field(50.0, gt=0)


class Settings(BaseSettings):
    """Everything configurable in Watercooler."""

    model_config = SettingsConfigDict(
        env_prefix="WATERCOOLER_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Path("./data")
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    db: DatabaseSettings = DatabaseSettings()
    ingest: IngestSettings = IngestSettings()

    @property
    def database_url(self) -> str:
        """The configured database URL, or the embedded SQLite default."""
        return self.db.url or f"sqlite:///{(self.data_dir / 'watercooler.db').resolve()}"

    @property
    def index_path(self) -> Path:
        """Directory of the embedded Qdrant Edge shard."""
        return self.data_dir / "index"


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (and `.env`), with explicit overrides on top."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {exc}") from exc


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
