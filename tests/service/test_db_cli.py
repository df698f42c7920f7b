"""`python -m service db current|upgrade` on a database the schema-4 release made, and the
service and the ingest CLI refusing it before the upgrade (exit 2, the command named, no
traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.core.db.test_migrations import load_release


def _run(data_dir: Path, *args: str, app: str = "service") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATERCOOLER_")}
    env |= {"WATERCOOLER_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", app, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_db_commands_and_the_service_refusing_an_old_schema(tmp_path: Path) -> None:
    load_release(f"sqlite:///{tmp_path / 'watercooler.db'}")

    current = _run(tmp_path, "db", "current")
    assert current.returncode == 1
    assert "schema 4 (before Alembic), older than revision 0005" in current.stdout
    assert "python -m service db upgrade" in current.stdout

    serve = _run(tmp_path, "serve", "--port", "1")  # refused before it would listen
    assert serve.returncode == 2, serve.stderr
    assert "refused: database sqlite:///" in serve.stderr
    assert "back it up, then run `python -m service db upgrade`" in serve.stderr
    assert "Traceback" not in serve.stderr
    ingest = _run(tmp_path, "run", "--standalone", "--quiet", app="ingest")
    assert ingest.returncode == 2, ingest.stderr
    assert "python -m service db upgrade" in " ".join(ingest.stderr.split())
    assert "Traceback" not in ingest.stderr

    upgrade = _run(tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "upgraded from schema 4 (before Alembic) to revision 0005" in upgrade.stdout
    again = _run(tmp_path, "db", "upgrade")
    assert "already at revision 0005, nothing to do" in again.stdout

    current = _run(tmp_path, "db", "current")
    assert (current.returncode, current.stdout.split(": ", 1)[1].strip()) == (
        0,
        "revision 0005 (the newest)",
    )


def test_db_current_on_a_new_data_directory(tmp_path: Path) -> None:
    empty = _run(tmp_path / "new", "db", "current")
    assert empty.returncode == 0, empty.stderr
    assert "empty; revision 0005 is created when it is first opened" in empty.stdout
