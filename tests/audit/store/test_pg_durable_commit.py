"""A PostgreSQL append is acknowledged only after a synchronous commit has followed it.

The append itself commits with ``synchronous_commit = off`` (releasing the head lock
early); the one-statement transaction after it must commit synchronously, in its own
transaction, before the caller hears back (see ``audit.pg_append``).
"""

from __future__ import annotations

import psycopg
import pytest

from audit import AuditUnavailable, pg_append
from tests.audit.store.conftest import make_event


def test_append_returns_after_a_synchronous_commit_of_its_own(pg_url, open_log):
    log = open_log(pg_url)
    log.append(make_event(0))
    writer = log.store._writer  # the long-lived writer connection the append used
    # the trailing transaction was committed, not left open for a later statement
    assert writer.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    # the early-release setting was local to the append's transaction
    assert writer.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    assert log.size() == 1 and log.verify().ok


def test_a_failed_batch_leaves_no_transaction_open(pg_url, open_log, monkeypatch):
    log = open_log(pg_url)
    log.append(make_event(0))
    monkeypatch.setattr(pg_append, "WRITE_BATCH", pg_append.WRITE_BATCH.replace(
        "UPDATE audit_head", "UPDATE audit_head_missing"))
    with pytest.raises(AuditUnavailable):
        log.append(make_event(1))
    monkeypatch.undo()
    assert log.append(make_event(2)).seq == 1  # nothing of the failed batch was kept
    assert log.size() == 2 and log.verify().ok
