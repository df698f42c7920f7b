"""Failure reasons on hand-made questions: each reason, in its order, by distinct wording."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from core.auth import can_see
from core.db.insights import LoggedQuestion
from core.insights.reasons import DocumentFacts, topic_reasons
from core.schema import Principal

NOW = datetime(2026, 12, 1, tzinfo=UTC)
FACTS = {
    "open": DocumentFacts(groups=[], stale=None),
    "old": DocumentFacts(groups=[], stale="outdated"),
    "hr": DocumentFacts(groups=["hr"], stale=None),
}


def q(
    qid: str,
    text: str,
    *,
    docs: tuple[str, ...] = (),
    abstained: bool = False,
    ratings: tuple[str, ...] = (),
    conflict: bool = False,
    groups: tuple[str, ...] = (),
) -> LoggedQuestion:
    return LoggedQuestion(
        id=qid,
        created=NOW,
        user_id=f"u-{qid}",
        groups=list(groups),
        question=text,
        cited_document_ids=list(docs),
        people_ids=[],
        abstained=abstained,
        conflict=conflict,
        ratings=ratings,
        topic=0,
    )


def sees(question: LoggedQuestion, groups: list[str]) -> bool:
    return can_see(Principal(user_id=question.user_id, groups=question.groups), groups)


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_each_reason_in_its_order() -> None:
    near, far = unit(1, 0, 0), unit(0, 0, 1)
    questions = [
        q("good", "Where is the bike room?", docs=("open",), ratings=("helpful",)),
        q("good2", "Where is the bike room?", docs=("open",), ratings=("helpful",)),
        q("miss", "Where do bikes go?", abstained=True),
        q("miss2", "Where do bikes go?", abstained=True),
        q("clash", "How many days off?", docs=("open",), conflict=True, ratings=("not_helpful",)),
        q("stale", "Travel rules?", docs=("old",), ratings=("not_helpful",)),
        q("nothing", "Pension age?", abstained=True, groups=("hr",)),
    ]
    vectors = {
        "good": near,
        "good2": near,
        "miss": unit(1, 0.1, 0),  # cosine 0.995 to the helpful wording
        "miss2": unit(1, 0.1, 0),
        "nothing": far,
    }
    reasons = topic_reasons(questions, FACTS, vectors, sees)
    assert reasons == {
        "clash": "conflicting_sources",
        "stale": "stale_content",
        "miss": "retrieval_miss",
        "miss2": "retrieval_miss",
        "nothing": "no_content",
    }


def test_restricted_comes_before_a_retrieval_miss_and_needs_an_answer_the_asker_cannot_see() -> (
    None
):
    questions = [
        q(
            "good",
            "Salary bands for engineers?",
            docs=("hr",),
            ratings=("helpful",),
            groups=("hr",),
        ),
        q("miss", "Engineer salary bands?", abstained=True, groups=("hr",)),
        q("outsider", "Engineer salary bands?", abstained=True),
        q("rated", "Engineer salary bands?", ratings=("not_helpful",), docs=("open",)),
    ]
    vectors = {"good": unit(1, 0), "miss": unit(1, 0.05), "outsider": unit(1, 0.05)}
    reasons = topic_reasons(questions, FACTS, vectors, sees)
    assert reasons["miss"] == "retrieval_miss"  # the hr asker may see the hr answer
    assert reasons["outsider"] == "restricted"  # counted, the document never named
    assert reasons["rated"] == "no_content"  # answered and rated: no vector was needed
