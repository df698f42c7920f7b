"""The Ingestion page on a job that skipped files: a warning, not a plain success."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core.config import get_settings
from core.embedding import Embedder
from tests.ui.conftest import Service, _serve, app, no_exception, open_page
from tests.ui.test_admin_pages import _until

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "bad"
STRANGER = "Zebulon Quill"  # an author the (empty) people directory does not know


@pytest.fixture(scope="module")
def skipping_service(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[Service]:
    """A service whose only source holds two good files (one with a bad date) and two broken."""
    root = tmp_path_factory.mktemp("ui-skips")
    docs = root / "corpus" / "docs"
    docs.mkdir(parents=True)
    (docs / "printing.md").write_text(
        f"---\ntitle: Printing\nauthor: {STRANGER}\n---\n# Printing\n\nUse the third floor printer."
    )
    for name in ("empty.md", "binary.md", "bad-date.md"):  # the last is ingested, with a warning
        shutil.copy(BAD / name, docs / name)
    config = root / "corpus" / "sources.yaml"
    config.write_text(
        yaml.safe_dump({"sources": [{"name": "docs", "kind": "doc", "path": "docs"}]})
    )
    (root / "data").mkdir()
    settings = get_settings(data_dir=root / "data", ingest={"config": config})
    yield from _serve(settings, embedder)


def test_a_job_that_skipped_files_says_so_in_a_warning_colour(
    skipping_service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATERCOOLER_UI__SERVICE_URL", skipping_service.url)
    at = open_page(app(skipping_service.admin_key), "views/ingestion.py")
    no_exception(at)
    at.button(key="FormSubmitter:start-ingest-Start ingestion").click().run()
    page = _until(at, "succeeded with 2 files skipped")
    assert "✓" not in page and "color:#b45309" in page  # amber, not the green of a success
    assert any("2 files were skipped" in w.value for w in at.warning)
    assert any("1 metadata value was unreadable" in w.value for w in at.warning)
    assert any(
        f"people directory (kept without contact details): {STRANGER}" in i.value for i in at.info
    )
