"""POST /ask, POST /ask/stream and POST /feedback over the ingested corpus."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.core.generation.llm_stub import LLMStub, Prompt
from tests.service.conftest import Callers, components

PASS_MARK = "What is the default pass mark for scored quizzes?"


def sse_events(raw: str) -> list[tuple[str, object]]:
    """(event, decoded data) of each frame of an event stream."""
    events = []
    for frame in raw.replace("\r\n", "\n").split("\n\n"):
        lines = frame.strip().splitlines()
        name = next((ln[7:] for ln in lines if ln.startswith("event: ")), None)
        data = "\n".join(ln[6:] for ln in lines if ln.startswith("data: "))
        if name:
            events.append((name, json.loads(data)))
    return events


def test_an_answer_cites_the_current_standard_and_names_its_author(client: TestClient) -> None:
    response = client.post("/ask", json={"question": PASS_MARK})
    assert response.status_code == 200
    answer = response.json()
    assert "80 percent" in answer["text"] and "[1]" in answer["text"]
    assert not answer["abstained"] and answer["confidence"] > 0
    cited = answer["citations"][0]
    assert cited["marker"] == 1 and cited["title"] == "Quiz standards (2025)"
    assert cited["url"] == "https://wiki.example.com/quiz-standards-2025.md"
    assert answer["people"][0]["person"]["name"] == "Ben Okoro"
    assert answer["people"][0]["documents"], "people come with their evidence"
    assert {"retrieve", "generate", "total"} <= set(answer["timings_ms"])
    assert answer["question_id"]


def test_every_question_is_logged_with_its_answer_and_caller(
    client: TestClient, callers: Callers
) -> None:
    body = {"question": PASS_MARK, "filters": {"tags": ["quiz"]}, "top_k": 3}
    answer = client.post("/ask", json=body, headers=callers.reader).json()
    logged = components(client).questions.get(answer["question_id"])
    assert logged.user_id == "bob" and logged.groups == []
    assert logged.question == PASS_MARK
    assert logged.filters == {"tags": ["quiz"]}
    assert logged.generator == "extractive"
    assert logged.answer == answer["text"]
    assert logged.cited_document_ids == [c["document_id"] for c in answer["citations"]]
    assert logged.people_ids == [e["person"]["id"] for e in answer["people"]]
    assert logged.confidence == answer["confidence"] and not logged.abstained
    assert logged.timings_ms == answer["timings_ms"]


def test_feedback_is_stored_against_the_question(client: TestClient, callers: Callers) -> None:
    answer = client.post("/ask", json={"question": PASS_MARK}, headers=callers.reader).json()
    body = {
        "question_id": answer["question_id"],
        "rating": "wrong_citation",
        "marker": 1,
        "comment": "cites the old standard",
    }
    response = client.post("/feedback", json=body, headers=callers.reader)
    assert response.status_code == 201
    assert response.json()["rating"] == "wrong_citation"
    stored = components(client).questions.feedback(question_id=answer["question_id"])
    assert [(f.rating, f.marker, f.comment, f.user_id) for f in stored] == [
        ("wrong_citation", 1, "cites the old standard", "bob")
    ]


def test_feedback_on_someone_elses_or_an_unknown_question_is_not_found(
    client: TestClient, callers: Callers
) -> None:
    answer = client.post("/ask", json={"question": PASS_MARK}, headers=callers.hr).json()
    other = {"question_id": answer["question_id"], "rating": "helpful"}
    assert client.post("/feedback", json=other, headers=callers.reader).status_code == 404
    assert client.post("/feedback", json=other, headers=callers.admin).status_code == 201
    unknown = {"question_id": "no-such-question", "rating": "helpful"}
    assert client.post("/feedback", json=unknown).status_code == 404
    bad = {"question_id": answer["question_id"], "rating": "meh"}
    assert client.post("/feedback", json=bad, headers=callers.hr).status_code == 422


def test_an_off_topic_question_abstains_but_still_names_people(client: TestClient) -> None:
    answer = client.post("/ask", json={"question": "Best sourdough bread recipe?"}).json()
    assert answer["abstained"] is True
    assert answer["text"] == "I couldn't find this in the content you can access."
    assert answer["citations"] == [] and answer["confidence"] == 0
    assert answer["people"], "the people most likely to know are named all the same"
    logged = components(client).questions.get(answer["question_id"])
    assert logged.abstained and logged.cited_document_ids == []


def test_invalid_questions_are_rejected_with_readable_messages(client: TestClient) -> None:
    for body, field in (
        ({"question": "   "}, "question"),
        ({"question": "x" * 2001}, "question"),
        ({}, "question"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "filters": {"kinds": ["email"]}}, "filters.kinds.0"),
        ({"question": "ok?", "colour": "blue"}, "colour"),
    ):
        response = client.post("/ask", json=body)
        assert response.status_code == 422, body
        error = response.json()
        assert error["error"] == "validation_error"
        assert field in [e["field"] for e in error["errors"]], error
        assert field in error["detail"]


def test_an_unavailable_generator_is_a_bad_request(client: TestClient) -> None:
    response = client.post("/ask", json={"question": PASS_MARK, "generator": "local"})
    assert response.status_code == 400
    assert "local_model_path" in response.json()["detail"]
    stream = client.post("/ask/stream", json={"question": PASS_MARK, "generator": "local"})
    assert stream.status_code == 400


def test_the_llm_generator_answers_through_its_endpoint(
    client: TestClient, llm_stub: LLMStub
) -> None:
    def reply(prompt: Prompt) -> str:
        number = next(n for n, label in prompt.labels.items() if "2025" in label)
        return f"Scored quizzes pass at 80 percent [{number}]."

    llm_stub.reply = reply
    answer = client.post("/ask", json={"question": PASS_MARK, "generator": "llm"}).json()
    assert answer["generator"] == "llm"
    assert answer["text"] == "Scored quizzes pass at 80 percent [1]."
    assert answer["citations"][0]["title"] == "Quiz standards (2025)"


def test_an_llm_error_is_a_bad_gateway_and_a_timeout_a_gateway_timeout(
    client: TestClient, llm_stub: LLMStub
) -> None:
    body = {"question": PASS_MARK, "generator": "llm"}
    llm_stub.status = 500
    failed = client.post("/ask", json=body)
    assert failed.status_code == 502
    assert failed.json()["error"] == "generator_failed"
    assert "HTTP 500" in failed.json()["detail"]
    llm_stub.status, llm_stub.delay_s = 200, 3.0
    slow = client.post("/ask", json=body)
    assert slow.status_code == 504
    assert "timed out" in slow.json()["detail"]


def test_a_streamed_answer_sends_tokens_citations_people_then_done(client: TestClient) -> None:
    with client.stream("POST", "/ask/stream", json={"question": PASS_MARK}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())
    names = [name for name, _ in events]
    first_other = names.index("citations")
    assert first_other > 0 and set(names[:first_other]) == {"token"}
    assert names[first_other:] == ["citations", "people", "done"]
    done = events[-1][1]
    assert isinstance(done, dict)
    assert "".join(str(data) for name, data in events if name == "token") == done["text"]
    assert events[first_other][1] == done["citations"]
    assert events[first_other + 1][1] == done["people"]
    assert components(client).questions.get(done["question_id"]).answer == done["text"]


def test_a_generator_failure_mid_stream_is_an_error_event(
    client: TestClient, llm_stub: LLMStub
) -> None:
    llm_stub.status = 503
    body = {"question": PASS_MARK, "generator": "llm"}
    with client.stream("POST", "/ask/stream", json=body) as response:
        assert response.status_code == 200  # the status line went out before the LLM was asked
        events = sse_events(response.read().decode())
    assert events[-1][0] == "error"
    error = events[-1][1]
    assert isinstance(error, dict)
    assert error["status"] == 502 and "HTTP 503" in error["detail"]
    assert "done" not in [name for name, _ in events]
