"""Access control on every endpoint: the hr-only page is invisible without the hr group.

Anonymous callers (open mode) and readers without groups must never see the restricted
page's title, passages, facet counts, document page, evidence or profile entry; an hr
reader sees all of them.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from core.schema import document_id
from tests.service.conftest import HR_AUTHOR, RESTRICTED_FACT, RESTRICTED_TITLE, Callers
from tests.service.test_ask import sse_events

RESTRICTED = document_id("wiki", "hr/compensation-2026.md")
QUESTION = "What is the 2026 merit budget for the compensation review?"

OUTSIDERS = ["anonymous", "reader"]


def headers(callers: Callers, who: str) -> dict[str, str]:
    """The headers of a caller by name."""
    return dict(getattr(callers, who))


def leaks(text: str) -> bool:
    """Whether a response body reveals anything of the restricted page."""
    return RESTRICTED_TITLE in text or RESTRICTED_FACT in text or RESTRICTED in text


def chloe_id(client: TestClient) -> str:
    """The restricted page's author (she wrote nothing public)."""
    return str(client.get("/people", params={"q": "Chloe"}).json()["items"][0]["id"])


@pytest.mark.parametrize("who", OUTSIDERS)
def test_search_hides_the_restricted_page_and_its_counts(
    client: TestClient, callers: Callers, who: str
) -> None:
    outsider = client.get("/search", params={"q": QUESTION}, headers=headers(callers, who))
    insider = client.get("/search", params={"q": QUESTION}, headers=callers.hr).json()
    assert not leaks(outsider.text)
    body = outsider.json()
    assert HR_AUTHOR not in {a["label"] for a in body["facets"]["authors"]}
    assert "People & HR" not in {t["label"] for t in body["facets"]["teams"]}
    assert insider["passages"][0]["title"] == RESTRICTED_TITLE
    assert RESTRICTED_FACT in insider["passages"][0]["text"]
    outside_total = sum(v["count"] for v in body["facets"]["kinds"])
    inside_total = sum(v["count"] for v in insider["facets"]["kinds"])
    assert inside_total == outside_total + 2  # the restricted page's two passages
    assert HR_AUTHOR in {a["label"] for a in insider["facets"]["authors"]}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_answers_do_not_use_the_restricted_page(
    client: TestClient, callers: Callers, who: str
) -> None:
    outsider = client.post("/ask", json={"question": QUESTION}, headers=headers(callers, who))
    assert outsider.status_code == 200 and not leaks(outsider.text)
    assert "4.2" not in outsider.json()["text"]
    assert HR_AUTHOR not in [e["person"]["name"] for e in outsider.json()["people"]]
    with client.stream(
        "POST", "/ask/stream", json={"question": QUESTION}, headers=headers(callers, who)
    ) as response:
        raw = response.read().decode()
    events = sse_events(raw)
    # The figure is looked for in what the stream says, not in its timings ("total": 4.27).
    said = json.dumps(
        [
            {k: v for k, v in data.items() if k != "timings_ms"} if isinstance(data, dict) else data
            for _, data in events
        ]
    )
    assert not leaks(raw) and "4.2" not in said
    assert events[-1][0] == "done"


def test_an_hr_reader_gets_the_restricted_answer(client: TestClient, callers: Callers) -> None:
    answer = client.post("/ask", json={"question": QUESTION}, headers=callers.hr).json()
    assert "4.2 percent" in answer["text"] and not answer["abstained"]
    assert answer["citations"][0]["title"] == RESTRICTED_TITLE
    assert answer["people"][0]["person"]["name"] == HR_AUTHOR


@pytest.mark.parametrize("who", OUTSIDERS)
def test_experts_have_no_restricted_evidence(
    client: TestClient, callers: Callers, who: str
) -> None:
    params = {"q": "merit budget compensation review"}
    outsider = client.get("/experts", params=params, headers=headers(callers, who))
    assert outsider.status_code == 200 and not leaks(outsider.text)
    assert HR_AUTHOR not in [e["person"]["name"] for e in outsider.json()["people"]]
    insider = client.get("/experts", params=params, headers=callers.hr).json()
    chloe = next(e for e in insider["people"] if e["person"]["name"] == HR_AUTHOR)
    assert [d["title"] for d in chloe["documents"]] == [RESTRICTED_TITLE]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_restricted_document_is_indistinguishable_from_a_missing_one(
    client: TestClient, callers: Callers, who: str
) -> None:
    hidden = client.get(f"/documents/{RESTRICTED}", headers=headers(callers, who))
    missing = client.get("/documents/ffffffffffffffff", headers=headers(callers, who))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == {
        k: v.replace("ffffffffffffffff", RESTRICTED) for k, v in missing.json().items()
    }
    assert RESTRICTED_TITLE not in hidden.text
    shown = client.get(f"/documents/{RESTRICTED}", headers=callers.hr)
    assert shown.status_code == 200 and shown.json()["title"] == RESTRICTED_TITLE
    assert shown.json()["groups"] == ["hr"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_profiles_list_only_visible_documents(
    client: TestClient, callers: Callers, who: str
) -> None:
    person = chloe_id(client)
    outsider = client.get(f"/people/{person}", headers=headers(callers, who))
    assert outsider.status_code == 200 and not leaks(outsider.text)
    assert outsider.json()["documents"] == [] and outsider.json()["topics"] == []
    insider = client.get(f"/people/{person}", headers=callers.hr).json()
    assert [d["title"] for d in insider["documents"]] == [RESTRICTED_TITLE]
    assert {t["tag"] for t in insider["topics"]} == {"hr", "compensation"}


def test_search_filters_cannot_widen_access(client: TestClient, callers: Callers) -> None:
    params = {"q": "merit budget", "people": chloe_id(client), "tags": "hr", "sources": "wiki"}
    response = client.get("/search", params=params, headers=callers.reader)
    assert response.json()["passages"] == [] and not leaks(response.text)
    assert response.json()["facets"]["kinds"] == []
