"""A deterministic question log for the sample company, with planted knowledge gaps.

    python -m examples.tools.question_log [--seed 7] [--scale 1.0] [--write [--if-empty]]

12 weeks of questions by the people of examples/sample/people.yaml: paraphrases of the golden
set's answerable questions on twelve well-covered topics (answered, citing their documents),
and planted topics the training-needs report must find:

    gap-missing      pension and retirement savings: no content (mostly abstained)
    gap-missing      generative AI in course authoring: no content; a catalogue program exists
    gap-stale        expense claims: answered from the superseded expense policy
    gap-stale        the legacy Campus Admin import: answered from the retired import guide;
                     a catalogue program exists
    restricted       salary bands: answered for the hr group, abstained for everyone else

Every question carries its planted topic (`PlantedQuestion.topic`) for the measurement
(eval/insights_eval.py). `--write` adds the log, ending now, to the configured database
(`make run` does so while the log is empty); without it, a summary is printed.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from core.schema import person_id_for

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "eval" / "datasets" / "golden" / "sample-v1.jsonl"
PEOPLE = REPO / "examples" / "sample" / "people.yaml"
WEEKS = 12
COVERED = (
    "facilitation", "pricing", "incidents", "it-security", "campus-lms", "certificates-cpd",
    "assessment", "accessibility", "on-call", "staffing", "travel", "learning-design",
)  # fmt: skip
OLD_EXPENSES = "cea2d09a507eb51f"  # the superseded expense policy of the sample content
OLD_IMPORT = "dfa337f074d785ad"  # the retired Campus Admin import guide
STALE_DOCUMENTS = frozenset({OLD_EXPENSES, OLD_IMPORT})
RESTRICTED_DOCUMENTS = frozenset({"sample-hr-compensation"})  # in the hr group
_TEAM_GROUPS = {"People & HR": ["hr"], "Finance & Operations": ["finance"]}
_EXECUTIVE_GROUPS = ["leadership", "hr", "finance"]


@dataclass(frozen=True)
class Planted:
    """A planted topic: its questions, how they fare, and the documents they cite."""

    name: str
    kind: str  # covered | gap-missing | gap-stale | restricted
    questions: tuple[str, ...]
    cites: tuple[str, ...] = ()
    growth: float = 0.0  # weekly weight grows by this share of the first week's
    weekly: float = 12.0  # questions in an average week


GAPS = (
    Planted(
        "pension",
        "gap-missing",
        (
            "How much does Brightpath pay into my pension?",
            "Can I increase my pension contributions through payroll?",
            "Which pension provider do we use?",
            "Is there a company match on retirement savings?",
            "How do I transfer an old pension into the Brightpath scheme?",
            "When can I join the company pension plan after starting?",
        ),
        weekly=9.0,
        growth=0.05,
    ),
    Planted(
        "generative-ai",
        "gap-missing",
        (
            "Are we allowed to use ChatGPT to draft course scripts?",
            "What is our policy on generative AI for writing quiz questions?",
            "Can I paste client material into an AI chatbot?",
            "Which AI tools are approved for creating course images?",
            "Do we have to tell clients when a course was written with AI help?",
            "How should I review AI-generated learning content before publishing?",
        ),
        weekly=10.0,
        growth=0.25,
    ),
    Planted(
        "expense-claims",
        "gap-stale",
        (
            "What's the daily meal allowance when I'm travelling for work?",
            "From what amount do I need to keep a receipt for an expense?",
            "How long do I have to submit expenses, and how do I submit them?",
            "When do approved expense claims actually get paid?",
            "Can I claim my lunch on a client visit as an expense?",
        ),
        cites=(OLD_EXPENSES,),
        weekly=11.0,
    ),
    Planted(
        "campus-import",
        "gap-stale",
        (
            "How do I use the Campus Admin import to upload a course?",
            "Where is the import button in Campus Admin for SCORM files?",
            "Which file formats does the Campus Admin course import accept?",
            "The Campus Admin import fails on my package, what now?",
            "Who gives me access to Campus Admin import?",
        ),
        cites=(OLD_IMPORT,),
        weekly=8.0,
    ),
)
RESTRICTED = Planted(
    "salary-bands",
    "restricted",
    (
        "What are the salary bands for senior instructional designers?",
        "How big is the merit budget in this year's compensation review?",
        "When is the compensation review and how are raises decided?",
        "What is the pay range for a facilitator in APAC?",
    ),
    cites=("sample-hr-compensation",),
    weekly=6.0,
)
_PREFIXES = ("", "", "", "Quick question: ", "Hi! ", "Does anyone know: ", "Hello, ")
_SUFFIXES = ("", "", "", " Thanks!", " Thank you.", " Asking for a new starter.")


@dataclass(frozen=True)
class PlantedQuestion:
    """One logged question and its feedback, with the topic it was planted in."""

    id: str
    created: datetime
    user_id: str
    groups: list[str]
    question: str
    answer: str
    cited_document_ids: list[str]
    abstained: bool
    confidence: float
    topic: str
    kind: str
    ratings: list[str] = field(default_factory=list)


def planted_topics() -> list[Planted]:
    """The covered topics (from the golden set) and the planted gaps, in a fixed order."""
    by_topic: dict[str, list[dict[str, object]]] = {t: [] for t in COVERED}
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        tags = item["tags"]
        topic = next((t[6:] for t in tags if t.startswith("topic:")), None)
        if topic in by_topic and item["answerable"] and "superseded" not in tags:
            by_topic[topic].append(item)
    covered = [
        Planted(
            name,
            "covered",
            tuple(str(i["question"]) for i in items),
            cites=tuple(dict.fromkeys(str(d) for i in items for d in i["relevant_document_ids"])),  # type: ignore[attr-defined]
            weekly=8.0 + 2.0 * (k % 5),
            growth=0.15 if k % 4 == 0 else 0.0,
        )
        for k, (name, items) in enumerate(by_topic.items())
    ]
    return [*covered, *GAPS, RESTRICTED]


def askers() -> list[tuple[str, list[str]]]:
    """The askers (directory person ids) and their access groups."""
    people = yaml.safe_load(PEOPLE.read_text(encoding="utf-8"))
    result = []
    for p in people:
        team = p.get("team") or ""
        groups = _EXECUTIVE_GROUPS if team == "Executive" else _TEAM_GROUPS.get(team, [])
        result.append((person_id_for(p["name"], p.get("email")), list(groups)))
    return result


def generate(
    seed: int = 7, *, scale: float = 1.0, end: datetime | None = None
) -> list[PlantedQuestion]:
    """The log: `scale` × the planted weekly volumes over 12 weeks ending at `end`."""
    rng = random.Random(seed)
    end = end or datetime(2026, 12, 1, tzinfo=UTC)
    start = end - timedelta(weeks=WEEKS)
    people = askers()
    log: list[PlantedQuestion] = []
    for topic in planted_topics():
        for week in range(WEEKS):
            mean = topic.weekly * scale * (1.0 + topic.growth * week)
            for _ in range(_poisson(rng, mean)):
                created = start + timedelta(weeks=week, seconds=rng.randrange(7 * 86400))
                log.append(_question(rng, topic, created, rng.choice(people)))
    log.sort(key=lambda q: (q.created, q.id))
    return log


def _question(
    rng: random.Random, topic: Planted, created: datetime, asker: tuple[str, list[str]]
) -> PlantedQuestion:
    user_id, groups = asker
    text = _paraphrase(rng, rng.choice(topic.questions))
    abstained, cites, ratings = _outcome(rng, topic, groups)
    return PlantedQuestion(
        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        created=created,
        user_id=user_id,
        groups=list(groups),
        question=text,
        answer="" if abstained else f"(sample answer about {topic.name})",
        cited_document_ids=cites,
        abstained=abstained,
        confidence=round(rng.uniform(0.05, 0.3) if abstained else rng.uniform(0.5, 0.95), 3),
        topic=topic.name,
        kind=topic.kind,
        ratings=ratings,
    )


def _outcome(
    rng: random.Random, topic: Planted, groups: list[str]
) -> tuple[bool, list[str], list[str]]:
    """Abstained?, cited documents and ratings, as the topic's kind makes likely."""
    if topic.kind == "gap-missing":
        abstained = rng.random() < 0.75
        return abstained, [], (["not_helpful"] if not abstained and rng.random() < 0.6 else [])
    if topic.kind == "restricted" and "hr" not in groups:
        return True, [], []
    cites = rng.sample(list(topic.cites), k=min(len(topic.cites), rng.randint(1, 2)))
    if topic.kind == "gap-stale":
        return False, cites, (["not_helpful"] if rng.random() < 0.45 else [])
    if rng.random() < 0.05:
        return True, [], []
    roll = rng.random()
    return False, cites, ["helpful"] if roll < 0.25 else (["not_helpful"] if roll > 0.96 else [])


def _paraphrase(rng: random.Random, question: str) -> str:
    prefix, suffix = rng.choice(_PREFIXES), rng.choice(_SUFFIXES)
    body = question
    if prefix and rng.random() < 0.5:
        body = body[0].lower() + body[1:]
    if rng.random() < 0.2:
        body = body.rstrip("?") + "?"
    return f"{prefix}{body}{suffix}"


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's method, or the normal approximation for large means (where
    Knuth's product underflows)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean**0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def main(argv: list[str] | None = None) -> int:
    """Generate the sample log; write it into a database or print a summary."""
    parser = argparse.ArgumentParser(prog="python -m examples.tools.question_log")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--write", action="store_true", help="into the configured database")
    parser.add_argument("--db", help="into this database URL instead")
    parser.add_argument("--if-empty", action="store_true", help="only into an empty log")
    args = parser.parse_args(argv)
    log = generate(args.seed, scale=args.scale, end=datetime.now(UTC))
    if not (args.write or args.db):
        for topic, count in sorted(Counter(q.topic for q in log).items()):
            print(f"{count:6d}  {topic}")
        print(f"{len(log):6d}  questions")
        return 0
    from core.config import get_settings
    from core.db import Database, QuestionStore
    from core.db.insights import insert_questions

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(args.db or settings.database_url)
    try:
        if args.if_empty and QuestionStore(db).count() > 0:
            print("the question log is not empty: no sample written")
            return 0
        written = insert_questions(db, [q.__dict__ for q in log])
    finally:
        db.dispose()
    print(f"{written} sample questions written to the question log")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
