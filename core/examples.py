"""Example questions for the Ask page, drawn from what is asked and ingested — never canned.

In order, until `examples.count` are found:

1. questions asked at least `examples.min_asks` times and answered (not abstained), most asked
   first (case and spacing folded), and only those whose cited documents the caller may see;
2. prompts made from the titles of the documents answers cited most often, then of the most
   recently updated documents — documents the caller may see, superseded ones left out.

Nothing asked and nothing ingested: no examples (the page shows none). `examples.fixed`
replaces all of this; `examples.count = 0` turns examples off.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from core.auth import can_see
from core.config import ExamplesSettings
from core.db import ManifestStore, QuestionStore
from core.schema import Principal

LOG_WINDOW = 1000  # the most recent answered questions looked at
RECENT_WINDOW = 200  # the most recently updated documents looked at
_QUESTION_START = re.compile(
    r"^(what|why|how|who|whom|when|where|which|can|could|should|do|does|is|are)\b", re.I
)


def example_questions(
    settings: ExamplesSettings,
    caller: Principal,
    questions: QuestionStore,
    manifest: ManifestStore,
) -> list[str]:
    """Up to `settings.count` example questions for this caller (see the module docstring)."""
    if settings.count == 0:
        return []
    if settings.fixed:
        return settings.fixed[: settings.count]
    seen: dict[str, bool] = {}

    def visible(document_id: str) -> bool:
        if document_id not in seen:
            entry = manifest.get_document(document_id)
            seen[document_id] = entry is not None and can_see(caller, entry.groups)
        return seen[document_id]

    found = _most_asked(questions, settings.min_asks, visible)
    log = questions.list(abstained=False, limit=LOG_WINDOW)
    cited = Counter(d for q in log for d in dict.fromkeys(q.cited_document_ids))
    titles = []
    for document_id, _ in cited.most_common():
        entry = manifest.get_document(document_id) if visible(document_id) else None
        if entry is not None and not entry.superseded_by:
            titles.append(entry.title)
    recent = manifest.recent_documents(RECENT_WINDOW)
    titles += [e.title for e in recent if can_see(caller, e.groups)]
    found += [prompt(t) for t in dict.fromkeys(titles) if t.strip()]
    return list(dict.fromkeys(found))[: settings.count]


def _most_asked(
    questions: QuestionStore, min_asks: int, visible: Callable[[str], bool]
) -> list[str]:
    """Questions asked at least `min_asks` times whose cited documents are all visible."""
    log = questions.list(abstained=False, limit=LOG_WINDOW)
    asked = Counter(_fold(q.question) for q in log)
    spelled = {_fold(q.question): q for q in reversed(log)}  # the newest spelling wins
    out = []
    for folded, times in asked.most_common():
        if times < min_asks:
            break
        entry = spelled[folded]
        if entry.cited_document_ids and all(map(visible, entry.cited_document_ids)):
            out.append(entry.question.strip())
    return out


def prompt(title: str) -> str:
    """A question made from a document title."""
    title = " ".join(title.split()).rstrip(" .:;")
    if title.endswith("?") or _QUESTION_START.match(title):
        return title.rstrip("?") + "?"
    return f"What should I know about {title}?"


def _fold(question: str) -> str:
    return " ".join(question.casefold().split()).rstrip("?")
