"""Verification split over processes names the same first bad entry as one process."""

from __future__ import annotations

import os

import pytest

from .conftest import make_event
from .test_tamper import (  # noqa: F401 - written: the 40-entry log
    CASES,
    SIZE,
    attacker,
    modify_search_column,
    written,
)


@pytest.fixture(autouse=True)
def batches_of_8(monkeypatch):
    """Verify in batches of 8: the processes share out five ranges of one batch each."""
    monkeypatch.setattr("audit.verify.BATCH", 8)


@pytest.fixture
def only_workers_check(monkeypatch):
    """This process takes no range, so the spawned worker checks every one."""
    monkeypatch.setattr("audit.verify._take", lambda taken, count: None)


def dying_worker(*args: object) -> None:
    """Die before reporting anything, as a worker the kernel killed would."""
    os._exit(1)


def test_two_processes_agree_with_one_on_a_clean_log(written, open_log):  # noqa: F811
    log = open_log(written)
    progress: list[tuple[int, int]] = []
    split = log.verify(workers=2, progress=lambda done, total: progress.append((done, total)))
    whole = log.verify(workers=1)
    assert split.ok and whole.ok, (split.problems, whole.problems)
    assert split.root_hash == whole.root_hash == log.latest_checkpoint().root_hash
    assert (split.entries_checked, split.nodes_checked) == (SIZE, whole.nodes_checked)
    assert progress[-1] == (SIZE, SIZE)


@pytest.mark.parametrize(("name", "tamper", "seq", "kind"), CASES, ids=[c[0] for c in CASES])
def test_two_processes_name_the_first_bad_seq(written, open_log, name, tamper, seq,  # noqa: F811
                                              kind):
    db = attacker(written)
    tamper(db)
    db.close()
    report = open_log(written).verify(workers=2)
    assert (report.first_problem.kind, report.first_bad_seq) == (kind, seq), report.problems


def test_entries_before_the_bad_batch_count_as_checked(written, open_log):  # noqa: F811
    db = attacker(written)
    db.execute("UPDATE audit_entries SET leaf_hash = zeroblob(32) WHERE seq = 35")
    db.close()
    report = open_log(written).verify(workers=2)
    assert (report.first_problem.kind, report.first_bad_seq) == ("modified", 35)
    assert report.entries_checked == 32  # the batches before 32..39 were proven good


@pytest.mark.parametrize("workers", [1, 2])
def test_a_checkpoint_that_closes_a_larger_subtree_at_a_batch_end(sqlite_path, open_log,
                                                                   workers):
    log = open_log(sqlite_path, checkpoint_every=0)
    log.append_many([make_event(i) for i in range(32)])
    at_32 = log.checkpoint()  # its root is the node (5, 0), completed by the batch 24..31
    log.append_many([make_event(i) for i in range(32, 44)])
    report = log.verify(workers=workers)
    assert report.ok, report.problems
    assert report.root_hash == log.checkpoint().root_hash != at_32.root_hash


@pytest.mark.parametrize(("name", "tamper", "seq", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_worker_checking_every_range_names_the_first_bad_seq(  # noqa: PLR0913
        written, open_log, only_workers_check, name, tamper, seq, kind):  # noqa: F811
    db = attacker(written)
    tamper(db)
    db.close()
    report = open_log(written).verify(workers=2)
    assert (report.first_problem.kind, report.first_bad_seq) == (kind, seq), report.problems


def test_a_worker_checking_every_range_agrees_on_a_clean_log(written, open_log,  # noqa: F811
                                                             only_workers_check):
    log = open_log(written)
    progress: list[tuple[int, int]] = []
    split = log.verify(workers=2, progress=lambda done, total: progress.append((done, total)))
    assert split.ok, split.problems
    assert split.root_hash == log.latest_checkpoint().root_hash
    assert (split.entries_checked, progress[-1]) == (SIZE, (SIZE, SIZE))


def test_ranges_of_a_worker_that_died_are_checked_here(written, open_log,  # noqa: F811
                                                       only_workers_check, monkeypatch):
    monkeypatch.setattr("audit.verify._worker", dying_worker)
    log = open_log(written)
    clean = log.verify(workers=2)
    assert clean.ok and clean.entries_checked == SIZE, clean.problems
    db = attacker(written)
    modify_search_column(db)
    db.close()
    report = log.verify(workers=2)
    assert (report.first_problem.kind, report.first_bad_seq) == ("column_mismatch", 17)
