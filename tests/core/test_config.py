"""Settings from the environment, validation, and the sources file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.config import get_settings
from core.errors import ConfigError
from core.sources import bundled_sources_file, load_sources


def test_defaults_are_embedded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = get_settings()
    assert settings.index.backend == "edge"
    assert settings.embedding.model == "all-MiniLM-L6-v2"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("data/watercooler.db")


def test_env_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", "/tmp/wc")
    monkeypatch.setenv("WATERCOOLER_EMBEDDING__DTYPE", "bfloat16")
    monkeypatch.setenv("WATERCOOLER_CHUNKING__MAX_TOKENS", "128")
    monkeypatch.setenv("WATERCOOLER_DB__URL", "postgresql+psycopg://u@h/db")
    settings = get_settings()
    assert settings.data_dir == Path("/tmp/wc")
    assert settings.embedding.dtype == "bfloat16"
    assert settings.chunking.max_tokens == 128
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.index_path == Path("/tmp/wc/index")


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("WATERCOOLER_INDEX__BACKEND", "server", "needs index.url"),
        ("WATERCOOLER_CHUNKING__OVERLAP_TOKENS", "500", "overlap_tokens"),
        ("WATERCOOLER_EMBEDDING__DTYPE", "int3", "dtype"),
    ],
)
def test_invalid_settings_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, message: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_api_key_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATERCOOLER_INDEX__BACKEND", "server")
    monkeypatch.setenv("WATERCOOLER_INDEX__URL", "http://q:6333")
    monkeypatch.setenv("WATERCOOLER_INDEX__API_KEY", "s3cr3t")
    settings = get_settings()
    assert "s3cr3t" not in repr(settings)
    assert settings.index.api_key is not None
    assert settings.index.api_key.get_secret_value() == "s3cr3t"


def test_bundled_sources_resolve_relative_paths() -> None:
    config = load_sources()
    assert config.sources, "the sample content declares sources"
    for source in config.sources:
        assert source.path.is_absolute()
        assert source.path.exists(), source.path
    assert bundled_sources_file().parent in config.sources[0].path.parents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [{name: a, kind: wiki, path: x}, {name: a, kind: blog, path: y}]", "duplicate"),
        ("sources: [{name: a, kind: podcast, path: x}]", "kind"),
        ("- just a list", "expected a mapping"),
        ("sources: [", "cannot read"),
    ],
)
def test_bad_sources_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_sources(path)


def test_missing_sources_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("peeple: p.yaml\nsources: []", "unknown key 'peeple' (did you mean 'people'?)"),
        (
            "sources: [{name: w, kind: wiki, pth: .}]",
            "source 'w': unknown key 'pth' (did you mean 'path'?)",
        ),
        ("sources: [{name: w, kind: wiki, path: nowhere}]", "source 'w': path does not exist"),
        ("people: nobody.yaml\nsources: []", "people file does not exist"),
    ],
)
def test_typos_and_missing_paths_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert message in str(caught.value)


def test_an_optional_source_may_be_missing(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources: [{name: w, kind: wiki, path: later, optional: true}]")
    (source,) = load_sources(path).sources
    assert source.optional and not source.path.exists()
    assert "optional" not in source.model_dump()  # keeps the ingestion context hash stable


def test_an_unknown_variable_is_a_warning_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WATERCOOLER_EMBEDDING__DTYP", "bfloat16")
    monkeypatch.setenv("WATERCOOLER_DATA_DIR", "/tmp/wc")
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", "http://127.0.0.1:1")
    with caplog.at_level(logging.WARNING, logger="core.config"):
        get_settings()
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1, warned
    assert "WATERCOOLER_EMBEDDING__DTYP " in warned[0]
    assert "did you mean WATERCOOLER_EMBEDDING__DTYPE?" in warned[0]


def test_the_answer_settings_moved_from_llm_still_read_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("WATERCOOLER_LLM__GENERATOR", "extractive")
    monkeypatch.setenv("WATERCOOLER_LLM__MAX_PASSAGES", "3")
    with caplog.at_level(logging.WARNING, logger="core.config"):
        settings = get_settings()
    assert (settings.answer.generator, settings.answer.max_passages) == ("extractive", 3)
    warned = [r.getMessage() for r in caplog.records]
    assert any(
        "WATERCOOLER_LLM__MAX_PASSAGES" in m and "WATERCOOLER_ANSWER__MAX_PASSAGES" in m
        for m in warned
    )
    assert not any("is not a setting" in m for m in warned)
    monkeypatch.setenv("WATERCOOLER_ANSWER__MAX_PASSAGES", "5")  # the new name wins
    assert get_settings().answer.max_passages == 5
    assert get_settings(llm={"max_passages": 2}).answer.max_passages == 5
    monkeypatch.delenv("WATERCOOLER_ANSWER__MAX_PASSAGES")
    assert get_settings(llm={"max_passages": 2}).answer.max_passages == 2


def test_the_generator_named_in_answer_must_be_configured_in_llm() -> None:
    with pytest.raises(ConfigError, match=r"needs llm\.model"):
        get_settings(answer={"generator": "llm"})
    settings = get_settings(answer={"generator": "llm"}, llm={"model": "m", "base_url": "x"})
    assert settings.answer.generator == "llm"
