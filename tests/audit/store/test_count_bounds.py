"""AuditLog.stats and activity_by_day take time bounds in every spelling query takes (a
date, a datetime, ISO text with Z or an offset) and count the same entries query finds;
a bound that is no time is refused instead of compared as text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from audit import AuditError, AuditLog
from audit.activity import activity_by_day
from tests.audit.stepping_clock import SteppingClock

from .conftest import make_event

START = datetime(2025, 3, 1, 23, 50, tzinfo=UTC)


@pytest.fixture
def log(db_url, open_log) -> AuditLog:
    opened = open_log(db_url, clock=SteppingClock(START), checkpoint_every=0, checkpoint_seconds=0)
    for n in range(20):
        opened.append(make_event(n))
    return opened


@pytest.mark.parametrize(("since", "until"), [
    ("2025-03-01T23:55Z", "2025-03-02T00:05Z"),
    ("2025-03-02T06:55+07:00", "2025-03-02T07:05+07:00"),
    (datetime(2025, 3, 1, 23, 55, tzinfo=UTC), datetime(2025, 3, 2, 0, 5, tzinfo=UTC)),
    ("2025-03-01T23:55:00", "2025-03-02T00:05:00"),
])
def test_stats_counts_what_query_finds_in_any_spelling(log, since, until):
    found = list(log.query(since=since, until=until))
    assert [e.seq for e in found] == list(range(5, 15))
    assert log.stats(since=since, until=until).total == 10


def test_a_date_bound_counts_whole_days(log):
    assert log.stats(since=date(2025, 3, 2)).total == 10
    assert log.stats(until="2025-03-02").total == 10


def test_activity_counts_the_same_entries(log):
    allowed = [e for e in log.query(since="2025-03-01T23:55Z", until="2025-03-02T00:05Z")
               if e.decision == "allow"]
    days = activity_by_day(log, since="2025-03-02T06:55+07:00", until="2025-03-02T00:05Z",
                           by_purpose=False)
    assert sum(d.accesses for d in days) == len(allowed)


@pytest.mark.parametrize("bound", ["since", "until"])
def test_a_bound_that_is_no_time_is_refused(log, bound):
    with pytest.raises(AuditError, match=bound):
        log.stats(**{bound: "last week"})
    with pytest.raises(AuditError, match=bound):
        activity_by_day(log, **{"since": "2025-03-01", "until": "2025-03-03", bound: "junk"})
