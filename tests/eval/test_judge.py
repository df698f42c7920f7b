"""The OpenAI-compatible judge against a local stub server over real HTTP, and the judge factory."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings, get_settings
from core.embedding import Embedder
from core.errors import ConfigError, JudgeError
from eval.metrics.answers import citation_scores
from eval.metrics.entailment import LexicalEntailment
from eval.metrics.judge import (
    OpenAIJudge,
    entailment_name,
    make_entailment,
    parse_verdict,
)
from eval.request import RunRequest
from eval.runner import run_eval
from tests.core.generation.llm_stub import LLMStub, Prompt, free_port, serve

MEALS = "Meals on business trips are reimbursed up to 55 EUR per day."


def by_numbers(prompt: Prompt) -> str:
    """A stub judge: yes when every number of the statement occurs in the passage."""
    passage = re.search(r"Passage:\n(.*?)\n\nStatement:", prompt.user, re.DOTALL)
    statement = re.search(r"Statement: (.*)\n", prompt.user)
    assert passage and statement, prompt.user
    wanted = re.findall(r"\d+", statement.group(1))
    return "Yes." if all(n in passage.group(1) for n in wanted) else "No"


@pytest.fixture(scope="module")
def server() -> Iterator[LLMStub]:
    yield from serve(LLMStub())


@pytest.fixture
def stub(server: LLMStub) -> LLMStub:
    server.reset()
    server.reply = by_numbers
    return server


def judge_for(stub: LLMStub, **options: float) -> OpenAIJudge:
    return OpenAIJudge(f"{stub.url}/v1", "judge-model", api_key="k", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reply", "verdict"),
    [
        ("Yes", True),
        ("no.", False),
        ("**Yes**", True),
        (' "no", the passage says 40', False),
        ("Yes, it is supported.", True),
        ("Nope", None),
        ("Yesterday", None),
        ("The answer is yes", None),
        ("", None),
    ],
)
def test_verdicts_are_read_from_the_start_of_the_reply(reply: str, verdict: bool | None) -> None:
    assert parse_verdict(reply) is verdict


def test_the_judge_asks_at_temperature_zero_and_caches(stub: LLMStub) -> None:
    judge = judge_for(stub)
    assert judge(MEALS, "Meals are paid up to 55 EUR a day.") is True
    assert judge(MEALS, "Meals are paid up to 70 EUR a day.") is False
    body = stub.requests[0]
    assert body["model"] == "judge-model" and body["temperature"] == 0
    assert body["max_tokens"] <= 5
    assert MEALS in stub.last_prompt.user and "yes or no" in stub.last_prompt.system
    assert judge(MEALS, "Meals are paid up to 55 EUR a day.") is True
    assert len(stub.requests) == 2 and judge.calls == 2  # the repeat came from the cache
    assert judge("  ", "anything") is False and len(stub.requests) == 2
    assert entailment_name(judge).startswith("OpenAIJudge(model='judge-model')")


def test_citation_scores_through_the_judge(stub: LLMStub) -> None:
    answer = "Meals are paid up to 55 EUR a day [1]. Hotels cost at most 120 EUR [1][2]."
    passages = {1: MEALS, 2: "Hotels are booked through the travel desk."}
    scores = citation_scores(answer, passages, judge_for(stub))
    assert scores.recall == 0.5  # 120 occurs in no passage
    assert scores.precision == pytest.approx(1 / 3)


def test_a_reply_without_a_verdict_is_an_error(stub: LLMStub) -> None:
    stub.reply = lambda prompt: "It depends on the policy."
    with pytest.raises(JudgeError, match="neither yes nor no: 'It depends"):
        judge_for(stub)(MEALS, "Meals are paid.")


def test_timeouts_are_reported_not_retried(stub: LLMStub) -> None:
    stub.delay_s = 1.0
    with pytest.raises(JudgeError, match=r"timed out after 0.2 s"):
        judge_for(stub, timeout_s=0.2)(MEALS, "Meals are paid.")
    assert len(stub.requests) == 1


def test_server_errors_are_retried_then_reported(stub: LLMStub) -> None:
    stub.status = 500
    with pytest.raises(JudgeError, match=r"answered HTTP 500: .*stub failure"):
        judge_for(stub, max_retries=1)(MEALS, "Meals are paid.")
    assert len(stub.requests) == 2
    stub.status = 401
    with pytest.raises(JudgeError, match="HTTP 401"):
        judge_for(stub, max_retries=2)(MEALS, "Meals are paid.")
    assert len(stub.requests) == 3  # a client error is not retried


def test_an_unreachable_judge_is_reported() -> None:
    judge = OpenAIJudge(f"http://127.0.0.1:{free_port()}/v1", "m", max_retries=0)
    with pytest.raises(JudgeError, match=r"cannot reach the judge at http://127\.0\.0\.1"):
        judge(MEALS, "Meals are paid.")


def test_the_factory_checks_the_settings(tmp_path: Path) -> None:
    settings = get_settings(data_dir=tmp_path)
    assert isinstance(make_entailment("lexical", settings), LexicalEntailment)
    with pytest.raises(ConfigError, match=r"judge_base_url and eval\.judge_model"):
        make_entailment("openai", settings)
    with pytest.raises(ConfigError, match=r"python -m eval\.weights qwen"):
        make_entailment("qwen", settings)
    with pytest.raises(ConfigError, match="unknown judge"):
        make_entailment("nli", settings)
    configured = get_settings(
        data_dir=tmp_path, eval={"judge_base_url": "http://127.0.0.1:1/v1", "judge_model": "m"}
    )
    assert isinstance(make_entailment("openai", configured), OpenAIJudge)


def test_a_behaviour_run_judged_by_the_endpoint(
    stub: LLMStub, embedder: Embedder, tmp_path: Path
) -> None:
    settings: Settings = get_settings(
        data_dir=tmp_path,
        eval={"judge": "openai", "judge_base_url": f"{stub.url}/v1", "judge_model": "judge-model"},
    )
    request = RunRequest("fitz-gov-cases", generators=["extractive"], limit=6)
    run_dir = run_eval(request, settings, runs_dir=tmp_path / "runs", embedder=embedder)
    report = json.loads((run_dir / "report.json").read_text())
    assert report["judge"] == "openai" and report["entailment"].startswith("OpenAIJudge")
    assert stub.requests, "the run asked the judge"
    answered = [q for q in report["questions"] if not q["answers"]["extractive"]["abstained"]]
    assert answered and all(
        q["answers"]["extractive"]["scores"]["citation_recall"] is not None for q in answered
    )
    assert "Citation support: OpenAIJudge" in (run_dir / "report.md").read_text()
