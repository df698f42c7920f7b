"""Writes `.env.example` from the settings themselves, so it lists every variable.

    python deploy/env_example.py > .env.example

First the variables docker-compose.yml reads (secrets to set; the app ignores them), then every
setting of core/config.py and ui/config.py, commented out at its default, under its section's
docstring and with its description. tests/deploy/test_env_example.py fails when a setting is
missing from the file, so a new setting cannot be forgotten.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from core.config import ENV_PREFIX, Settings
from ui.config import UISettings

COMPOSE = """\
# Watercooler's settings: copy to .env and adjust (never commit .env).
# Every WATERCOOLER_ setting has a default; the lines are commented out at it.
#
# --- docker-compose.yml: required secrets (generate each with `openssl rand -hex 24`;
# keep them URL-safe, as they go into connection URLs) ---
POSTGRES_PASSWORD=
QDRANT_API_KEY=
REDIS_PASSWORD=
# The folder with sources.yaml and the content it lists, mounted read-only at /sources
SOURCES_DIR=./sources
# --- docker-compose.yml: optional ---
# APP_IMAGE=watercooler:latest
# API_PORT=8000
# UI_PORT=8501
# API processes in the api container, and ingestion worker containers
# API_WORKERS=1
# WORKER_REPLICAS=1
# with `--profile gpu`: the CUDA worker's image and PyTorch wheel index
# APP_GPU_IMAGE=watercooler:gpu
# TORCH_VARIANT=cu128
# with `--profile proxy`: the public name, and an e-mail for Let's Encrypt or `internal`
# DOMAIN=localhost
# CADDY_TLS=internal
"""
# Example values shown beside a default where the default says little.
EXAMPLES = {
    "WATERCOOLER_INDEX__URL": "http://qdrant:6333",
    "WATERCOOLER_DB__URL": "postgresql+psycopg://watercooler:PASSWORD@postgres:5432/watercooler",
    "WATERCOOLER_INGEST__CONFIG": "/sources/sources.yaml",
    "WATERCOOLER_LLM__BASE_URL": "http://localhost:8080/v1",
    "WATERCOOLER_LLM__MODEL": "qwen2.5-7b-instruct",
    "WATERCOOLER_QUEUE__REDIS_URL": "redis://:PASSWORD@redis:6379/0",
}


def render() -> str:
    """The whole file."""
    lines = [COMPOSE]
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            lines.append(_section(f"{ENV_PREFIX}{name.upper()}__", section))
        else:
            lines.append(_line(f"{ENV_PREFIX}{name.upper()}", field))
    lines.append(_section("WATERCOOLER_UI__", UISettings, "The UI (ui/config.py)."))
    return "\n".join(lines)


def variables() -> list[str]:
    """Every variable a setting reads: sections' fields, top-level fields, the UI's."""
    names = []
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names += [f"{ENV_PREFIX}{name.upper()}__{sub.upper()}" for sub in section.model_fields]
        else:
            names.append(f"{ENV_PREFIX}{name.upper()}")
    return names + [f"WATERCOOLER_UI__{sub.upper()}" for sub in UISettings.model_fields]


def _section(prefix: str, model: type[BaseModel], title: str | None = None) -> str:
    doc = title or (model.__doc__ or "").strip().splitlines()[0]
    out = [f"# --- {doc} ---"]
    out += [_line(prefix + sub.upper(), f) for sub, f in model.model_fields.items()]
    return "\n".join(out)


def _line(variable: str, field: FieldInfo) -> str:
    note = f"# {field.description}\n" if field.description else ""
    if variable in EXAMPLES:
        note += f"# e.g. {EXAMPLES[variable]}\n"
    return f"{note}# {variable}={_value(field.get_default(call_default_factory=True))}"


def _value(default: Any) -> str:
    if default is None or isinstance(default, SecretStr):
        return ""
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, list | dict):
        return json.dumps(default)
    return str(default)


if __name__ == "__main__":
    sys.stdout.write(render() + "\n")
