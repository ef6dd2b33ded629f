"""Concurrent callers share one run of the same work, and never one that began before them."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from guard.shared_runs import SharedRuns


class Blocking:
    """Work that counts its runs; a run waits for ``release`` when ``hold`` is set."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.started = threading.Event()
        self.release = threading.Event()
        self.hold = True
        self.fail_runs: set[int] = set()
        self.waited: list[bool] = []

    def __call__(self, waited: bool) -> int:
        number = next(self.counter)
        self.waited.append(waited)
        if self.hold:
            self.hold = False
            self.started.set()
            assert self.release.wait(10)
        if number in self.fail_runs:
            raise RuntimeError("this run failed")
        return number


def until(check: Callable[[], bool]) -> None:
    """Wait (at most 10 s) for ``check`` to hold; the threads under test get there alone."""
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, "the callers never got there"
        time.sleep(0.001)


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


def test_callers_one_after_another_each_run_the_work() -> None:
    runs: SharedRuns[int] = SharedRuns()
    work = Blocking()
    work.hold = False
    assert [runs.run("box", work) for _ in range(3)] == [1, 2, 3]
    assert (runs.runs, runs.shared) == (3, 0)
    assert work.waited == [False, False, False]


def test_callers_arriving_during_a_run_share_the_next_run_not_that_one(
        pool: ThreadPoolExecutor) -> None:
    runs: SharedRuns[int] = SharedRuns()
    work = Blocking()
    first = pool.submit(runs.run, "box", work)
    assert work.started.wait(10)
    later: list[Future[int]] = [pool.submit(runs.run, "box", work) for _ in range(4)]
    until(lambda: runs.waiting("box") == 4)
    work.release.set()
    assert first.result(10) == 1
    # All four arrived while run 1 was in progress: they get run 2, which began after them.
    assert [f.result(10) for f in later] == [2, 2, 2, 2]
    assert (runs.runs, runs.shared) == (2, 3)
    assert work.waited == [False, True]


def test_other_keys_do_not_wait(pool: ThreadPoolExecutor) -> None:
    runs: SharedRuns[int] = SharedRuns()
    work = Blocking()
    held = pool.submit(runs.run, "box-a", work)
    assert work.started.wait(10)
    other = Blocking()
    other.hold = False
    assert runs.run("box-b", other) == 1  # not blocked behind box-a's run
    work.release.set()
    assert held.result(10) == 1


def test_a_failed_shared_run_makes_each_waiting_caller_run_its_own(
        pool: ThreadPoolExecutor) -> None:
    runs: SharedRuns[int] = SharedRuns()
    work = Blocking()
    first = pool.submit(runs.run, "box", work)
    assert work.started.wait(10)
    later = [pool.submit(runs.run, "box", work) for _ in range(3)]
    until(lambda: runs.waiting("box") == 3)
    work.fail_runs = {2}  # the first run succeeds; the shared second run fails
    work.release.set()
    assert first.result(10) == 1
    results: list[int | str] = []
    for future in later:
        try:
            results.append(future.result(10))
        except RuntimeError:
            results.append("failed")
    # The caller that ran the failed run hears of it; the other two ran the work again.
    assert sorted(results, key=str) == sorted([3, 4, "failed"], key=str)
    assert runs.shared == 0


def test_a_failing_first_run_still_hands_over(pool: ThreadPoolExecutor) -> None:
    runs: SharedRuns[int] = SharedRuns()
    work = Blocking()
    work.fail_runs = {1}
    first = pool.submit(runs.run, "box", work)
    assert work.started.wait(10)
    later = [pool.submit(runs.run, "box", work) for _ in range(2)]
    until(lambda: runs.waiting("box") == 2)
    work.release.set()
    with pytest.raises(RuntimeError):
        first.result(10)
    assert [f.result(10) for f in later] == [2, 2]
    assert runs.waiting("box") == 0
    work.hold = False
    assert runs.run("box", work) == 3  # nothing left behind: the next caller runs at once
