"""The UI's HTTP client against the real service: typed answers and one error per failure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from core.client import (
    BadRequest,
    CitationsEvent,
    DoneEvent,
    Filters,
    Forbidden,
    NotFound,
    PeopleEvent,
    ServiceUnavailable,
    TokenEvent,
    Unauthorized,
    WatercoolerClient,
)
from core.client.sse import frames
from tests.ui.conftest import MEAL_QUESTION, SAMPLE_DOCUMENTS, Service, dead_url


@pytest.fixture
def client(service: Service) -> Iterator[WatercoolerClient]:
    with WatercoolerClient(service.url, timeout=30) as http:
        yield http


def test_health_answers_and_questions_are_typed(client: WatercoolerClient) -> None:
    health = client.health()
    assert health.status == "ok" and health.auth_mode == "open"
    # A caller is counted only the documents they may see (some are in access groups).
    assert 0 < health.counts.documents < SAMPLE_DOCUMENTS and "extractive" in health.generators
    answer = client.ask(MEAL_QUESTION)
    assert answer.citations and answer.citations[0].marker == 1 and answer.question_id
    assert answer.people and answer.people[0].person.email
    stored = client.feedback(answer.question_id, "wrong_citation", marker=1)
    assert stored.rating == "wrong_citation" and stored.marker == 1


def test_the_answer_streams_as_typed_events(client: WatercoolerClient) -> None:
    events = list(client.ask_stream(MEAL_QUESTION))
    assert isinstance(events[0], TokenEvent)
    assert [type(e) for e in events[-3:]] == [CitationsEvent, PeopleEvent, DoneEvent]
    done = events[-1]
    assert isinstance(done, DoneEvent)
    text = "".join(e.text for e in events if isinstance(e, TokenEvent))
    assert text == done.answer.text and "[1]" in text


def test_search_people_and_documents(client: WatercoolerClient) -> None:
    found = client.search("package size", filters=Filters(kinds=["wiki"]), limit=5)
    assert found.passages and {p.kind for p in found.passages} == {"wiki"}
    assert {f.value for f in found.facets.kinds} >= {"wiki", "doc"}  # a facet ignores its filter
    dated = client.search("package size", filters=Filters(updated_from=date(2030, 1, 1)))
    assert dated.passages == []
    experts = client.experts("Content Hub publisher role")
    assert "Kwame Mensah" in [e.person.name for e in experts[:3]]
    people = client.people(team="Learning Design")
    assert people.total == 3
    profile = client.person(people.items[0].id)
    assert profile.documents and profile.person.team == "Learning Design"
    doc = client.document(found.passages[0].document_id)
    assert doc.text and doc.chunks


def test_failures_become_clear_errors(service: Service, client: WatercoolerClient) -> None:
    with pytest.raises(NotFound):
        client.document("no-such-document")
    with pytest.raises(BadRequest, match="generator 'llm' is not available"):
        client.ask(MEAL_QUESTION, generator="llm")
    with pytest.raises(BadRequest, match="question"):
        client.ask("   ")
    with pytest.raises(Forbidden, match="Your role may not do this"):
        client.ingest_jobs()
    with WatercoolerClient(service.url, "wc_bad") as bad, pytest.raises(Unauthorized) as refused:
        bad.search("anything")
    assert str(refused.value).startswith("Your API key was refused")
    url = dead_url()
    with WatercoolerClient(url, timeout=2) as down, pytest.raises(ServiceUnavailable) as caught:
        down.health()
    assert f"The Watercooler service at {url} is not answering" in str(caught.value)


def test_server_sent_events_are_parsed() -> None:
    lines = ["event: token", 'data: "a"', "", ": a comment", "data: x", "data: y", "", "data: z"]
    assert list(frames(iter(lines))) == [("token", '"a"'), ("message", "x\ny"), ("message", "z")]


@pytest.mark.parametrize("warn", [True, False])
def test_a_probe_that_finds_no_service_does_not_warn(
    warn: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level("DEBUG", logger="core.client.http"),
        WatercoolerClient(dead_url(), timeout=2, warn_unavailable=warn) as http,
        pytest.raises(ServiceUnavailable),
    ):
        http.health()
    levels = [r.levelname for r in caplog.records if r.message == "service call failed"]
    # the ingest CLI probes for a running service on every run: no answer is normal there
    assert levels == (["WARNING"] if warn else ["DEBUG"])
