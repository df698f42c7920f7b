"""The eval report's shape (report.json) and the /evals HTTP bodies: one contract for all.

The eval suite writes reports; the service serves them under /evals; the UI reads them.

One model for the three kinds of run the suite writes:

    golden     retrieval, people and answer metrics per system; per question: expected and
               retrieved documents, each generator's answer (`cited`: document ids)
    beir       retrieval metrics only; per question: expected and retrieved documents
    behaviour  (fitz-gov-cases) answer metrics per generator and `behaviour` per case type;
               per case: case type, the expected behaviour, each generator's answer
               (`cited`: the case's context numbers)

The writer validates every report against `EvalReport` before writing it, so what the suite
writes is what the readers parse. Fields a reader does not need stay loosely typed; unknown
fields are kept when parsing (`extra="allow"`), so an older reader still reads a newer report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DatasetKind = Literal["golden", "beir", "behaviour"]
# The retrievers a run compares (the report's `retrieval` keys).
RETRIEVERS = ("bm25", "dense", "hybrid", "hybrid+rerank", "llamaindex")
# The behaviour each fitz-gov case type expects, and the metric that says whether it was shown.
HEADLINE = {
    "abstention": "abstention_accuracy",
    "dispute": "dispute_flagged",
    "grounding": "no_forbidden_claims",
    "trustworthy_direct": "answer_rate",
    "trustworthy_hedged": "answer_rate",
}


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class MetricValue(_Open):
    """A metric's mean over the items with its bootstrap confidence interval."""

    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    n_excluded: int | None = None
    total: int | None = None  # leakage: how many items leaked


Metrics = dict[str, dict[str, MetricValue]]  # system (retriever or generator) → metric → value
# generator → case type → {"n": cases, metric: value}
BehaviourMetrics = dict[str, dict[str, dict[str, MetricValue | int]]]


class DatasetInfo(_Open):
    """What was run: the dataset's name, kind, version fields and item counts."""

    name: str
    kind: DatasetKind
    items_total: int | None = None
    items_run: int | None = None


class Goal(BaseModel):
    """A quality goal and whether the run met it."""

    goal: str
    value: float | None = None
    target: str | None = None
    met: bool | None = None


class AnswerDetail(_Open):
    """One generator's answer to one question or case, and its scores."""

    text: str = ""
    abstained: bool = False
    cited: list[int | str] = Field(default_factory=list)  # document ids, or context numbers
    citations: dict[int, str] = Field(default_factory=dict)  # marker → passage text
    people: list[str] = Field(default_factory=list)
    top_dense: float | None = None
    leaked: list[str] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)


class QuestionDetail(_Open):
    """One question (or behaviour case): what was expected and what each system did."""

    id: str
    question: str = ""
    user: str | None = None
    answerable: bool | None = None
    tags: list[str] = Field(default_factory=list)
    expected: list[str] = Field(default_factory=list)  # documents, or the case's behaviour
    expected_people: list[str] = Field(default_factory=list)
    retrieved: dict[str, list[str]] = Field(default_factory=dict)
    scores: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    people: dict[str, list[str]] = Field(default_factory=dict)
    answers: dict[str, AnswerDetail] = Field(default_factory=dict)
    case_type: str | None = None
    tier: str | None = None
    difficulty: str | None = None
    top_dense: float | None = None

    @field_validator("expected", mode="before")
    @classmethod
    def _one_behaviour_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class EvalReport(_Open):
    """A run's report.json."""

    id: str
    created: str
    dataset: DatasetInfo
    request: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    environment: dict[str, Any] = Field(default_factory=dict)
    corpus: dict[str, Any] = Field(default_factory=dict)
    timings: dict[str, Any] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    entailment: str | None = None
    retrieval: Metrics = Field(default_factory=dict)
    retrieval_leakage: dict[str, int] = Field(default_factory=dict)
    people: Metrics = Field(default_factory=dict)
    answers: Metrics = Field(default_factory=dict)
    behaviour: BehaviourMetrics = Field(default_factory=dict)
    by_tier: list[dict[str, Any]] = Field(default_factory=list)
    by_difficulty: list[dict[str, Any]] = Field(default_factory=list)
    by_tag: dict[str, dict[str, Any]] = Field(default_factory=dict)
    comparisons: list[dict[str, Any]] = Field(default_factory=list)
    calibration: dict[str, Any] | None = None
    goals: list[Goal] = Field(default_factory=list)
    questions: list[QuestionDetail] = Field(default_factory=list)
    charts: list[str] = Field(default_factory=list)


class EvalDataset(BaseModel):
    """A dataset an eval run can name."""

    name: str
    kind: DatasetKind
    items: int


class EvalRunRequest(BaseModel):
    """What to run: a dataset, retrievers, generators and an optional item limit."""

    dataset: str = Field(examples=["golden-smoke"])
    retrievers: list[str] = Field(default_factory=lambda: list(RETRIEVERS))
    generators: list[str] = Field(default_factory=lambda: ["extractive"])
    limit: int | None = Field(None, ge=1)


EvalRunStatus = Literal["running", "succeeded", "failed"]


class EvalRunStarted(BaseModel):
    """The id of a run just started."""

    id: str
    status: EvalRunStatus


class EvalRunSummary(EvalRunStarted):
    """A run as listed."""

    dataset: str = ""
    created: datetime | None = None

    @field_validator("created", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None


class EvalRun(EvalRunSummary):
    """A run with its report (report.json; null until it succeeded) and error."""

    report: EvalReport | None = None
    error: str | None = None
    error_code: str | None = None  # core/errors.py code of a failed run's error
