"""The assistant: retrieve, generate a cited answer (or abstain), and name the people to ask.

`Assistant.ask` returns an Answer; `Assistant.ask_stream` yields the same answer as events:
("token", text piece)..., ("citations", [Citation]), ("people", [Expert]), ("done", Answer).
The "done" Answer is authoritative (its text is validated and renumbered as a whole).

It abstains — "I couldn't find this in the content you can access." — before generating
when the answerability check (`core.answerability`) finds the passages unlikely to answer:
the top dense cosine under the caller's filter below `retrieval.abstain_threshold`, or the
check's calibrated probability below `retrieval.answerability_threshold`; and after
generating when the generator finds no answer. An abstention still names the people most
likely to know and carries the CLOSEST passages it found (`Answer.closest`). People come from
the passages the caller may see, and, unless the caller narrowed the search, from content they
may not see that matches better (named with their team, no document; core/experts.py). The check's
signals are logged; its cost is `timings_ms["answerability"]`. A streamed answer also records
`timings_ms["first_token"]`: ms from the question to its first token event.

Confidence, for an answer that does not abstain:
    confidence = p × support
where p is the check's calibrated probability that the passages answer and support the share
of the answer's sentences that carry a citation. An abstention has confidence 0.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, TypeAlias, runtime_checkable
from urllib.parse import urldefrag

from core.answerability import assess
from core.clock import elapsed_ms
from core.config import Settings
from core.errors import ConfigError
from core.experts import ExpertFinder
from core.generation.base import Generator
from core.generation.citations import (
    NO_ANSWER,
    renumber,
    used_markers,
    validate_citations,
)
from core.generation.sentences import split_sentences
from core.retrieval import PassageSearch, QueryFilters, RetrievalResult
from core.schema import Answer, Citation, Expert, Passage, PersonRef, Principal, SourceKind

log = logging.getLogger(__name__)

ABSTAIN_TEXT = "I couldn't find this in the content you can access."
CLOSEST = 3  # passages shown with an abstention ("closest I found")
_MARKERS = re.compile(r"\s*\[\d+\]")
_OPEN_MARKER_MAX = 40  # an unclosed "[" this close to the end may still become a marker

StreamEvent: TypeAlias = (
    tuple[Literal["token"], str]
    | tuple[Literal["citations"], list[Citation]]
    | tuple[Literal["people"], list[Expert]]
    | tuple[Literal["done"], Answer]
)


@runtime_checkable
class HiddenEvidence(Protocol):
    """A retriever that can say which passages a caller may not see outrank all they may."""

    def hidden_evidence(self, query: str, principal: Principal, limit: int) -> list[Passage]: ...


@dataclass
class _Turn:
    """One question on its way through the assistant."""

    question: str
    generator: Generator
    result: RetrievalResult
    context: list[Passage]  # the passages to generate from; [] when retrieval is too weak
    now: datetime | None
    principal: Principal
    filtered: bool  # the caller narrowed the search (then no hidden evidence is sought)
    answerable_p: float | None = None  # the answerability check's probability
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)


class Assistant:
    """Answers questions from the content a caller may see, with citations and people."""

    def __init__(
        self,
        retriever: PassageSearch,
        experts: ExpertFinder,
        generators: dict[str, Generator],
        settings: Settings,
    ) -> None:
        self.retriever = retriever
        self.experts = experts
        self.generators = generators
        self.settings = settings

    def ask(
        self,
        question: str,
        principal: Principal,
        filters: QueryFilters | None = None,
        generator: str = "extractive",
        *,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> Answer:
        """A cited answer, or an abstention, with the people to contact.

        `limit` overrides how many passages are retrieved (`retrieval.top_k`).
        """
        turn = self._start(question, principal, filters, generator, limit, now)
        mark = time.perf_counter()
        text, flagged = "", []
        if turn.context:
            generated = turn.generator.generate(question, turn.context)
            text, flagged = generated.text, generated.unsupported_sentences
        turn.timings["generate"] = elapsed_ms(mark)
        return self._finish(turn, text, flagged)

    def ask_stream(
        self,
        question: str,
        principal: Principal,
        filters: QueryFilters | None = None,
        generator: str = "extractive",
        *,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> Iterator[StreamEvent]:
        """The answer as events: tokens (markers already renumbered), citations, people, done."""
        turn = self._start(question, principal, filters, generator, limit, now)
        mark = time.perf_counter()
        pieces: list[str] = []
        emitted = False
        if turn.context:
            renumberer = StreamRenumberer(len(turn.context))
            held = ""  # text that may still turn out to be the generator's no-answer reply
            for piece in turn.generator.stream(question, turn.context):
                pieces.append(piece)
                ready = renumberer.feed(piece)
                if not emitted and _may_be_no_answer(held + ready):
                    held += ready
                    continue
                if held + ready:
                    turn.timings.setdefault("first_token", elapsed_ms(turn.started))
                    yield ("token", held + ready)
                    emitted, held = True, ""
            rest = held + renumberer.flush()
            if rest and (emitted or not _is_no_answer("".join(pieces))):
                turn.timings.setdefault("first_token", elapsed_ms(turn.started))
                yield ("token", rest)
                emitted = True
        turn.timings["generate"] = elapsed_ms(mark)
        answer = self._finish(turn, "".join(pieces), [])
        if answer.abstained and not emitted:
            answer.timings_ms.setdefault("first_token", elapsed_ms(turn.started))
            yield ("token", answer.text)
        yield ("citations", answer.citations)
        yield ("people", answer.people)
        yield ("done", answer)

    def _start(
        self,
        question: str,
        principal: Principal,
        filters: QueryFilters | None,
        generator: str,
        limit: int | None,
        now: datetime | None,
    ) -> _Turn:
        """Pick the generator and retrieve; no context when the passages fail the check."""
        started = time.perf_counter()
        if generator not in self.generators:
            available = ", ".join(sorted(self.generators)) or "none"
            raise ConfigError(f"generator {generator!r} is not available; configured: {available}")
        result = self.retriever.search(question, principal, filters, limit=limit)
        retrieved = elapsed_ms(started)
        mark = time.perf_counter()
        check = assess(question, result, self.settings.retrieval)
        log.info("answerability", extra=check.log_fields())
        context = result.passages[: self.settings.answer.max_passages] if check.answerable else []
        generator_used = self.generators[generator]
        narrowed = filters is not None and filters != QueryFilters()
        turn = _Turn(
            question,
            generator_used,
            result,
            context,
            now,
            principal,
            narrowed,
            check.score,
            started,
        )
        turn.timings["retrieve"] = retrieved
        turn.timings["answerability"] = elapsed_ms(mark)
        return turn

    def _finish(self, turn: _Turn, raw_text: str, flagged: list[str]) -> Answer:
        """Validate and renumber the text, build citations, rank people, score confidence."""
        mark = time.perf_counter()
        hidden = None
        if isinstance(self.retriever, HiddenEvidence) and not turn.filtered:
            limit = self.settings.retrieval.top_k
            hidden = self.retriever.hidden_evidence(turn.question, turn.principal, limit)
        people = self.experts.rank(
            turn.result.passages,
            now=turn.now,
            question=turn.question,
            hidden=hidden,
            confident_only=True,
        )
        turn.timings["experts"] = elapsed_ms(mark)
        checked = validate_citations(raw_text, len(turn.context))
        answer = Answer(question=turn.question, text=ABSTAIN_TEXT, people=people)
        answer.generator = turn.generator.name
        if _is_no_answer(checked.text):
            answer.abstained = True
            closest = turn.result.passages[:CLOSEST]
            answer.closest = self._citations("", closest)
        else:
            order = used_markers(checked.text)
            mapping = {old: new for new, old in enumerate(order, start=1)}
            answer.text = renumber(checked.text, mapping)
            answer.citations = self._citations(answer.text, [turn.context[n - 1] for n in order])
            flagged_now = [renumber(s, mapping) for s in [*flagged, *checked.unsupported_sentences]]
            answer.unsupported_sentences = list(dict.fromkeys(flagged_now))
            answer.confidence = _confidence(
                turn.answerable_p, answer.text, answer.unsupported_sentences
            )
        turn.timings["total"] = elapsed_ms(turn.started)
        answer.timings_ms = turn.timings
        log.info(
            "answered",
            extra={
                "generator": answer.generator,
                "abstained": answer.abstained,
                "citations": len(answer.citations),
                "unsupported": len(answer.unsupported_sentences),
                "confidence": answer.confidence,
                "people": len(people),
                "ms": turn.timings["total"],
            },
        )
        return answer

    def _citations(self, text: str, cited: list[Passage]) -> list[Citation]:
        """Citation n for the n-th cited passage, quoting the first sentence that cites it."""
        sentences = split_sentences(text)
        names = self.experts.lookup([a for p in cited for a in p.author_ids])
        citations = []
        for marker, passage in enumerate(cited, start=1):
            quote = next((s for s in sentences if f"[{marker}]" in s), None)
            citations.append(
                Citation(
                    marker=marker,
                    chunk_id=passage.chunk_id,
                    document_id=passage.document_id,
                    title=passage.title,
                    kind=passage.kind,
                    url=citation_url(passage),
                    path=passage.path,
                    heading_path=passage.heading_path,
                    text=passage.text,
                    start=passage.start,
                    end=passage.end,
                    time_start=passage.time_start,
                    quote=_MARKERS.sub("", quote).strip() if quote else None,
                    authors=[PersonRef(id=a, name=names[a].name) for a in passage.author_ids],
                )
            )
        return citations


class StreamRenumberer:
    """Renumbers `[n]` markers of streamed text to 1..k in order of first use, piece by piece.

    Text after an unclosed "[" near the end is held back until the marker is complete.
    Markers that point to no passage are dropped, as `validate_citations` does.
    """

    def __init__(self, n_passages: int) -> None:
        self.n_passages = n_passages
        self.mapping: dict[int, int] = {}
        self._pending = ""

    def feed(self, piece: str) -> str:
        """The renumbered text that is safe to emit after this piece."""
        self._pending += piece
        cut = len(self._pending)
        opened = self._pending.rfind("[")
        unclosed = opened >= 0 and "]" not in self._pending[opened:]
        if unclosed and cut - opened <= _OPEN_MARKER_MAX:
            cut = opened
        # Whitespace before the cut waits too: a marker dropped next takes it along.
        cut = len(self._pending[:cut].rstrip())
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._renumber(ready)

    def flush(self) -> str:
        """Whatever is still held back, renumbered."""
        ready, self._pending = self._pending, ""
        return self._renumber(ready)

    def _renumber(self, text: str) -> str:
        for n in used_markers(text):
            if 1 <= n <= self.n_passages and n not in self.mapping:
                self.mapping[n] = len(self.mapping) + 1
        return renumber(text, self.mapping) if text else text


def citation_url(passage: Passage) -> str | None:
    """The passage's link; for a video, one that starts playing where the passage starts."""
    if passage.kind != SourceKind.VIDEO or not passage.url or passage.time_start is None:
        return passage.url
    return f"{urldefrag(passage.url).url}#t={int(passage.time_start)}"


def _confidence(p: float | None, text: str, unsupported: list[str]) -> float:
    """The check's probability times the cited-sentence share (module docstring)."""
    sentences = len(split_sentences(text))
    support = max(0, sentences - len(unsupported)) / sentences if sentences else 0.0
    return round((p if p is not None else 0.0) * support, 3)


def _is_no_answer(text: str) -> bool:
    """Empty text, or the reply generators give when the passages do not answer."""
    plain = text.strip().rstrip(".").casefold()
    return not plain or plain == NO_ANSWER.rstrip(".").casefold()


def _may_be_no_answer(text: str) -> bool:
    """Whether streamed text so far could still become the no-answer reply."""
    return NO_ANSWER.casefold().startswith(text.strip().casefold())
