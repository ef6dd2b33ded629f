"""Activity per day, counted by the database, equals counting the decoded entries."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from audit import AuditLog, AuditQuery, ResourceKind
from audit.activity import DayActivity, activity_by_day
from audit.entry import format_time
from tests.audit.store.conftest import make_event

START = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)


def python_counts(log: AuditLog, since: str, until: str, by_purpose: bool
                  ) -> tuple[DayActivity, ...]:
    """Count as a reader of the decoded entries would (the reference)."""
    groups: dict[tuple[str, str | None], tuple[set[str], list[int], set[str]]] = {}
    for entry in log.query(AuditQuery(since=since, until=until)):
        if not entry.mailbox_h or entry.decision != "allow":
            continue
        key = (entry.time[:10], entry.purpose if by_purpose else None)
        mailboxes, calls, messages = groups.setdefault(key, (set(), [0], set()))
        mailboxes.add(entry.mailbox_h)
        calls[0] += 1
        messages.update(f"{entry.mailbox_h}/{r.id}" for r in entry.resources
                        if r.kind is ResourceKind.MESSAGE)
    return tuple(DayActivity(day, purpose, len(m), c[0], len(msgs))
                 for (day, purpose), (m, c, msgs) in sorted(groups.items()))


@pytest.mark.parametrize("by_purpose", [True, False])
def test_counts_match_the_decoded_entries(db_url: str, open_log: Callable[..., AuditLog],
                                          by_purpose: bool) -> None:
    moments = iter(START + timedelta(minutes=37 * n) for n in range(10_000))
    log = open_log(db_url, clock=lambda: next(moments), checkpoint_every=0)
    pick = random.Random(7)
    events: list[Any] = []
    for n in range(300):
        overrides: dict[str, Any] = {
            "purpose": pick.choice(["email.read", "email.send", "crm.log"]),
            "resources": [{"kind": "message", "id": f"msg-{pick.randrange(40)}"},
                          {"kind": "thread", "id": f"thr-{n}"}]}
        if n % 11 == 0:
            overrides.update(mailbox="", resources=[])  # no mailbox: never counted
        events.append(make_event(n, **overrides))
    for event in events:
        log.append(event)
    since, until = format_time(START + timedelta(hours=5)), format_time(
        START + timedelta(days=6))
    counted = activity_by_day(log, since=since, until=until, by_purpose=by_purpose)
    assert counted == python_counts(log, since, until, by_purpose)
    assert len({c.day for c in counted}) >= 5
    assert all(c.messages <= c.accesses for c in counted)
    if by_purpose:
        assert {c.purpose for c in counted} == {"email.read", "email.send", "crm.log"}


def test_an_empty_range_counts_nothing(db_url: str, open_log: Callable[..., AuditLog]) -> None:
    log = open_log(db_url, checkpoint_every=0)
    log.append(make_event(1))
    assert activity_by_day(log, since="2001-01-01T00:00:00.000000Z",
                           until="2001-01-02T00:00:00.000000Z") == ()
