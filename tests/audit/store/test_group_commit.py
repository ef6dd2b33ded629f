"""Group commit: every caller waiting when a commit starts is in that commit."""

from __future__ import annotations

import threading
from typing import Any

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
    with log._arrived:
        assert log._arrived.wait_for(lambda: len(log._pending) == 7, 30)
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
