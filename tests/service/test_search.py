"""GET /search and GET /experts over the ingested corpus."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.conftest import Callers


def facet(body: dict[str, object], name: str) -> dict[str, int]:
    """A facet of a search response as {label: count}."""
    values = body["facets"][name]  # type: ignore[index]
    return {v["label"]: v["count"] for v in values}


def test_search_ranks_passages_and_marks_the_query_terms(client: TestClient) -> None:
    response = client.get("/search", params={"q": "hotel nights cap", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "hotel nights cap" and body["mode"] == "hybrid"
    top = body["passages"][0]
    assert top["title"] == "Travel and expense policy" and top["heading_path"] == ["Hotels"]
    assert "<mark>Hotel</mark> <mark>nights</mark> are <mark>capped</mark>" in top["highlight"]
    assert len(body["passages"]) <= 3
    assert [p["score"] for p in body["passages"]] == sorted(
        (p["score"] for p in body["passages"]), reverse=True
    )


def test_highlights_escape_the_passage_text(client: TestClient) -> None:
    body = client.get("/search", params={"q": "restart campus worker"}).json()
    runbook = next(p for p in body["passages"] if "systemctl" in p["text"])
    assert "<mark>restart</mark>" in runbook["highlight"]
    assert "<mark>campus</mark>-<mark>worker</mark>" in runbook["highlight"]
    assert "<" not in runbook["highlight"].replace("<mark>", "").replace("</mark>", "")


def test_facets_count_passages_by_kind_source_author_and_team(client: TestClient) -> None:
    body = client.get("/search", params={"q": "quiz"}).json()
    assert facet(body, "kinds") == {"wiki": 10}
    assert facet(body, "sources") == {"wiki": 10}
    authors = facet(body, "authors")
    assert authors == {"Ben Okoro": 4, "Ana Silva": 3, "Dev Patel": 3}
    assert facet(body, "teams") == {"Learning Design": 4, "Finance": 3, "Platform": 3}


def test_filters_narrow_the_passages_but_not_their_own_facet(client: TestClient) -> None:
    body = client.get("/search", params={"q": "quiz", "tags": "quiz", "kinds": "wiki"}).json()
    assert {p["title"] for p in body["passages"]} == {
        "Quiz standards (2025)",
        "Quiz standards (2022)",
    }
    assert facet(body, "authors") == {"Ben Okoro": 4}  # Ana only owns one of them
    by_team = client.get("/search", params={"q": "quiz", "teams": "Platform"}).json()
    assert {p["title"] for p in by_team["passages"]} == {
        "Campus LMS on-call runbook",
        "Password manager rules",
    }
    assert facet(by_team, "teams")["Learning Design"] == 4  # still offered
    blogs = client.get("/search", params={"q": "quiz", "kinds": ["blog", "video"]}).json()
    assert blogs["passages"] == [] and facet(blogs, "kinds") == {"wiki": 10}
    old = client.get("/search", params={"q": "quiz", "updated_to": "2023-12-31"}).json()
    assert {p["title"] for p in old["passages"]} == {"Quiz standards (2022)"}


def test_search_modes_and_bad_parameters(client: TestClient) -> None:
    for mode in ("dense", "sparse"):
        body = client.get("/search", params={"q": "password vault", "mode": mode}).json()
        assert body["mode"] == mode
        assert body["passages"][0]["title"] == "Password manager rules"
    for params in (
        {"q": ""},
        {"q": "x", "limit": "0"},
        {"q": "x", "mode": "fuzzy"},
        {"q": "x", "kinds": "email"},
        {"q": "x", "updated_from": "last week"},
    ):
        response = client.get("/search", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"], params


def test_experts_are_ranked_with_their_evidence(client: TestClient, callers: Callers) -> None:
    response = client.get("/experts", params={"q": "quiz attempts and pass mark"})
    assert response.status_code == 200
    people = response.json()["people"]
    assert people[0]["person"]["name"] == "Ben Okoro"
    titles = [d["title"] for d in people[0]["documents"]]
    assert titles[0] == "Quiz standards (2025)"
    assert "Quiz standards (2022)" in titles
    assert "superseded" in people[0]["why"]
    assert people[0]["local_time"].endswith("(Africa/Lagos)")
    ana = next(p for p in people if p["person"]["name"] == "Ana Silva")
    assert any(d["role"] == "owner" for d in ana["documents"])
    by_team = client.get("/experts", params={"q": "quiz", "teams": "Platform"}).json()
    assert [p["person"]["name"] for p in by_team["people"]] == ["Dev Patel"]
    assert client.get("/experts").status_code == 422
