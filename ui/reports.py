"""What the admin pages read: ingestion jobs and their reports, eval datasets, runs, reports."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from core.api import (
    IngestJob as IngestJob,
    StageProgress as StageProgress,
)


class SourceCounts(BaseModel):
    """What one job did to one source."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    chunks: int = 0


class Failure(BaseModel):
    """A file that could not be ingested, and why."""

    source: str
    path: str
    reason: str


class IngestReport(BaseModel):
    """The report of a finished job."""

    sources: dict[str, SourceCounts] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)
    unknown_people: list[str] = Field(default_factory=list)
    orphans_removed: int = 0
    seconds: float = 0.0
    totals: SourceCounts = Field(default_factory=SourceCounts)
    chunks_per_s: float = 0.0


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


class EvalQuestion(BaseModel):
    """One question of a run: what was expected, what each retriever returned, the scores."""

    id: str
    question: str = ""
    expected: list[str] = Field(default_factory=list)
    retrieved: dict[str, list[str]] = Field(default_factory=dict)
    scores: dict[str, dict[str, float | None]] = Field(default_factory=dict)


class Goal(BaseModel):
    """A quality goal and whether the run met it."""

    goal: str
    value: float | None = None
    target: float | str | None = None
    met: bool | None = None


Metrics = dict[str, dict[str, MetricValue]]  # system (retriever or generator) → metric → value


class EvalReport(BaseModel):
    """A run's report (report.json): metrics per system, goals, per-question details."""

    retrieval: Metrics = Field(default_factory=dict)
    people: Metrics = Field(default_factory=dict)
    answers: Metrics = Field(default_factory=dict)
    goals: list[Goal] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)
    questions: list[EvalQuestion] = Field(default_factory=list)


class EvalRun(EvalRunSummary):
    """An eval run with its report once it has finished."""

    report: EvalReport | None = None
    error: str | None = None
