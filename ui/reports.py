"""What the admin pages read: ingestion jobs and their reports, eval datasets, runs, reports."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from core.api import (
    IngestJob as IngestJob,
    IngestSummary as IngestSummary,
    StageProgress as StageProgress,
)


class EvalDataset(BaseModel):
    """A dataset the service can evaluate on."""

    name: str
    kind: str
    items: int | None = None


class EvalRunSummary(BaseModel):
    """An eval run as listed."""

    id: str
    dataset: str | None = None
    created: datetime | None = None
    status: str

    @field_validator("created", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return value or None


class MetricValue(BaseModel):
    """A metric's mean over the items with its bootstrap confidence interval."""

    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None


class CaseAnswer(BaseModel):
    """A generator's answer to a behaviour case, and its scores."""

    text: str = ""
    abstained: bool = False
    cited: list[int] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)


class EvalQuestion(BaseModel):
    """One question of a run: what was expected, what each retriever returned, the scores.

    A behaviour case (fitz-gov-cases) has a case type, one expected behaviour and, instead
    of retrieved documents, each generator's answer.
    """

    id: str
    question: str = ""
    expected: list[str] = Field(default_factory=list)
    retrieved: dict[str, list[str]] = Field(default_factory=dict)
    scores: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    case_type: str | None = None
    answers: dict[str, CaseAnswer] = Field(default_factory=dict)

    @field_validator("expected", mode="before")
    @classmethod
    def _one_behaviour_is_a_list(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Goal(BaseModel):
    """A quality goal and whether the run met it."""

    goal: str
    value: float | None = None
    target: float | str | None = None
    met: bool | None = None


Metrics = dict[str, dict[str, MetricValue]]  # system (retriever or generator) → metric → value
# generator → case type → {"n": cases, metric: value}
BehaviourMetrics = dict[str, dict[str, dict[str, MetricValue | int]]]


class EvalReport(BaseModel):
    """A run's report (report.json): metrics per system, goals, per-question details."""

    retrieval: Metrics = Field(default_factory=dict)
    people: Metrics = Field(default_factory=dict)
    answers: Metrics = Field(default_factory=dict)
    behaviour: BehaviourMetrics = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)
    questions: list[EvalQuestion] = Field(default_factory=list)


class EvalRun(EvalRunSummary):
    """An eval run with its report once it has finished."""

    report: EvalReport | None = None
    error: str | None = None
