"""Moderation state facets and filters on /search and /ask, and the "sources disagree" reason:
an answer whose conflicting-figures check fires queues both documents, once per pair.

The app runs over its own copy of the test corpus (states set here stay here), with one more
page: an assessment FAQ that gives another pass mark than the 2025 standards.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.config import get_settings
from core.db import ConflictStore, Database
from core.embedding import Embedder
from core.index.factory import open_index
from core.schema import document_id
from core.sources import load_sources
from ingest.job import build_pipeline
from service.main import create_app
from tests.service.conftest import CORPUS, components

EXPENSES = document_id("wiki", "expenses.md")
QUIZ_2022 = document_id("wiki", "quiz-standards-2022.md")
QUIZ_2025 = document_id("wiki", "quiz-standards-2025.md")
RUNBOOK = document_id("wiki", "oncall-runbook.md")
RESTRICTED = document_id("wiki", "hr/compensation-2026.md")
FAQ = document_id("wiki", "assessment-faq.md")
PASS_MARK = "What percentage is the default pass mark for scored quizzes?"
FAQ_PAGE = """---
title: Assessment FAQ
authors: [ben.okoro@example.com]
updated: 2025-09-15
tags: [assessment, quiz]
---

# Assessment FAQ

## Pass mark

The default pass mark for scored quizzes is 75 percent, unless the client sets another.
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[TestClient]:
    """The app (open mode) over its own copy of the corpus, the FAQ added."""
    root = tmp_path_factory.mktemp("state-facets")
    corpus = Path(shutil.copytree(CORPUS, root / "corpus"))
    (corpus / "wiki" / "assessment-faq.md").write_text(FAQ_PAGE, encoding="utf-8")
    settings = get_settings(data_dir=root / "data", ingest={"config": corpus / "sources.yaml"})
    settings.data_dir.mkdir(parents=True)
    db, index = Database(settings.database_url), open_index(settings)
    try:
        sources = load_sources(corpus / "sources.yaml")
        build_pipeline(settings, sources, index=index, embedder=embedder, db=db).run()
    finally:
        index.close()
        db.dispose()
    with TestClient(create_app(settings, embedder=embedder)) as client:
        yield client


@pytest.fixture(scope="module")
def who(app: TestClient) -> dict[str, dict[str, str]]:
    """Headers: a trainer, an admin in the hr group, a reader in it, a reader outside it."""
    keys = components(app).keys

    def key(user: str, role: str, groups: list[str]) -> dict[str, str]:
        _, plain = keys.create(user, groups, role)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {plain}"}

    return {
        "trainer": key("tess", "trainer", []),
        "hr_admin": key("root", "admin", ["hr"]),
        "hr_reader": key("hana", "reader", ["hr"]),
        "reader": key("bob", "reader", []),
    }


def states(app: TestClient, headers: dict[str, str] | None = None, **params: Any) -> Any:
    """The state facet of a search, as {state: count}, and the passages' total."""
    body = app.get("/search", params={"q": "policy", **params}, headers=headers or {}).json()
    facets = body["facets"]
    return {f["value"]: f["count"] for f in facets["states"]}, sum(
        f["count"] for f in facets["kinds"]
    )


def passages(app: TestClient, doc: str, headers: dict[str, str] | None = None) -> int:
    return len(app.get(f"/documents/{doc}", headers=headers or {}).json()["chunks"])


def test_state_facets_count_every_passage_and_filter_search_and_ask(
    app: TestClient, who: dict[str, dict[str, str]]
) -> None:
    before, total = states(app)
    assert before == {"unreviewed": total} and total > 0

    trainer, hr_admin = who["trainer"], who["hr_admin"]
    assert app.post(f"/documents/{EXPENSES}/verify", json={}, headers=trainer).status_code == 200
    r = app.post(
        f"/documents/{QUIZ_2022}/outdated", json={"replaced_by": QUIZ_2025}, headers=trainer
    )
    assert r.status_code == 200, r.text
    r = app.post(
        f"/documents/{RUNBOOK}/needs-review", json={"reason": "tooling moved"}, headers=trainer
    )
    assert r.status_code == 200, r.text
    # One passage of the 2025 standards verified: the rest of the document stays unreviewed.
    chunk = app.get(f"/documents/{QUIZ_2025}").json()["chunks"][0]["id"]
    r = app.post(f"/documents/{QUIZ_2025}/verify", json={"chunk_id": chunk}, headers=trainer)
    assert r.status_code == 200, r.text
    assert app.post(f"/documents/{RESTRICTED}/verify", json={}, headers=hr_admin).status_code == 200

    after, total = states(app)
    verified = passages(app, EXPENSES) + 1
    assert after == {
        "verified": verified,
        "outdated": passages(app, QUIZ_2022),
        "needs_review": passages(app, RUNBOOK),
        "unreviewed": total - verified - passages(app, QUIZ_2022) - passages(app, RUNBOOK),
    }
    # The restricted page counts only for those who may see it.
    hr_after, hr_total = states(app, who["hr_reader"])
    assert hr_total == total + passages(app, RESTRICTED, hr_admin)
    assert hr_after["verified"] == verified + passages(app, RESTRICTED, hr_admin)
    assert states(app, who["reader"])[0] == after
    # The other filters narrow the counts too.
    assert states(app, kinds="wiki", people="nobody")[0] == {}

    hits = app.get("/search", params={"q": "quiz pass mark", "states": "outdated"}).json()
    assert {h["document_id"] for h in hits["passages"]} == {QUIZ_2022}
    mixed = app.get(
        "/search", params=[("q", "quiz pass mark"), ("states", "verified,unreviewed")]
    ).json()
    assert QUIZ_2022 not in {h["document_id"] for h in mixed["passages"]}
    assert {h["chunk_id"] for h in mixed["passages"] if h["document_id"] == QUIZ_2025} >= {chunk}

    body = {"question": PASS_MARK, "filters": {"states": ["outdated"]}}
    answer = app.post("/ask", json=body).json()
    assert {c["document_id"] for c in answer["citations"]} <= {QUIZ_2022}

    bad = app.get("/search", params={"q": "policy", "states": "approved"})
    assert bad.status_code == 422 and "unknown state 'approved'" in bad.text
    bad = app.post("/ask", json={"question": PASS_MARK, "filters": {"states": ["approved"]}})
    assert bad.status_code == 422


def test_an_answer_whose_sources_disagree_queues_both_once(
    app: TestClient, who: dict[str, dict[str, str]]
) -> None:
    trainer = who["trainer"]
    answer = app.post("/ask", json={"question": PASS_MARK}).json()
    assert "the sources disagree" in answer["text"], answer["text"]
    app.post("/ask", json={"question": PASS_MARK})  # the same pair again: counted, not doubled
    queue = app.get("/review/queue", headers=trainer).json()["items"]
    reasons = {i["document_id"]: i["reasons"] for i in queue}
    disputes = {d: [r for r in rs if r.startswith("sources disagree")] for d, rs in reasons.items()}
    assert disputes[QUIZ_2025] == ["sources disagree: Assessment FAQ"]
    assert disputes[FAQ] == ["sources disagree: Quiz standards (2025)"]
    (pair,) = ConflictStore(components(app).db).open_conflicts([QUIZ_2025])
    assert (pair.other_id, pair.seen) == (FAQ, 2) and "75 percent" in (pair.detail or "")

    # A trainer decides on the 2025 standards: its disagreement leaves the queue.
    r = app.post(f"/documents/{QUIZ_2025}/verify", json={}, headers=trainer)
    assert r.status_code == 200, r.text
    queue = app.get("/review/queue", headers=trainer).json()["items"]
    left = {i["document_id"]: i["reasons"] for i in queue}
    assert not any(r.startswith("sources disagree") for r in left.get(QUIZ_2025, []))
