"""The parse pool: N sandboxed workers at once, results in submission order, limits kept."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from core.errors import SourceError
from ingest.parse_pool import InOrder, ParsePool, default_parse_workers
from ingest.sandbox import Limits


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def greedy(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    with ParsePool(Limits(timeout_s=60, memory_mb=300), workers=2) as running:
        yield running


def test_files_parse_in_separate_workers_at_once(pool: ParsePool) -> None:
    # Warm both workers first: starting one imports the parser libraries (seconds, loaded).
    warm = [pool.submit(f"warm{i}", pid_after, 1.0) for i in range(2)]
    assert len({f.result()[0] for f in warm}) == 2
    started = time.perf_counter()
    futures = [pool.submit(f"f{i}", pid_after, 1.5) for i in range(4)]
    pids = [f.result()[0] for f in futures]
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert time.perf_counter() - started < 4 * 1.5  # overlapped, not one after another


def test_limits_hold_inside_each_worker(pool: ParsePool) -> None:
    tight = ParsePool(Limits(timeout_s=1, memory_mb=300), workers=2)
    try:
        slow = tight.submit("slow.pdf", pid_after, 30)
        fine = tight.submit("fine.md", pid_after, 0)
        with pytest.raises(SourceError, match=r"^slow\.pdf: took longer than 1 s to parse"):
            slow.result()
        assert fine.result()[0] > 0
    finally:
        tight.close()
    with pytest.raises(SourceError, match=r"^big\.docx: used more than 300 MB to parse"):
        pool.submit("big.docx", greedy, 1024).result()
    value, seconds = pool.submit("next", greedy, 10).result()
    assert value == 10 << 20 and 0 < seconds < 60


def test_closing_stops_a_parse_in_progress() -> None:
    pool = ParsePool(Limits(timeout_s=600, memory_mb=300), workers=1)
    pool.submit("warm", pid_after, 0).result()
    stuck = pool.submit("stuck", pid_after, 600)
    time.sleep(0.5)
    started = time.perf_counter()
    pool.close()
    assert time.perf_counter() - started < 30
    with pytest.raises(SourceError, match="the parser stopped"):
        stuck.result()


def test_in_order_window_hands_back_the_oldest_first() -> None:
    window: InOrder[int] = InOrder(2)
    assert window.put(1) == [] and window.put(2) == []
    assert window.put(3) == [1]
    assert window.put(4) == [2]
    assert window.drain() == [3, 4] and window.drain() == []


def test_default_workers_leave_the_encoder_its_cores() -> None:
    import torch

    cores = len(os.sched_getaffinity(0))
    assert default_parse_workers("cuda") == max(1, cores - 1)
    assert default_parse_workers("cpu") == max(1, cores - torch.get_num_threads())
