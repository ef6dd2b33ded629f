"""``AuditLog.query(filters)`` as an integrator writes it: a mapping, keywords or an
AuditQuery; time bounds as dates, datetimes or ISO strings; the client IP in the clear."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from audit import AuditError, AuditLog, AuditQuery
from tests.audit.stepping_clock import SteppingClock

from .conftest import make_event

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def log(db_url, open_log) -> AuditLog:
    opened = open_log(db_url, clock=SteppingClock(START), checkpoint_every=0, checkpoint_seconds=0)
    for n in range(10):
        ip = "2001:DB8::1" if n % 2 else "192.0.2.10"
        opened.append(make_event(n, client_ip=ip))
    return opened


def seqs(entries) -> list[int]:
    return [e.seq for e in entries]


def test_a_mapping_keywords_and_an_audit_query_find_the_same_entries(log):
    expected = seqs(log.query(AuditQuery(mailbox="user3@example.com", decision="allow")))

    assert expected == [3]
    assert seqs(log.query({"mailbox": "USER3@example.com", "decision": "allow"})) == expected
    assert seqs(log.query(mailbox="user3@example.com", decision="allow")) == expected
    assert seqs(log.query(AuditQuery(decision="allow"), mailbox="user3@example.com")) == expected


def test_a_filter_that_does_not_exist_is_refused_by_name(log):
    with pytest.raises(AuditError, match="'mailbx' is not an audit search filter"):
        list(log.query({"mailbx": "user3@example.com"}))
    with pytest.raises(AuditError, match="'subject' is not an audit search filter"):
        list(log.query(subject="hello"))


@pytest.mark.parametrize(("since", "until"), [
    (START + timedelta(minutes=2), START + timedelta(minutes=5)),
    ("2025-03-01T09:02:00Z", "2025-03-01T09:05:00Z"),
    ("2025-03-01T16:02:00+07:00", "2025-03-01T16:05:00+07:00"),
    ("2025-03-01T09:02", "2025-03-01 09:05:00"),
], ids=["datetime", "z-without-fraction", "offset", "naive-is-utc"])
def test_time_bounds_in_any_iso_spelling_bound_the_same_entries(log, since, until):
    assert seqs(log.query(since=since, until=until)) == [2, 3, 4]


def test_a_date_bounds_whole_days_and_a_bad_time_is_refused(log):
    assert len(seqs(log.query(since=date(2025, 3, 1), until="2025-03-02"))) == 10
    assert seqs(log.query(until=date(2025, 3, 1))) == []
    with pytest.raises(AuditError, match="not a date or time"):
        list(log.query(since="yesterday"))


def test_the_client_ip_is_searched_in_the_clear(log):
    assert seqs(log.query(client_ip="2001:db8:0::1")) == [1, 3, 5, 7, 9]
    assert seqs(log.query(AuditQuery(client_ip="192.0.2.10", decision="deny"))) == [0]
    assert seqs(log.query(client_ip="198.51.100.7")) == []
