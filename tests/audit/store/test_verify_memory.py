"""Verification streams: its memory peak is one batch's, whatever the size of the log."""

from __future__ import annotations

import tracemalloc

import pytest

from .conftest import make_event

BATCH = 1024
SMALL, LARGE = BATCH, 12 * BATCH


@pytest.fixture(autouse=True)
def batches_of_1024(monkeypatch):
    monkeypatch.setattr("audit.verify.BATCH", BATCH)


def peak_while_verifying(log, *, columns: bool) -> int:
    """Return the most memory Python held at once during a one-process verification."""
    tracemalloc.start()
    try:
        report = log.verify(workers=1, columns=columns)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert report.ok, report.problems


@pytest.mark.parametrize("columns", [True, False], ids=["columns", "tree-only"])
def test_a_log_of_twelve_batches_takes_no_more_memory_to_verify_than_one(db_url, open_log, columns):
    log = open_log(db_url, checkpoint_every=0)
    log.append_many(make_event(n) for n in range(SMALL))
    small = peak_while_verifying(log, columns=columns)
    log.append_many(make_event(n) for n in range(SMALL, LARGE))

    large = peak_while_verifying(log, columns=columns)

    # a batch's rows are ~0.7 MB; the tree-only pass held the last batch while it read the
    # next one, twice the memory of a log of one batch
    assert large < small * 1.15 + 64 * 1024, (small, large)
