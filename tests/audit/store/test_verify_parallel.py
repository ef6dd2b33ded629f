"""Verification split over processes names the same first bad entry as one process."""

from __future__ import annotations

import pytest

from .conftest import make_event
from .test_tamper import CASES, SIZE, attacker, written  # noqa: F401 - the 40-entry log


@pytest.fixture(autouse=True)
def batches_of_8(monkeypatch):
    """Verify in batches of 8: two processes take entries 0..15 and 16..39."""
    monkeypatch.setattr("audit.verify.BATCH", 8)


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
