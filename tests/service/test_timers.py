"""The service's background timer: ticks on its interval, survives a failing tick, and stops
only after the tick in progress has finished."""

from __future__ import annotations

import asyncio
import threading
import time

from service.timers import periodic


def test_ticks_survive_a_failure_and_shutdown_waits_for_the_running_tick() -> None:
    ticks: list[float] = []
    finished = threading.Event()

    def tick() -> None:
        ticks.append(time.monotonic())
        if len(ticks) == 1:
            raise RuntimeError("the mail server is down")
        if len(ticks) == 3:
            time.sleep(0.3)  # a slow tick in progress at shutdown
            finished.set()

    async def serve() -> None:
        async with periodic(0.05, tick):
            while len(ticks) < 3:
                await asyncio.sleep(0.01)
        assert finished.is_set()  # shutdown waited for it

    asyncio.run(serve())
    assert len(ticks) == 3  # the failure did not end the timer; none ran after shutdown


def test_an_interval_of_zero_starts_no_timer() -> None:
    ticks: list[int] = []

    async def serve() -> None:
        async with periodic(0, lambda: ticks.append(1)):
            await asyncio.sleep(0.1)
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "watercooler-timer"]

    asyncio.run(serve())
    assert ticks == []
