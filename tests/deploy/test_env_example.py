""".env.example lists every setting (derived from the settings classes, so it cannot drift)."""

from __future__ import annotations

import re

import pytest

from core.config import ENV_PREFIX, Settings
from deploy.env_example import render, variables
from tests.deploy.stack import REPO
from ui.config import UISettings

LISTED = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
SHOWN = re.compile(r"^# (WATERCOOLER_[A-Z0-9_]+)=(.*)$", re.MULTILINE)
REGENERATE = "regenerate it: python deploy/env_example.py > .env.example"


def _listed() -> set[str]:
    return set(LISTED.findall((REPO / ".env.example").read_text(encoding="utf-8")))


def test_every_setting_is_listed() -> None:
    missing = [name for name in variables() if name not in _listed()]
    assert not missing, f".env.example lacks {missing}; {REGENERATE}"


def test_nothing_listed_is_a_stale_setting() -> None:
    stale = {n for n in _listed() if n.startswith("WATERCOOLER_")} - set(variables())
    assert not stale, f".env.example names settings that no longer exist: {stale}; {REGENERATE}"


def test_the_variables_come_from_every_section_and_the_ui() -> None:
    names = set(variables())
    assert f"{ENV_PREFIX}DATA_DIR" in names
    assert "WATERCOOLER_INDEX__QUANTIZATION" in names
    assert {f"WATERCOOLER_UI__{f.upper()}" for f in UISettings.model_fields} <= names
    sections = [n for n, f in Settings.model_fields.items() if f.annotation is not None]
    for section in sections:
        assert any(n.startswith(f"{ENV_PREFIX}{section.upper()}") for n in names), section


def test_the_defaults_shown_are_the_current_defaults() -> None:
    # Descriptions may lag behind; a wrong default would mislead whoever uncomments it.
    shown = dict(SHOWN.findall((REPO / ".env.example").read_text(encoding="utf-8")))
    current = dict(SHOWN.findall(render()))
    wrong = {k: (v, current[k]) for k, v in shown.items() if k in current and current[k] != v}
    assert not wrong, f"(shown, current): {wrong}; {REGENERATE}"


def test_the_defaults_shown_are_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    # Uncommenting every default line must give valid settings, equal to no line at all.
    for line in render().splitlines():
        match = re.match(r"^# (WATERCOOLER_(?!UI__)[A-Z0-9_]+)=(.+)$", line)
        if match:
            monkeypatch.setenv(match.group(1), match.group(2))
    assert Settings(_env_file=None) == Settings.model_validate({})  # type: ignore[call-arg]
