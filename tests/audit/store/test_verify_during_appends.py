"""Appends that race with verification are never reported as tampering.

Verification reads the log in one snapshot: the report covers the log as it was when
verification started, and entries, nodes and checkpoints added meanwhile are neither
checked nor mistaken for rows beyond the head.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from audit import AuditLog

from .conftest import make_event


@pytest.fixture(autouse=True)
def batches_of_8(monkeypatch):
    """Verify in batches of 8, so progress is reported (and appends land) mid-scan."""
    monkeypatch.setattr("audit.verify.BATCH", 8)


def append_in_thread(log: AuditLog, start: int, count: int, *, checkpoint: bool) -> None:
    """Append ``count`` entries (then a checkpoint) from another thread; wait for it."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            log.append_many([make_event(start + i) for i in range(count)])
            if checkpoint:
                log.checkpoint()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failures, failures


@pytest.mark.parametrize("workers", [1, 2])
def test_entries_appended_during_verification_are_not_reported(db_url, open_log, workers):
    log = open_log(db_url, checkpoint_every=0)
    log.append_many([make_event(i) for i in range(40)])
    for round_ in range(3):
        size = log.size()
        root = log.checkpoint()
        appended: list[int] = []

        def grow(done: int, total: int, size: int = size, appended: list[int] = appended,
                 round_: int = round_) -> None:
            # Every progress report lands new entries, nodes that reach back over the
            # verified ones, and a checkpoint beyond the size being verified.
            append_in_thread(log, 1000 * (round_ + 1) + len(appended), 5,
                             checkpoint=len(appended) % 2 == 0)
            appended.append(done)

        report = log.verify(progress=grow, workers=workers)
        assert report.ok, report.problems
        assert report.size == size
        assert appended, "no append landed while verification ran"
        assert log.size() == size + 5 * len(appended)
        assert (root.size, report.root_hash) == (size, root.root_hash)


def test_verification_racing_a_writer_thread_finds_nothing(db_url, open_log):
    log = open_log(db_url, checkpoint_every=7)
    log.append_many([make_event(i) for i in range(24)])
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        n = 24
        try:
            while not stop.is_set():
                log.append_many([make_event(n + i) for i in range(3)])
                n += 3
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    sizes: list[int] = []
    try:
        for _ in range(15):
            report = log.verify(workers=2 if len(sizes) % 3 == 2 else 1)
            assert report.ok, report.problems
            sizes.append(report.size)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures
    assert sizes == sorted(sizes) and sizes[0] >= 24
    assert log.verify().ok


def delete_entry(log: AuditLog, seq: int) -> None:
    """Delete entry ``seq`` and its resources as a database writer would, past the triggers."""
    pg = log.store.dialect == "postgresql"
    with log.store.engine.begin() as conn:
        if pg:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_resources DISABLE TRIGGER USER"))
        else:
            for table in ("audit_entries", "audit_resources"):
                conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
        conn.execute(text("DELETE FROM audit_resources WHERE seq = :s"), {"s": seq})
        conn.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": seq})


@pytest.mark.parametrize("workers", [1, 2])
def test_a_deleted_entry_is_still_named_while_appends_race(db_url, open_log, workers):
    log = open_log(db_url, checkpoint_every=0)
    log.append_many([make_event(i) for i in range(40)])
    delete_entry(log, 21)
    appended: list[int] = []

    def grow(done: int, _total: int) -> None:
        if not appended:
            append_in_thread(log, 5000, 4, checkpoint=False)
        appended.append(done)

    report = log.verify(progress=grow, workers=workers)
    assert appended
    assert (report.first_problem.kind, report.first_bad_seq) == ("missing", 21), \
        report.problems
