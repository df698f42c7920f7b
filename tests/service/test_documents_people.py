"""GET /documents/{id}, GET /people and GET /people/{id}."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.schema import document_id
from tests.service.conftest import Callers

NEW_STANDARD = document_id("wiki", "quiz-standards-2025.md")
OLD_STANDARD = document_id("wiki", "quiz-standards-2022.md")


def person_id(client: TestClient, name: str) -> str:
    """The id of a person in the directory, by name."""
    items = client.get("/people", params={"q": name}).json()["items"]
    return str(items[0]["id"])


def test_a_document_comes_with_its_text_metadata_and_chunk_spans(client: TestClient) -> None:
    response = client.get(f"/documents/{NEW_STANDARD}")
    assert response.status_code == 200
    doc = response.json()
    assert doc["title"] == "Quiz standards (2025)" and doc["kind"] == "wiki"
    assert doc["url"] == "https://wiki.example.com/quiz-standards-2025.md"
    assert [a["name"] for a in doc["authors"]] == ["Ben Okoro"]
    assert [o["name"] for o in doc["owners"]] == ["Ana Silva"]
    assert doc["tags"] == ["assessment", "quiz"] and doc["groups"] == []
    assert doc["chunks"], "the passages of the document"
    assert [c["position"] for c in doc["chunks"]] == list(range(len(doc["chunks"])))
    for chunk in doc["chunks"]:
        assert 0 <= chunk["start"] < chunk["end"] <= len(doc["text"])
    first = doc["chunks"][0]
    assert "80 percent" in doc["text"][first["start"] : first["end"]]
    assert first["heading_path"] == ["Pass mark"]


def test_a_superseded_document_points_to_its_successor(client: TestClient) -> None:
    doc = client.get(f"/documents/{OLD_STANDARD}").json()
    assert doc["superseded_by"] == NEW_STANDARD


def test_an_unknown_document_is_not_found(client: TestClient) -> None:
    response = client.get("/documents/0000000000000000")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "detail": "document '0000000000000000' not found",
    }


def test_people_are_listed_searched_and_paged(client: TestClient) -> None:
    everyone = client.get("/people").json()
    assert everyone["total"] == 4
    assert [p["name"] for p in everyone["items"]] == [
        "Ana Silva",
        "Ben Okoro",
        "Chloe Martin",
        "Dev Patel",
    ]
    found = client.get("/people", params={"q": "reliability"}).json()
    assert [p["name"] for p in found["items"]] == ["Dev Patel"]
    team = client.get("/people", params={"team": "Learning Design"}).json()
    assert [p["name"] for p in team["items"]] == ["Ben Okoro"]
    page = client.get("/people", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 4 and [p["name"] for p in page["items"]] == [
        "Chloe Martin",
        "Dev Patel",
    ]
    assert client.get("/people", params={"limit": 0}).status_code == 422


def test_a_profile_lists_documents_newest_first_and_topics(client: TestClient) -> None:
    response = client.get(f"/people/{person_id(client, 'Ben Okoro')}")
    assert response.status_code == 200
    profile = response.json()
    assert profile["person"]["team"] == "Learning Design"
    assert [d["title"] for d in profile["documents"]] == [
        "Quiz standards (2025)",
        "Quiz standards (2022)",
    ]
    assert {d["role"] for d in profile["documents"]} == {"author"}
    assert profile["topics"] == [
        {"tag": "assessment", "documents": 2},
        {"tag": "quiz", "documents": 2},
    ]
    ana = client.get(f"/people/{person_id(client, 'Ana Silva')}").json()
    roles = {d["title"]: d["role"] for d in ana["documents"]}
    assert roles == {"Travel and expense policy": "author", "Quiz standards (2025)": "owner"}


def test_an_unknown_person_is_not_found(client: TestClient, callers: Callers) -> None:
    response = client.get("/people/nobody-000000", headers=callers.reader)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
