"""GET /experts and POST /ask name the team behind content the caller may not open."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.conftest import Callers
from tests.service.test_acl import RESTRICTED, leaks

TOPIC = "merit budget compensation review"
TEAM = "team:People & HR"  # Chloe Martin's team; she wrote the restricted page


def test_an_outsider_is_pointed_to_the_team_not_the_person_or_page(
    client: TestClient, callers: Callers
) -> None:
    found = client.get("/experts", params={"q": TOPIC}, headers=callers.reader)
    assert found.status_code == 200 and not leaks(found.text)
    first = found.json()["people"][0]
    assert first["person"]["id"] == TEAM and first["documents"] == []
    assert "Chloe" not in found.text
    answer = client.post("/ask", json={"question": TOPIC}, headers=callers.reader)
    assert answer.json()["people"][0]["person"]["id"] == TEAM and not leaks(answer.text)
    # narrowing the search leaves hidden content out entirely
    narrowed = client.get("/experts", params={"q": TOPIC, "kinds": "wiki"}, headers=callers.reader)
    assert TEAM not in [e["person"]["id"] for e in narrowed.json()["people"]]


def test_an_insider_gets_the_person_with_the_document(client: TestClient, callers: Callers) -> None:
    people = client.get("/experts", params={"q": TOPIC}, headers=callers.hr).json()["people"]
    assert TEAM not in [e["person"]["id"] for e in people]
    assert any(d["document_id"] == RESTRICTED for e in people for d in e["documents"])
