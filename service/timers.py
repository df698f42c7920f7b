"""The service's background work: a timer (overdue expert requests move on, due notifications
go out) and one-off start-up jobs (insights prepare the default period's report).

Every `escalation.check_interval_s` seconds (0: no timer) the lifespan's task runs one `tick`
in a worker thread, so a slow mail server or a long database read never holds the event loop;
a failing tick is logged and the next one tries again. Shutdown sets the stop event and waits
for the tick in progress, so nothing writes to a database being closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from core.digest import deliver, smtp_sender, webhook_sender
from core.expert_requests import ExpertRequests

log = logging.getLogger(__name__)


def expert_tick(requests: ExpertRequests) -> Callable[[], None]:
    """One round: reassign overdue requests, then deliver the outbox's due messages."""
    channels = requests.settings.moderation
    senders = {"email": smtp_sender(channels), "webhook": webhook_sender(channels)}

    def tick() -> None:
        moved = requests.reassign_overdue()
        sent = failed = 0
        if requests.notifier is not None:
            sent, failed = deliver(requests.notifier.outbox, senders, channels, requests.clock())
        if moved or sent or failed:
            log.info("timer tick", extra={"reassigned": moved, "sent": sent, "failed": failed})

    return tick


async def _every(interval_s: float, tick: Callable[[], None], stop: asyncio.Event) -> None:
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
            return
        except TimeoutError:
            pass
        try:
            await asyncio.to_thread(tick)
        except Exception:  # a tick that fails must not end the timer; the next one retries
            log.exception("timer tick failed")


@asynccontextmanager
async def periodic(interval_s: float, tick: Callable[[], None]) -> AsyncIterator[None]:
    """Run `tick` every `interval_s` seconds while the context is open (0: never)."""
    if interval_s <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_every(interval_s, tick, stop), name="watercooler-timer")
    try:
        yield
    finally:
        stop.set()
        await task


@asynccontextmanager
async def in_background(job: Callable[[], None] | None) -> AsyncIterator[None]:
    """Run `job` once in a worker thread while the context is open (None: nothing); closing
    waits for it. A failing job is logged: it only prepares what a request would compute."""

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # a start-up convenience must never stop the service
            log.exception("background job failed")

    task = asyncio.create_task(asyncio.to_thread(run, job)) if job else None
    try:
        yield
    finally:
        if task is not None:
            await task
