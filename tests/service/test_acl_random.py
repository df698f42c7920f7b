"""Randomized access control: generated requests to every endpoint, as callers without the hr
group, never reveal the hr-only page — its title, text, passages, id, facet counts or author as
an expert.

Each example draws a caller (anonymous or a reader without groups, in open and in keys mode) and
a request to one of the app's operations (read from its OpenAPI document, so a new route is
covered too), with random questions, filters and ids. Hypothesis runs derandomized (the same
requests on every run), spread over every operation: about 500 in the default tier, over 10,000
under `slow`. The control run sends the same kind of requests as an hr reader and proves that
the detector finds the restricted content when access is granted.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st

from core.embedding import Embedder
from core.schema import document_id
from service.main import create_app
from tests.service.conftest import (
    HR_AUTHOR,
    RESTRICTED_FACT,
    RESTRICTED_TITLE,
    Callers,
    ingest,
    make_callers,
    make_settings,
)

RESTRICTED = document_id("wiki", "hr/compensation-2026.md")
PUBLIC_DOCS = [document_id("wiki", p) for p in ("expenses.md", "quiz-standards-2025.md")]
HR_TEAM = "People & HR"
HR_ONLY_TAGS = {"hr", "compensation"}  # tags only the restricted page has
PUBLIC_DOCUMENTS, PUBLIC_PASSAGES = 5, 10  # what the corpus holds outside the hr page

# Words that find the restricted page (and others): never a detector string themselves.
WORDS = [
    "merit", "budget", "compensation", "review", "2026", "salary", "letters", "payroll",
    "managers", "allocation", "quiz", "pass", "mark", "expense", "travel", "meals", "on-call",
    "password", "rotation", "standard", "notes", "percent", "code", "name", "project", "hr",
]  # fmt: skip
KINDS = ["wiki", "doc", "blog", "video"]
SOURCES = ["wiki", "docs", "nowhere"]
TEAMS = ["Finance", "Learning Design", HR_TEAM, "Platform", "Nobody"]
TAGS = ["hr", "compensation", "finance", "quiz", "assessment", "security", "oncall"]
REQUESTS, CONTROL_REQUESTS, SLOW_REQUESTS = 500, 200, 10_200
OUTSIDERS = [("open", "anonymous"), ("open", "reader"), ("keys", "anonymous"), ("keys", "reader")]
INSIDERS = [("open", "hr"), ("keys", "hr")]
CONTACT_ROUTES = {"GET /experts", "POST /ask", "POST /ask/stream"}
# The control run's operations: each must show the restricted page to an hr reader.
FAMILIES = [
    "GET /search",
    "GET /experts",
    "POST /ask",
    "POST /ask/stream",
    "GET /documents/{document_id}",
    "GET /people/{person_id}",
    "GET /health",
]


@dataclass
class Corpus:
    """What the detector looks for, read once from an hr reader's view."""

    chloe: str
    people: list[str]
    restricted_chunks: list[str]
    # (method, path template, OpenAPI operation, its documented example body or {})
    operations: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True)
class Call:
    """One generated request; `label` names its operation ("GET /people/{person_id}")."""

    label: str
    method: str
    path: str
    params: dict[str, Any]
    body: dict[str, Any] | None


@pytest.fixture(scope="module")
def corpus(pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]]) -> Corpus:
    """The hr page's author, chunk ids and the app's operations."""
    client, hr = pool[("open", "hr")]
    directory = client.get("/people", params={"limit": 200}).json()["items"]
    chloe = next(p["id"] for p in directory if p["name"] == HR_AUTHOR)
    page = client.get(f"/documents/{RESTRICTED}", headers=hr).json()
    document = client.app.openapi()  # type: ignore[attr-defined]
    operations = [
        (method.upper(), path, spec, _example(spec, document["components"]["schemas"]))
        for path, item in document["paths"].items()
        for method, spec in item.items()
    ]
    return Corpus(
        chloe=chloe,
        people=[p["id"] for p in directory],
        restricted_chunks=[c["id"] for c in page["chunks"]],
        operations=operations,
    )


def words(draw: st.DrawFn) -> str:
    """A query of a few corpus words."""
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))


def filters(draw: st.DrawFn, corpus: Corpus) -> dict[str, list[str]]:
    """Random filters, often narrowing to what only the hr page matches."""
    pools = {
        "kinds": KINDS,
        "sources": SOURCES,
        "people": [corpus.chloe, *corpus.people, "nobody"],
        "teams": TEAMS,
        "tags": TAGS,
    }
    chosen = draw(st.sets(st.sampled_from(sorted(pools)), max_size=3))
    return {
        name: draw(st.lists(st.sampled_from(pools[name]), min_size=1, max_size=3, unique=True))
        for name in sorted(chosen)
    }


def path_value(draw: st.DrawFn, name: str, corpus: Corpus) -> str:
    """A path parameter: often the restricted page or its author."""
    if name == "document_id":
        return draw(st.sampled_from([RESTRICTED, RESTRICTED, *PUBLIC_DOCS, "ffffffffffffffff"]))
    if name == "person_id":
        return draw(st.sampled_from([corpus.chloe, corpus.chloe, *corpus.people, "nobody"]))
    return draw(st.sampled_from(["x", "1", RESTRICTED]))


def body_for(
    draw: st.DrawFn, spec: dict[str, Any], example: dict[str, Any], corpus: Corpus
) -> dict[str, Any] | None:
    """A JSON body: the documented example with random questions, filters and ids."""
    if "requestBody" not in spec:
        return None
    body = dict(example)
    if "question" in body or spec.get("operationId", "").startswith("ask"):
        body = {"question": words(draw), "filters": filters(draw, corpus), "generator": None}
    for key in ("document_id", "chunk_id"):
        if key in body:
            body[key] = draw(st.sampled_from([RESTRICTED, *PUBLIC_DOCS]))
    return body


def _example(spec: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """The first documented example of the operation's JSON body ({} when none)."""
    content = spec.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    schema = schemas.get(schema.get("$ref", "").rpartition("/")[2], schema)
    examples = schema.get("examples") or [schema.get("example") or {}]
    return examples[0] if isinstance(examples[0], dict) else {}


@st.composite
def calls(draw: st.DrawFn, corpus: Corpus, labels: frozenset[str] | None = None) -> Call:
    """A request to one of the app's operations (of those `labels` names, when given)."""
    operations = [o for o in corpus.operations if labels is None or f"{o[0]} {o[1]}" in labels]
    method, template, spec, example = draw(st.sampled_from(operations))
    path, params = template, dict[str, Any]()
    for parameter in spec.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            path = path.replace("{" + name + "}", path_value(draw, name, corpus))
        elif where == "query" and name == "q":
            params["q"] = words(draw)
        elif where == "query" and name == "limit":
            params["limit"] = draw(st.integers(1, 20))
    if {"tags", "teams"} <= {p["name"] for p in spec.get("parameters", [])}:
        params.update(filters(draw, corpus))
    body = body_for(draw, spec, example, corpus)
    return Call(f"{method} {template}", method, path, params, body)


def send(client: TestClient, headers: dict[str, str], call: Call) -> tuple[int, str]:
    """The status and the whole body (a stream read to its end)."""
    with client.stream(
        call.method, call.path, params=call.params, json=call.body, headers=headers
    ) as response:
        return response.status_code, response.read().decode()


def leaks(call: Call, status: int, text: str, corpus: Corpus) -> list[str]:
    """What in this answer reveals the restricted page (empty when nothing does)."""
    found = [s for s in (RESTRICTED_TITLE, RESTRICTED_FACT, "4.2 percent") if s in text]
    found += [f"chunk {c}" for c in corpus.restricted_chunks if c in text]
    asked = json.dumps([call.path, call.params, call.body])
    if RESTRICTED in text and RESTRICTED not in asked:  # not merely echoing the request
        found.append("document id")
    if call.label in CONTACT_ROUTES and HR_AUTHOR in text:  # she wrote nothing public
        found.append("the hr author as a contact")
    if status != 200 or not text.startswith("{"):
        return found
    body = json.loads(text)
    facets = body.get("facets") or {}
    if corpus.chloe in {a["value"] for a in facets.get("authors", [])}:
        found.append("author facet")
    if HR_TEAM in {t["value"] for t in facets.get("teams", [])}:
        found.append("team facet")
    if facets and _isolates_restricted(call.params, corpus.chloe) and facets.get("kinds"):
        found.append("facet counts under filters only the hr page matches")
    profile = call.label == "GET /people/{person_id}" and call.path.endswith(corpus.chloe)
    topics = {t["tag"] for t in body.get("topics", [])}
    if profile and (body.get("documents") or topics & HR_ONLY_TAGS):
        found.append("profile documents")
    counts = body.get("counts") or {}
    if (counts.get("documents") or 0) > PUBLIC_DOCUMENTS or (
        counts.get("chunks") or 0
    ) > PUBLIC_PASSAGES:
        found.append("health counts")
    return found


def _isolates_restricted(params: dict[str, Any], chloe: str) -> bool:
    """Whether the filters match nothing but the hr page.

    Tags narrow on their own; people and teams together name the authors (their union), who
    must then be no one but the hr page's author.
    """
    tags = set(params.get("tags") or [])
    if tags and tags <= HR_ONLY_TAGS:
        return True
    teams, people = set(params.get("teams") or []), set(params.get("people") or [])
    return bool(teams or people) and teams <= {HR_TEAM, "Nobody"} and people <= {chloe, "nobody"}


def run(
    corpus: Corpus,
    pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]],
    who: list[tuple[str, str]],
    examples: int,
    labels: frozenset[str] | None = None,
) -> tuple[list[str], Counter[str], Counter[str]]:
    """Send `examples` generated requests: the leaks found, the operations they were found in,
    and the requests sent per operation."""
    found: list[str] = []
    families: Counter[str] = Counter()
    sent: Counter[str] = Counter()

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(caller=st.sampled_from(who), call=calls(corpus, labels))
    def one(caller: tuple[str, str], call: Call) -> None:
        app, headers = pool[caller]
        status, text = send(app, headers, call)
        sent[call.label] += 1
        assert status < 500, (call, text[:300])
        for leak in leaks(call, status, text, corpus):
            found.append(f"{caller} {call.method} {call.path} {call.params}: {leak}")
            families[call.label] += 1

    one()
    return found, families, sent


@pytest.fixture(scope="module")
def open_client(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[TestClient]:
    """An open-mode app over its own copy of the corpus (the generated questions are logged)."""
    settings = make_settings(tmp_path_factory.mktemp("acl-random"))
    ingest(settings, embedder)
    with TestClient(create_app(settings, embedder=embedder)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def pool(
    open_client: TestClient, keys_client: TestClient, keys_callers: Callers
) -> dict[tuple[str, str], tuple[TestClient, dict[str, str]]]:
    """Each (mode, caller) with the app and headers to use."""
    known = {"open": (open_client, make_callers(open_client)), "keys": (keys_client, keys_callers)}
    return {
        (mode, who): (app, dict(getattr(callers, who)))
        for mode, (app, callers) in known.items()
        for who in ("anonymous", "reader", "hr")
    }


def sweep(
    corpus: Corpus,
    pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]],
    who: list[tuple[str, str]],
    total: int,
) -> tuple[list[str], Counter[str]]:
    """About `total` requests over every operation, four times more to those that show content
    (FAMILIES), which also get what the others leave: the leaks found, the requests sent."""
    labels = sorted({f"{method} {path}" for method, path, *_ in corpus.operations})
    weights = {label: 4 if label in FAMILIES else 1 for label in labels}
    share = total // sum(weights.values())
    found: list[str] = []
    sent: Counter[str] = Counter()
    for label in labels:  # an operation without parameters runs out of new requests sooner
        examples = share * weights[label]
        leaked, _, counted = run(corpus, pool, who, examples, frozenset({label}))
        found += leaked
        sent += counted
    assert set(sent) == set(labels)
    if total > sent.total():  # operations with few distinct requests ran out of new ones
        leaked, _, counted = run(corpus, pool, who, total - sent.total(), frozenset(FAMILIES))
        found += leaked
        sent += counted
    return found, sent


def test_no_caller_without_access_sees_the_restricted_page(
    corpus: Corpus, pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]]
) -> None:
    found, sent = sweep(corpus, pool, OUTSIDERS, REQUESTS)
    assert not found, "\n".join(found[:20])
    assert sent.total() >= REQUESTS * 0.9, sent


@pytest.mark.slow
def test_no_caller_without_access_sees_the_restricted_page_at_length(
    corpus: Corpus, pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]]
) -> None:
    found, sent = sweep(corpus, pool, OUTSIDERS, SLOW_REQUESTS)
    assert not found, "\n".join(found[:20])
    assert sent.total() >= 10_000, sent


def test_the_detector_finds_the_restricted_page_when_access_is_granted(
    corpus: Corpus, pool: dict[tuple[str, str], tuple[TestClient, dict[str, str]]]
) -> None:
    found, families, _ = run(corpus, pool, INSIDERS, CONTROL_REQUESTS, frozenset(FAMILIES))
    assert found
    assert [f for f in FAMILIES if not families[f]] == [], families
