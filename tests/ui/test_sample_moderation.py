"""The sample content's moderation state (examples/tools/moderation.py) on a copy of the
ingested sample: every kind of state is there, and the queue shows what needs Priya."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from core.db import Database, ManifestStore, ModerationStore
from core.moderation import by_document
from core.review import build_queue
from examples.tools.moderation import TRAINER, main


def test_the_sample_moderation_shows_every_state(sample_data: Path, tmp_path: Path) -> None:
    copy = tmp_path / "watercooler.db"
    shutil.copy(sample_data / "watercooler.db", copy)
    url = f"sqlite:///{copy}"
    assert main(["--write", "--if-empty", "--db", url]) == 0
    assert main(["--write", "--if-empty", "--db", url]) == 0  # a second run adds nothing
    db = Database(url)
    try:
        store, manifest = ModerationStore(db), ManifestStore(db)
        entries = {e.id: e for e in manifest.list_documents(limit=1000)}
        states = store.all_states()
        assert len(states) == 5 and len(store.open_flags()) == 2
        now = datetime.now(UTC)
        by_title = {entries[s.document_id].title: s for s in states}
        days = {t: (s.expires_at - now).days for t, s in by_title.items() if s.expires_at}
        assert days == {
            "Expense and Travel Policy 2025": 41,
            "Quiz and assessment standards (2025)": 5,
            "Information Security Policy": -12,
        }
        outdated = by_title["Facilitator Onboarding 2023"]
        assert (
            entries[outdated.replaced_by or ""].title == "Facilitator onboarding programme (2025)"
        )
        queue = build_queue(
            entries.values(), by_document(states), {f.document_id: [f] for f in store.open_flags()},
            {}, {}, [TRAINER], now, 14,
        )  # fmt: skip
        assert {i.title for i in queue} == {
            "Quiz and assessment standards (2025)",
            "Information Security Policy",
            "Password manager (Vaultline) rules",
            "Campus LMS runbook",
        }
        assert {i.reviewer for i in queue} == {TRAINER}
    finally:
        db.dispose()
