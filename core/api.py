"""The service's HTTP response bodies: the contract between the service and its clients.

The service answers with these models and the UI parses them, so both import them from here
(apps never import each other). Unknown fields are ignored when parsing.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from core.schema import Answer, ModerationBadge, Passage, Person, PersonRef, Rating, SourceKind

# C0 controls and DEL except tab, newline and carriage return: no request text gives them a
# meaning, and a NUL stored in the database breaks PostgreSQL text and every export.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(value: str) -> str:
    """The value, unless it holds a control character (tab and newlines are allowed)."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("control characters (such as NUL) are not allowed")
    return value


def looks_like_jwt(token: str) -> bool:
    """Whether a bearer credential is a JWT (three base64url parts) rather than an API key."""
    parts = token.split(".")
    return len(parts) == 3 and all(parts) and token.startswith("eyJ")


# Request text: a string without control characters.
Text = Annotated[str, AfterValidator(no_control_characters)]


class AskResponse(Answer):
    """The answer, and the id under which the question was logged (for feedback)."""

    question_id: str


class FeedbackResponse(BaseModel):
    """Stored feedback."""

    id: int
    question_id: str
    rating: Rating
    marker: int | None = None
    comment: str | None = None
    created: datetime


class FacetValue(BaseModel):
    """One value of a facet and how many matching passages have it."""

    value: str
    label: str
    count: int


class Facets(BaseModel):
    """Passage counts under the caller's access and the other filters."""

    kinds: list[FacetValue] = Field(default_factory=list)
    sources: list[FacetValue] = Field(default_factory=list)
    authors: list[FacetValue] = Field(default_factory=list)
    teams: list[FacetValue] = Field(default_factory=list)
    # verified / needs_review / outdated / unreviewed: read from the database, never cached
    states: list[FacetValue] = Field(default_factory=list)


class SearchHit(Passage):
    """A ranked passage with its text HTML-escaped and the query terms in <mark>."""

    highlight: str


class SearchResponse(BaseModel):
    """Ranked passages and facets."""

    query: str
    mode: str
    passages: list[SearchHit]
    facets: Facets
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ChunkSpan(BaseModel):
    """Where a chunk of a document lies in its text (and in time, for videos)."""

    id: str
    position: int
    start: int
    end: int
    heading_path: list[str] = Field(default_factory=list)
    time_start: float | None = None
    time_end: float | None = None


class DocumentResponse(BaseModel):
    """A document: its text, metadata and chunk spans."""

    id: str
    source: str
    kind: SourceKind
    title: str
    url: str | None = None
    path: str | None = None
    authors: list[PersonRef] = Field(default_factory=list)
    owners: list[PersonRef] = Field(default_factory=list)
    created: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    superseded_by: str | None = None
    moderation: ModerationBadge | None = Field(None, description="a trainer's state, flags")
    text: str
    chunks: list[ChunkSpan] = Field(default_factory=list)


class Examples(BaseModel):
    """Example questions for the Ask page (none when there is nothing to suggest)."""

    questions: list[str] = Field(default_factory=list)


ModerationStateName = Literal["verified", "needs_review", "outdated"]


class ModerationStateOut(BaseModel):
    """The current state of a document (chunk_id "") or of one of its passages, as the API
    sends it; core.moderation.ModerationState is this plus its document id."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str = ""
    state: ModerationStateName
    by: str
    updated: datetime
    note: str | None = None
    reason: str | None = None
    expires_at: datetime | None = None
    replaced_by: str | None = None


class ModerationEventOut(BaseModel):
    """One change of state: who, when, from, to, note."""

    chunk_id: str = ""
    at: datetime
    who: str
    from_state: str | None = None
    to_state: str
    note: str | None = None


class FlagOut(BaseModel):
    """A reader's open flag on a passage."""

    id: int
    chunk_id: str = ""
    user_id: str | None = Field(None, description="shown to trainers and admins only")
    kind: Literal["outdated", "wrong", "unclear"]
    note: str | None = None
    created: datetime


class DocumentHistory(BaseModel):
    """A document's moderation: its badge, current states, every change, open flags."""

    document_id: str
    title: str
    moderation: ModerationBadge | None = None
    states: list[ModerationStateOut] = Field(default_factory=list)
    events: list[ModerationEventOut] = Field(default_factory=list)
    flags: list[FlagOut] = Field(default_factory=list)


class ReviewItemOut(BaseModel):
    """A document in the review queue: why, how much it matters, who is accountable."""

    document_id: str
    title: str
    reasons: list[str]
    impact: float
    reviewer: str | None = None
    reviewer_name: str | None = None
    state: ModerationBadge | None = None
    cited_30d: int = 0
    negative_30d: int = 0
    flaggers: int = 0
    age_days: int = 0
    snoozed_until: datetime | None = None
    snooze_reason: str | None = None


class ReviewQueue(BaseModel):
    """The review queue, highest impact first (formula: core/review.py)."""

    total: int
    items: list[ReviewItemOut] = Field(default_factory=list)


class PeoplePage(BaseModel):
    """A page of the people directory."""

    total: int
    limit: int
    offset: int
    items: list[Person]


class ProfileDocument(BaseModel):
    """A document someone wrote or owns (one the caller may see)."""

    document_id: str
    title: str
    kind: SourceKind
    url: str | None = None
    role: Literal["author", "owner"]
    updated: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    superseded_by: str | None = Field(None, description="the newer document that replaces it")


class Topic(BaseModel):
    """A tag and in how many of the person's documents it appears."""

    tag: str
    documents: int


class PersonProfile(BaseModel):
    """A person, their visible documents and their topics."""

    person: Person
    documents: list[ProfileDocument]
    topics: list[Topic]


class StageProgress(BaseModel):
    """Items done in a pipeline stage, and the total when known."""

    done: int
    total: int | None = None


class SourceCounts(BaseModel):
    """Documents per outcome and chunks written, for one source (or all)."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    chunks: int = 0


class IngestFailure(BaseModel):
    """An item that could not be ingested, and why."""

    source: str
    path: str
    reason: str


class IngestWarning(BaseModel):
    """A document ingested without a metadata value that could not be read."""

    source: str
    path: str
    field: str
    value: str
    reason: str


class IngestSummary(BaseModel):
    """The report of a finished ingestion job."""

    sources: dict[str, SourceCounts] = Field(default_factory=dict)
    failures: list[IngestFailure] = Field(default_factory=list)
    notes: list[IngestFailure] = Field(
        default_factory=list, description="items ingested with a remark (a name kept escaped)"
    )
    warnings: list[IngestWarning] = Field(
        default_factory=list, description="documents ingested without an unreadable metadata value"
    )
    unknown_people: list[str] = Field(default_factory=list)
    orphans_removed: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    totals: SourceCounts = Field(default_factory=SourceCounts)
    chunks_per_s: float = 0.0


class IngestJob(BaseModel):
    """An ingestion job: status, live progress while it runs, and its report."""

    id: str
    status: Literal["running", "succeeded", "failed"]
    source: str | None = None
    started: datetime
    finished: datetime | None = None
    progress: dict[str, StageProgress] = Field(default_factory=dict)
    report: IngestSummary | None = None
    error: str | None = None
    error_code: str | None = Field(None, description="the error's kind (core/errors.py codes)")


class IndexHealth(BaseModel):
    """The vector index as the service sees it."""

    backend: str
    model: str | None = None
    dimension: int | None = None
    chunker_version: str | None = None


class Counts(BaseModel):
    """What the service holds."""

    documents: int | None = None
    chunks: int | None = None
    people: int | None = None


class Health(BaseModel):
    """Whether the service can answer, and if not, why.

    A caller without a key in keys mode gets `status` and `auth_mode` only; counts are of
    what the caller may see.
    """

    status: Literal["ok", "unavailable"]
    problems: list[str] = Field(default_factory=list)
    index: IndexHealth | None = None
    embedding_model: str | None = None
    counts: Counts = Field(default_factory=Counts)
    database_reachable: bool | None = None
    generators: list[str] = Field(default_factory=list)
    auth_mode: str
    ingest_job: str | None = Field(None, description="id of the running ingestion job")


# Insights (core/insights/): what people ask, why topics fail, which training is needed.
Reason = Literal[
    "no_content", "stale_content", "conflicting_sources", "retrieval_miss", "restricted"
]
Trend = Literal["new", "growing", "steady", "declining"]


class TeamShare(BaseModel):
    """How much one team asks about a topic (shown only for teams of at least k askers)."""

    team: str
    askers: int
    questions: int


class TopicDocument(BaseModel):
    """A document cited for a topic, with whether it is stale and who owns it."""

    document_id: str
    title: str
    citations: int
    stale: str | None = Field(None, description="why it is stale: outdated, superseded, ...")
    owners: list[PersonRef] = Field(default_factory=list)


class TopicQuestion(BaseModel):
    """One question of a topic, without its asker."""

    question: str
    asked: datetime
    outcome: Literal["answered", "abstained", "not_helpful"]
    reason: Reason | None = None


class TopicSummary(BaseModel):
    """One topic of the period: demand, trend, outcomes, reasons, documents, people, teams."""

    id: int
    label: str
    keywords: list[str]
    questions: int
    weekly: list[int] = Field(description="questions per week of the period, oldest first")
    trend: Trend
    answered: float = Field(description="share answered (not abstained)")
    abstained: float
    not_helpful: float = Field(description="share rated not helpful or wrong citation")
    failed: int = Field(description="questions abstained or rated not helpful")
    escalated: float = Field(0.0, description="share sent to an expert (ask an expert)")
    reasons: dict[Reason, int] = Field(default_factory=dict)
    documents: list[TopicDocument] = Field(default_factory=list)
    hidden_documents: int = Field(0, description="cited documents the caller may not see")
    experts: list[Person] = Field(default_factory=list)
    teams: list[TeamShare] = Field(default_factory=list)
    teams_hidden: int = Field(0, description="teams with fewer than k askers, not shown")
    examples: list[str] = Field(default_factory=list)


class StaleDocument(BaseModel):
    """A stale document answers still cite, ranked by impact (core/insights/stale.py)."""

    document_id: str
    title: str
    stale: str = Field(description="outdated, superseded, needs review, verification expired…")
    citations: int = Field(description="answers of the period citing it")
    negative: int = Field(description="of those, rated not helpful or wrong citation")
    impact: float
    owners: list[PersonRef] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description="topics whose answers cite it")


class InsightsReport(BaseModel):
    """The topics of a period of the question log."""

    period_start: datetime
    period_end: datetime
    questions: int
    other_questions: int = Field(0, description="questions in no topic")
    weeks: list[datetime] = Field(default_factory=list, description="start of each week")
    topics: list[TopicSummary] = Field(default_factory=list)
    stale_documents: list[StaleDocument] = Field(
        default_factory=list, description="content to fix: stale documents by impact"
    )
    stale_hidden: int = Field(0, description="stale cited documents the caller may not see")
    message: str | None = Field(None, description="why there are no topics, when there are none")
    approximations: list[str] = Field(default_factory=list)


class TopicDetail(BaseModel):
    """A topic and its questions (drill-down)."""

    topic: TopicSummary
    questions: list[TopicQuestion]


class TrainingNeed(BaseModel):
    """A new program to create, or a program to change, with its evidence."""

    rank: int
    action: Literal["new_program", "change_program"]
    score: float
    topic_id: int
    topic: str
    program: str | None = None
    program_owner: str | None = None
    similarity: float | None = None
    questions: int
    failed_share: float
    trend: Trend
    reasons: dict[Reason, int] = Field(default_factory=dict)
    evidence: str
    examples: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    experts: list[str] = Field(default_factory=list)


class TrainingNeeds(BaseModel):
    """The training-needs report of a period, ranked by score (core/insights/needs.py)."""

    period_start: datetime
    period_end: datetime
    programs: int = Field(description="programs in the training catalogue")
    needs: list[TrainingNeed] = Field(default_factory=list)
    message: str | None = None


class TrainingProgram(BaseModel):
    """A program of the training catalogue."""

    title: str
    description: str
    owner: str | None = None
    audience: str | None = None
    last_revised: date | None = None


# -- Ask an expert (core/expert_requests.py) -------------------------------------------------

MAX_ANSWER_CHARS = 100_000  # an expert's answer; longer belongs in a document
MAX_NOTE_CHARS = 2_000


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty or only whitespace")
    return text


class Me(BaseModel):
    """Who is calling: the key's user and the directory person it stands for."""

    user_id: str
    role: str
    groups: list[str] = Field(default_factory=list)
    person: Person | None = None
    demo: bool = Field(False, description="an open-mode demo identity, not authenticated")
    auth_mode: Literal["open", "keys"]


class EscalateRequest(BaseModel):
    """Send a logged question to a person (`to`, a directory person id) or the best available."""

    to: str | None = Field(None, max_length=255, description="person id; empty: best available")
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)


GroupName = Annotated[str, Field(max_length=255), AfterValidator(_not_blank)]


class AnswerRequest(BaseModel):
    """An expert's answer to a request, and who may read it."""

    text: Annotated[str, AfterValidator(_not_blank)] = Field(
        min_length=1, max_length=MAX_ANSWER_CHARS
    )
    audience: list[GroupName] | None = Field(
        None,
        max_length=50,
        description="null: everyone who could see the question's evidence (default); "
        "[]: everyone; else these access groups",
    )


class ForwardRequest(BaseModel):
    """Hand a request to another person (a directory person id), with a note."""

    to: str = Field(min_length=1, max_length=255)
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)


class Notification(BaseModel):
    """One message of the outbox, as admins see it (sent, waiting, retried or given up)."""

    id: int
    channel: str
    recipient: str
    subject: str
    created: datetime | None = None
    due: datetime | None = Field(None, description="next attempt (a recipient's working day)")
    attempts: int
    sent: datetime | None = None
    failed: datetime | None = Field(None, description="given up after the last attempt")
    last_error: str | None = None


class Notifications(BaseModel):
    """The newest messages of the outbox."""

    items: list[Notification] = Field(default_factory=list)


class DeclineRequest(BaseModel):
    """Why an expert declines a request."""

    reason: Annotated[str, AfterValidator(_not_blank)] = Field(
        min_length=1, max_length=MAX_NOTE_CHARS
    )


class AwayRequest(BaseModel):
    """Mark oneself away until a moment (null: back now)."""

    until: datetime | None = None


class RequestStep(BaseModel):
    """One step of a request's history."""

    at: datetime
    who: str
    action: str
    person_id: str | None = None
    detail: str | None = None


class RelatedDocument(BaseModel):
    """A document the assistant found for the question."""

    document_id: str
    title: str


class ExpertRequest(BaseModel):
    """A question sent to an expert, as the asker and the assignee see it."""

    id: str
    question_id: str
    question: str
    note: str | None = None
    status: Literal["open", "answered", "unrouted", "retracted"]
    asker: PersonRef | None = None
    assignee: Person | None = None
    expected: str | None = Field(None, description="when the assignee is expected to see it")
    assistant_answer: str = ""
    abstained: bool = False
    documents: list[RelatedDocument] = Field(default_factory=list)
    created: datetime
    answered: datetime | None = None
    answer: str | None = None
    answered_by: PersonRef | None = None
    document_id: str | None = Field(None, description="the answer as a document of kind answer")
    audience: list[str] = Field(
        default_factory=list, description="default audience of an answer: groups, [] everyone"
    )
    history: list[RequestStep] = Field(default_factory=list)


class Inbox(BaseModel):
    """The open requests assigned to the caller."""

    items: list[ExpertRequest] = Field(default_factory=list)


class RequestFigures(BaseModel):
    """How one person or team handled requests (core/request_stats.py)."""

    name: str
    person_id: str | None = None
    assigned: int
    answered: int
    declined: int
    reassigned_away: int
    answer_rate: float | None = None
    median_hours_to_answer: float | None = None
    decline_reasons: dict[str, int] = Field(default_factory=dict)


class RequestStats(BaseModel):
    """Ask-an-expert figures over a period, per person and per team."""

    days: int
    requests: int
    answered: int
    people: list[RequestFigures] = Field(default_factory=list)
    teams: list[RequestFigures] = Field(default_factory=list)
