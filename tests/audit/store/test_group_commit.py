"""Group commit: every caller waiting when a commit starts is in that commit."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from audit import AuditUnavailable

from .conftest import make_event


def test_callers_waiting_during_a_commit_share_the_next_one(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0)
    gate, started = threading.Event(), threading.Event()
    batches: list[int] = []
    real_append = log.store.append

    def gated_append(items: Any, build: Any) -> Any:
        batches.append(len(items))
        if len(batches) == 1:
            started.set()
            assert gate.wait(30), "the first commit was never released"
        return real_append(items, build)

    log.store.append = gated_append  # type: ignore[method-assign]
    receipts: list[int] = []

    def caller(n: int) -> None:
        receipts.append(log.append(make_event(n)).seq)

    first = threading.Thread(target=caller, args=(0,))
    first.start()
    assert started.wait(30)
    others = [threading.Thread(target=caller, args=(n,)) for n in range(1, 8)]
    for t in others:
        t.start()
    with log._group.lock:
        assert log._group.arrived.wait_for(lambda: len(log._group.pending) == 7, 30)
    gate.set()
    for t in (first, *others):
        t.join(30)
    assert batches == [1, 7]
    assert sorted(receipts) == list(range(8))
    assert log.verify().ok


def test_a_failed_commit_fails_every_caller_in_it(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0)

    def broken(items: Any, build: Any) -> Any:
        raise OSError("disk gone")

    log.store.append = broken  # type: ignore[method-assign]
    errors: list[str] = []

    def caller(n: int) -> None:
        try:
            log.append(make_event(n))
        except Exception as exc:  # noqa: BLE001 - the test records what each caller saw
            errors.append(type(exc).__name__)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == ["AuditUnavailable"] * 4


def test_a_lone_caller_commits_in_its_own_thread(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0)
    committers: list[threading.Thread] = []
    real_append = log.store.append

    def recording_append(items: Any, build: Any) -> Any:
        committers.append(threading.current_thread())
        return real_append(items, build)

    log.store.append = recording_append  # type: ignore[method-assign]
    receipts = [log.append(make_event(n)).seq for n in range(3)]
    assert receipts == [0, 1, 2]
    assert committers == [threading.current_thread()] * 3


def test_a_caller_still_waiting_at_the_timeout_is_refused(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=0, append_timeout=0.2)
    gate, started = threading.Event(), threading.Event()
    real_append = log.store.append

    def gated_append(items: Any, build: Any) -> Any:
        if not started.is_set():
            started.set()
            assert gate.wait(30), "the first commit was never released"
        return real_append(items, build)

    log.store.append = gated_append  # type: ignore[method-assign]
    first = threading.Thread(target=log.append, args=(make_event(0),))
    first.start()
    assert started.wait(30)
    with pytest.raises(AuditUnavailable, match="must be refused"):
        log.append(make_event(1))
    gate.set()
    first.join(30)
    assert log.append(make_event(2)).seq == 2  # the refused entry's outcome was unknown
    assert log.verify().ok
