"""The one way apps talk to the Watercooler service: a small typed client over httpx.

Every call has a timeout (answers get a longer one: an LLM may be slow); every failure is one
of the errors in core/client/errors.py. The UI and the ingest CLI use it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from core.api import (
    AskResponse,
    DocumentHistory,
    DocumentResponse,
    Examples,
    ExpertRequest,
    FeedbackResponse,
    FlagOut,
    Health,
    Inbox,
    IngestJob,
    InsightsReport,
    Me,
    ModerationStateOut,
    PeoplePage,
    PersonProfile,
    ReviewItemOut,
    ReviewQueue,
    SearchResponse,
    TopicDetail,
    TrainingNeeds,
    TrainingProgram,
)
from core.client.errors import ServiceError, ServiceUnavailable, raise_for
from core.client.filters import Filters
from core.client.sse import StreamEvent, event, frames
from core.evalreport import EvalDataset, EvalRun, EvalRunSummary
from core.schema import Expert, Rating

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

_EXPERTS = TypeAdapter(list[Expert])
_EVAL_DATASETS = TypeAdapter(list[EvalDataset])
_EVAL_RUNS = TypeAdapter(list[EvalRunSummary])
_PROGRAMS = TypeAdapter(list[TrainingProgram])


class WatercoolerClient:
    """Typed calls to the Watercooler API; use as a context manager (or call `close()`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 15.0,
        answer_timeout: float = 180.0,
        transport: httpx.BaseTransport | None = None,
        hint: str = "Start it with `make run`.",
        demo_person: str | None = None,
        warn_unavailable: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.warn_unavailable = warn_unavailable  # False for probes where no answer is normal
        self.hint = hint  # what to do when nothing answers, in the caller's terms
        self.sends_key = bool(api_key)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        if demo_person and not api_key:  # open mode's demo identity (core/auth.py)
            headers["X-Demo-Person"] = demo_person
        self._answer_timeout = httpx.Timeout(answer_timeout, connect=min(timeout, 5.0))
        # Insights reports embed and cluster what was asked since the last one: slow at first.
        self._slow = self._answer_timeout
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
        )

    def __enter__(self) -> WatercoolerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- plumbing -------------------------------------------------------------------------

    def _unavailable(self, exc: httpx.HTTPError) -> ServiceUnavailable:
        level = logging.WARNING if self.warn_unavailable else logging.DEBUG
        log.log(level, "service call failed", extra={"url": self.base_url, "reason": repr(exc)})
        return ServiceUnavailable(
            f"The Watercooler service at {self.base_url} is not answering "
            f"({type(exc).__name__}). {self.hint}"
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise self._unavailable(exc) from exc
        raise_for(response)
        return response

    def _get(self, model: type[M], path: str, **kwargs: Any) -> M:
        return _parsed(model, self._request("GET", path, **kwargs))

    def _post(self, model: type[M], path: str, body: dict[str, Any], **kwargs: Any) -> M:
        return _parsed(model, self._request("POST", path, json=body, **kwargs))

    # -- health ---------------------------------------------------------------------------

    def health(self) -> Health:
        """The service's health report (also when it says it is unavailable: 503)."""
        try:
            response = self._http.get("/health")
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise self._unavailable(exc) from exc
        if response.status_code != 503:  # 503 carries the report of what is wrong
            raise_for(response)
        return _parsed(Health, response)

    # -- answers --------------------------------------------------------------------------

    @staticmethod
    def _ask_body(
        question: str, filters: Filters | None, generator: str | None, top_k: int | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question}
        if filters is not None:
            body["filters"] = filters.body()
        if generator:
            body["generator"] = generator
        if top_k:
            body["top_k"] = top_k
        return body

    def ask(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        generator: str | None = None,
        top_k: int | None = None,
    ) -> AskResponse:
        """A cited answer with the people to contact."""
        body = self._ask_body(question, filters, generator, top_k)
        return self._post(AskResponse, "/ask", body, timeout=self._answer_timeout)

    def ask_stream(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        generator: str | None = None,
        top_k: int | None = None,
    ) -> Iterator[StreamEvent]:
        """The answer as it is written: tokens, then citations, people and the whole answer."""
        body = self._ask_body(question, filters, generator, top_k)
        try:
            with self._http.stream(
                "POST", "/ask/stream", json=body, timeout=self._answer_timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise_for(response)
                for name, data in frames(response.iter_lines()):
                    yield event(name, data)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise self._unavailable(exc) from exc

    def feedback(
        self,
        question_id: str,
        rating: Rating,
        *,
        marker: int | None = None,
        comment: str | None = None,
    ) -> FeedbackResponse:
        """Rate an answer, or one of its citations (`marker`)."""
        body: dict[str, Any] = {"question_id": question_id, "rating": rating}
        if marker is not None:
            body["marker"] = marker
        if comment:
            body["comment"] = comment
        return self._post(FeedbackResponse, "/feedback", body)

    # -- search, people, documents --------------------------------------------------------

    def search(
        self, q: str, *, filters: Filters | None = None, limit: int = 10, mode: str | None = None
    ) -> SearchResponse:
        """Ranked passages with highlights, and facets."""
        params = [("q", q), ("limit", str(limit)), *(filters or Filters()).query_params()]
        if mode:
            params.append(("mode", mode))
        return self._get(SearchResponse, "/search", params=params)

    def experts(self, q: str, *, filters: Filters | None = None) -> list[Expert]:
        """The people to contact about a topic, best first."""
        params = [("q", q), *(filters or Filters()).query_params()]
        body = _json(self._request("GET", "/experts", params=params))
        return _EXPERTS.validate_python(body.get("people", []))

    def people(
        self, q: str | None = None, *, team: str | None = None, limit: int = 200, offset: int = 0
    ) -> PeoplePage:
        """A page of the directory, optionally searched and limited to a team."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if q:
            params["q"] = q
        if team:
            params["team"] = team
        return self._get(PeoplePage, "/people", params=params)

    def examples(self) -> list[str]:
        """Example questions for the Ask page (none when there is nothing to suggest)."""
        return self._get(Examples, "/examples").questions

    def person(self, person_id: str) -> PersonProfile:
        """A person's profile: contact details, documents, topics."""
        return self._get(PersonProfile, f"/people/{_segment(person_id)}")

    def document(self, document_id: str) -> DocumentResponse:
        """A document's text, metadata and chunk spans."""
        return self._get(DocumentResponse, f"/documents/{_segment(document_id)}")

    # -- moderation -----------------------------------------------------------------------

    def verify(
        self,
        document_id: str,
        *,
        note: str | None = None,
        interval_days: int | None = None,
        chunk_id: str | None = None,
    ) -> ModerationStateOut:
        """Verify a document (or one passage) for `interval_days` (trainers)."""
        body = {"note": note, "interval_days": interval_days, "chunk_id": chunk_id}
        return self._post(ModerationStateOut, f"/documents/{_segment(document_id)}/verify", body)

    def mark_outdated(
        self, document_id: str, *, replaced_by: str | None = None, note: str | None = None
    ) -> ModerationStateOut:
        """Mark a document outdated, optionally naming its replacement (trainers)."""
        path = f"/documents/{_segment(document_id)}/outdated"
        return self._post(ModerationStateOut, path, {"replaced_by": replaced_by, "note": note})

    def flag(
        self, document_id: str, kind: str, *, chunk_id: str | None = None, note: str | None = None
    ) -> FlagOut:
        """Flag a passage as outdated, wrong or unclear (signed-in users)."""
        body = {"kind": kind, "chunk_id": chunk_id, "note": note}
        return self._post(FlagOut, f"/documents/{_segment(document_id)}/flags", body)

    def history(self, document_id: str) -> DocumentHistory:
        """A document's moderation: badge, states, every change, open flags."""
        return self._get(DocumentHistory, f"/documents/{_segment(document_id)}/history")

    def review_queue(self, *, include_snoozed: bool = False, limit: int = 100) -> ReviewQueue:
        """What needs a trainer, by impact (trainers, admins)."""
        params = {"include_snoozed": include_snoozed, "limit": limit}
        return self._get(ReviewQueue, "/review/queue", params=params)

    def snooze(self, document_id: str, days: int, reason: str) -> ReviewItemOut:
        """Hide a queue item for `days`, saying why."""
        path = f"/review/{_segment(document_id)}/snooze"
        return self._post(ReviewItemOut, path, {"days": days, "reason": reason})

    # -- ingestion (admins) ---------------------------------------------------------------

    def start_ingest(self, source: str | None = None, config: str | None = None) -> IngestJob:
        """Start a job on one source (None: all) of `config`, a file the service can read."""
        body = {"source": source, **({"config": config} if config else {})}
        return self._post(IngestJob, "/ingest/jobs", body)

    def ingest_jobs(self, limit: int = 20) -> list[IngestJob]:
        """Recent jobs, newest first."""
        body = _json(self._request("GET", "/ingest/jobs", params={"limit": limit}))
        return [IngestJob.model_validate(item) for item in body.get("items", [])]

    def ingest_job(self, job_id: str) -> IngestJob:
        """One job: status, progress, report."""
        return self._get(IngestJob, f"/ingest/jobs/{_segment(job_id)}")

    # -- evals ----------------------------------------------------------------------------

    def eval_datasets(self) -> list[EvalDataset]:
        """The datasets the service can evaluate on."""
        return _EVAL_DATASETS.validate_python(_items(self._request("GET", "/evals/datasets")))

    def start_eval(
        self,
        dataset: str,
        retrievers: list[str],
        generators: list[str] | None = None,
        *,
        limit: int | None = None,
    ) -> EvalRunSummary:
        """Start an eval run (on the first `limit` items); poll `eval_run(id)` for its report."""
        body: dict[str, Any] = {
            "dataset": dataset,
            "retrievers": retrievers,
            "generators": generators or [],
        }
        if limit:
            body["limit"] = limit
        data = _json(self._request("POST", "/evals/runs", json=body))
        return EvalRunSummary.model_validate({"dataset": dataset, **data})

    def eval_runs(self) -> list[EvalRunSummary]:
        """Earlier runs, as the service lists them."""
        return _EVAL_RUNS.validate_python(_items(self._request("GET", "/evals/runs")))

    def eval_run(self, run_id: str) -> EvalRun:
        """One run, with its report once finished."""
        return self._get(EvalRun, f"/evals/runs/{_segment(run_id)}")

    # -- insights (trainers, admins) ------------------------------------------------------

    def insights(self, days: int | None = None) -> InsightsReport:
        """The topics of the last `days` (the service's period when None)."""
        return self._get(InsightsReport, "/insights", params=_days(days), timeout=self._slow)

    def insights_topic(self, topic_id: int, days: int | None = None) -> TopicDetail:
        """One topic and its questions."""
        path = f"/insights/topics/{topic_id}"
        return self._get(TopicDetail, path, params=_days(days), timeout=self._slow)

    def training_needs(self, days: int | None = None) -> TrainingNeeds:
        """The training-needs report."""
        path = "/insights/training-needs"
        return self._get(TrainingNeeds, path, params=_days(days), timeout=self._slow)

    def training_needs_file(self, fmt: str, days: int | None = None) -> str:
        """The training-needs report as a download: `fmt` is csv or md."""
        params = {**_days(days), "format": fmt}
        path = "/insights/training-needs"
        return self._request("GET", path, params=params, timeout=self._slow).text

    def training_catalogue(self) -> list[TrainingProgram]:
        """The training catalogue's programs."""
        return _PROGRAMS.validate_python(_json(self._request("GET", "/insights/catalogue")))

    # -- ask an expert ----------------------------------------------------------------------

    def me(self) -> Me:
        """Who the service takes the caller for."""
        return self._get(Me, "/me")

    def escalate(
        self, question_id: str, to: str | None = None, note: str | None = None
    ) -> ExpertRequest:
        """Send a question the caller asked to a person (or the best available expert)."""
        body = {"to": to, "note": note}
        return self._post(ExpertRequest, f"/questions/{_segment(question_id)}/escalate", body)

    def inbox(self) -> Inbox:
        """The requests waiting for the caller's answer."""
        return self._get(Inbox, "/inbox")

    def sent_requests(self) -> Inbox:
        """The requests the caller sent."""
        return self._get(Inbox, "/requests")

    def answer_request(
        self, request_id: str, text: str, audience: list[str] | None = None
    ) -> ExpertRequest:
        """Answer a request: the answer becomes cited knowledge; `audience` None: the default
        (who could see the question's evidence), []: everyone, else those groups."""
        body: dict[str, Any] = {"text": text, "audience": audience}
        return self._post(ExpertRequest, f"/requests/{_segment(request_id)}/answer", body)

    def forward_request(self, request_id: str, to: str, note: str = "") -> ExpertRequest:
        """Hand a request to another person (a directory person id), with a note."""
        path = f"/requests/{_segment(request_id)}/forward"
        return self._post(ExpertRequest, path, {"to": to, "note": note or None})

    def decline_request(self, request_id: str, reason: str) -> ExpertRequest:
        """Decline a request with a reason: it goes to the next candidate."""
        path = f"/requests/{_segment(request_id)}/decline"
        return self._post(ExpertRequest, path, {"reason": reason})


def _days(days: int | None) -> dict[str, int]:
    return {"days": days} if days is not None else {}


def _segment(value: str) -> str:
    """A path segment, quoted (ids are plain, but never trust a URL built from input)."""
    return quote(value, safe="")


def _json(response: httpx.Response) -> Any:
    """The body as JSON; something else at the URL is reported as such."""
    try:
        return response.json()
    except ValueError as exc:
        raise ServiceError(
            f"{response.url} did not answer with JSON: is it the Watercooler service?"
        ) from exc


def _parsed(model: type[M], response: httpx.Response) -> M:
    """The JSON body as `model`; a body of another shape is reported as such."""
    try:
        return model.model_validate(_json(response))
    except ValidationError as exc:
        raise ServiceError(
            f"{response.url} answered with a body that is not a {model.__name__}: "
            "is it the Watercooler service?"
        ) from exc


def _items(response: httpx.Response) -> list[Any]:
    """A JSON list, bare or under `items`."""
    body = _json(response)
    if isinstance(body, dict):
        body = body.get("items", [])
    return body if isinstance(body, list) else []
