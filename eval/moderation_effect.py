"""The ranking effect of trainers' verifications on a golden set, before/after.

    python -m eval.moderation_effect eval/datasets/golden/dev-v1.jsonl [--lifts 0.01,0.02,0.05]

Over the ingested content of the configured data dir, each answerable question is retrieved
(top 10, an admin in every group) without moderation, then with a lift and two hypothetical
states: only its relevant documents verified (the lift should help), and every other document
verified (an irrelevant verified passage must not win: the lift should not hurt). Prints top-1
accuracy and MRR@10 of the first relevant document. moderation.verified_lift was chosen on the
dev half (the largest lift that loses nothing when everything else is verified) and is reported
on the test half (README, Moderation).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from core.assembly import build_retriever
from core.config import apply_runtime_env, get_settings
from core.db import Database, ManifestStore, PeopleStore
from core.embedding import SentenceTransformerEmbedder
from core.index.factory import open_index
from core.moderation import ModerationRanking, ModerationState
from core.retrieval import Retriever
from core.schema import Principal

READER = Principal(user_id="eval", groups=["hr", "finance", "leadership"], role="admin")


class Verified:
    """A state lookup in which exactly `documents` hold a valid verification."""

    def __init__(self, documents: set[str]) -> None:
        self.documents = documents

    def states_for(self, document_ids: Iterable[str]) -> list[ModerationState]:
        """Valid verifications of the chosen documents."""
        now = datetime.now(UTC)
        later = now + timedelta(days=30)
        return [
            ModerationState(d, "", "verified", "eval", now, expires_at=later)
            for d in document_ids
            if d in self.documents
        ]

    def flag_counts(self, document_ids: Iterable[str]) -> dict[str, int]:
        """No flags."""
        return {}


def score(
    retriever: Retriever, items: list[dict[str, Any]], verified: str, lift: float, every: set[str]
) -> tuple[float, float]:
    """(top-1 accuracy, MRR@10) with `verified` = none | relevant | others."""
    top1 = mrr = 0.0
    for item in items:
        relevant = set(item["relevant_document_ids"])
        chosen: set[str] = {"none": set(), "relevant": relevant, "others": every - relevant}[
            verified
        ]
        retriever.moderation = ModerationRanking(Verified(chosen), lift) if chosen else None
        passages = retriever.search(item["question"], READER, limit=10).passages
        docs = list(dict.fromkeys(p.document_id for p in passages))
        rank = next((k for k, d in enumerate(docs, 1) if d in relevant), None)
        top1 += rank == 1
        mrr += 1 / rank if rank else 0.0
    return round(top1 / len(items), 3), round(mrr / len(items), 3)


def main(argv: list[str] | None = None) -> int:
    """Print the table for one dataset."""
    parser = argparse.ArgumentParser(prog="python -m eval.moderation_effect")
    parser.add_argument("dataset", type=Path, help="a golden JSONL file")
    parser.add_argument("--lifts", default="0.01,0.02,0.05")
    args = parser.parse_args(argv)
    apply_runtime_env()
    settings = get_settings()
    rows = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines()]
    items = [r for r in rows if r.get("answerable") and r.get("relevant_document_ids")]
    db, index = Database(settings.database_url), open_index(settings)
    try:
        embedder = SentenceTransformerEmbedder(settings.embedding)
        retriever = build_retriever(settings, index, embedder, PeopleStore(db))
        every = ManifestStore(db).all_document_ids()
        print(f"{args.dataset.name}: {len(items)} answerable questions (top-1, MRR@10)")
        print(f"  no lift                  {score(retriever, items, 'none', 0.0, every)}")
        for lift in (float(x) for x in args.lifts.split(",")):
            for verified in ("relevant", "others"):
                result = score(retriever, items, verified, lift, every)
                print(f"  lift {lift}: {verified} verified  {result}")
    finally:
        index.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
