"""Insights measured on the sample question log: topic agreement and planted-gap ranking.

    python -m eval.insights_eval [--seeds 11 12 13 14 15] [--scale 0.5]

For each seed, the generator's log (examples/tools/question_log.py) is written to a fresh
SQLite database and analysed by the product's own engine (real embeddings), then:

    ari        adjusted Rand index of the topics against the planted topic labels
    precision  each planted topic is scored by its best topic (a topic stands for the planted
               topic most of its questions come from; a planted topic no topic stands for
               scores 0); share of the top-k planted topics that are gaps (k = the number of
               planted gaps)
    recall     share of the planted gaps among those top k (with k = the number of gaps the
               two are equal unless a gap no topic stands for is left out)
    separated  whether every planted gap scores above every well-covered topic

Seeds 1-3 were used to choose the clustering method and its distance threshold; the default
seeds are others.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from core.config import InsightsSettings, get_settings
from core.db import Database
from core.db.insights import InsightsStore, insert_questions
from core.embedding import Embedder, SentenceTransformerEmbedder
from core.insights.catalogue import load_catalogue
from core.insights.engine import Insights
from core.insights.lookups import StaticLookups
from core.insights.needs import score
from core.insights.reasons import DocumentFacts
from core.schema import Principal
from examples.tools.question_log import (
    RESTRICTED_DOCUMENTS,
    STALE_DOCUMENTS,
    PlantedQuestion,
    generate,
)

DEFAULT_SEEDS = (11, 12, 13, 14, 15)
CATALOGUE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "training.yaml"
TRAINER = Principal(user_id="trainer", groups=["hr"], role="trainer")


class CachedEmbedder:
    """An embedder that remembers each text's vector (the seeds share most wordings)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self._seen: dict[str, np.ndarray] = {}

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of these texts, each embedded once per process."""
        todo = sorted({t for t in texts if t not in self._seen})
        if todo:
            self._seen.update(zip(todo, self.inner.embed_documents(todo), strict=True))
        return np.stack([self._seen[t] for t in texts])


def sample_facts() -> dict[str, DocumentFacts]:
    """The documents the sample log cites that are stale or restricted."""
    facts = {d: DocumentFacts(groups=[], stale="superseded") for d in STALE_DOCUMENTS}
    facts |= {d: DocumentFacts(groups=["hr"], stale=None) for d in RESTRICTED_DOCUMENTS}
    return facts


def measure(
    log: Sequence[PlantedQuestion], embedder: Any, settings: InsightsSettings, work: Path
) -> dict[str, Any]:
    """The figures of one log (module docstring)."""
    db = Database(f"sqlite:///{work / 'insights.db'}")
    try:
        insert_questions(db, [q.__dict__ for q in log])
        engine = Insights(InsightsStore(db), embedder, StaticLookups(sample_facts()), settings)
        now = log[-1].created + timedelta(seconds=1)
        needs_programs = load_catalogue(CATALOGUE)
        report = engine.report(TRAINER, now, period_days=90)
        questions = engine.store.questions(now - timedelta(days=90), now)
        truth = {q.id: q.topic for q in log}
        kinds = {q.topic: q.kind for q in log}
        ari = adjusted_rand_score([truth[q.id] for q in questions], [q.topic for q in questions])
        majority: dict[int, str] = {}
        for topic in report.topics:
            ids = [q.id for q in questions if q.topic == topic.id]
            majority[topic.id] = Counter(truth[i] for i in ids).most_common(1)[0][0]
        gaps = sorted({t for t, k in kinds.items() if k.startswith("gap")})
        best: dict[str, float] = dict.fromkeys(kinds, 0.0)
        for topic in report.topics:
            planted = majority[topic.id]
            best[planted] = max(best[planted], score(topic)[0])
        ranked = sorted(best, key=lambda t: (-best[t], t))
        top = ranked[: len(gaps)]
        covered = [best[t] for t, k in kinds.items() if k == "covered"]
        needs = engine.training_needs(TRAINER, now, needs_programs, period_days=90)
        return {
            "questions": len(questions),
            "topics": len(report.topics),
            "ari": round(float(ari), 3),
            "precision": round(sum(t in gaps for t in top) / len(gaps), 3),
            "recall": round(len(set(top) & set(gaps)) / len(gaps), 3),
            "missed": sorted(set(gaps) - set(top)),
            "separated": min(best[g] for g in gaps) > max(covered, default=0.0),
            "needs": [
                (n.action, majority[n.topic_id], n.program) for n in needs.needs[: len(gaps) + 2]
            ],
        }
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    """Measure over several seeds; print one JSON line per seed and the means."""
    parser = argparse.ArgumentParser(prog="python -m eval.insights_eval")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--threshold", type=float, help="insights.distance_threshold")
    args = parser.parse_args(argv)
    base = get_settings()
    settings = base.insights
    if args.threshold is not None:
        settings = settings.model_copy(update={"distance_threshold": args.threshold})
    embedder = CachedEmbedder(SentenceTransformerEmbedder(base.embedding))
    rows = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as work:
            row = {
                "seed": seed,
                **measure(generate(seed, scale=args.scale), embedder, settings, Path(work)),
            }
        rows.append(row)
        print(json.dumps(row))
    for key in ("ari", "precision", "recall"):
        print(f"mean {key}: {np.mean([r[key] for r in rows]):.3f}")
    print(f"separated: {sum(r['separated'] for r in rows)}/{len(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
