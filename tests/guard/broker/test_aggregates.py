"""Aggregates: counts over groups of at least k mailboxes, suppressed below, audited first."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from audit import AuditEvent, AuditLog, AuditUnavailable
from guard.accounts import connected_accounts
from guard.aggregates import Aggregates
from guard.errors import AccessDenied
from guard.policy import DEFAULT_POLICY_PATH, Policy, load_policy
from guard.staff import StaffRegistry
from tests.guard.broker.conftest import ADMIN, Clock, entries, staff_actor

OPS = staff_actor("ops@qontak.com", "ops")
DAY1 = date(2025, 3, 1)


@pytest.fixture
def small_k_policy(tmp_path: Path) -> Policy:
    """Return the shipped policy with min_group_size lowered to the floor, 10."""
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert "min_group_size = 50" in text
    path = tmp_path / "policy.toml"
    path.write_text(text.replace("min_group_size = 50", "min_group_size = 10"),
                    encoding="utf-8")
    return load_policy(path)


@pytest.fixture
def aggregates(engine: Engine, small_k_policy: Policy, audit_log: AuditLog,
               clock: Clock) -> Aggregates:
    staff = StaffRegistry(engine, small_k_policy, audit_log, clock=clock)
    staff.add("ops@qontak.com", roles=["ops"], by=ADMIN)
    staff.add("sam@qontak.com", roles=["support"], by=ADMIN)
    return Aggregates(engine, small_k_policy, audit_log, staff, clock=clock)


def _reads(log: AuditLog, mailboxes: int, purpose: str = "email.read",
           prefix: str = "u") -> None:
    events = []
    for n in range(mailboxes):
        for _ in range(2):
            events.append(AuditEvent(
                actor_kind="user", actor_id=f"{prefix}{n}@example.com",
                mailbox=f"{prefix}{n}@example.com", action="messages.get", purpose=purpose,
                resources=[("message", "m1"), ("message", "m2")], decision="allow"))
    log.append_many(events)


def test_activity_counts_groups_and_suppresses_small_ones(
        aggregates: Aggregates, audit_log: AuditLog, clock: Clock) -> None:
    _reads(audit_log, 12)
    _reads(audit_log, 3, purpose="email.send", prefix="s")
    _reads(audit_log, 11, purpose="email.organize", prefix="o")
    audit_log.append(AuditEvent(actor_kind="user", actor_id="x@example.com",
                                mailbox="x@example.com", action="messages.get",
                                purpose="email.read", decision="deny"))
    clock.advance(days=1)
    _reads(audit_log, 4)
    result = aggregates.activity_by_day(OPS, since=DAY1, until=DAY1 + timedelta(days=2))
    rows = {r.key: r for r in result.rows}
    read = rows[(("day", "2025-03-01"), ("purpose", "email.read"))]
    assert not read.suppressed
    assert (read.count("mailbox_count"), read.count("api_calls"),
            read.count("message_count")) == (12, 24, 24)
    # email.organize (11 mailboxes) is hidden too: with the day's total, email.send alone
    # could otherwise be had by subtraction.
    for key in ((("day", "2025-03-01"), ("purpose", "email.send")),
                (("day", "2025-03-01"), ("purpose", "email.organize")),
                (("day", "2025-03-02"), ("purpose", "email.read"))):
        assert rows[key].suppressed and rows[key].counts == ()
        assert rows[key].count("mailbox_count") is None
    by_day = aggregates.activity_by_day(OPS, since=DAY1, until=DAY1 + timedelta(days=2),
                                        by_purpose=False)
    assert [(r.key, r.suppressed, r.count("mailbox_count")) for r in by_day.rows] == [
        ((("day", "2025-03-01"),), False, 26), ((("day", "2025-03-02"),), True, None)]
    [first, _second] = entries(audit_log, action="aggregate.query")
    assert (first.decision, first.rule_id, first.basis, first.mailbox_h) == (
        "allow", "aggregate.allowed", "aggregate", "")
    assert first.outcome == "activity_by_day"


def test_accounts_by_domain_size_bands(aggregates: Aggregates, engine: Engine,
                                       clock: Clock) -> None:
    mailboxes = [f"u{n}@big.example" for n in range(10)]
    mailboxes += [f"u{n}@team{t}.example" for t in range(5) for n in range(2)]
    mailboxes += ["solo@a.example", "solo@b.example", "solo@C.example"]
    with engine.begin() as conn:
        conn.execute(insert(connected_accounts), [
            {"user_id": f"q{i}", "mailbox": m, "granted_scopes": "", "connected_at": clock.now,
             "needs_reconnect": False} for i, m in enumerate(mailboxes)])
    result = aggregates.accounts_by_domain_size(OPS)
    # "2-9" is hidden beside "1": shown, it would give "1" away by subtraction.
    assert [(dict(r.key)["domain_size"], r.suppressed, r.count("mailbox_count"))
            for r in result.rows] == [("1", True, None), ("2-9", True, None),
                                      ("10-99", False, 10), ("100+", True, None)]


@pytest.mark.parametrize(("actor", "rule"), [
    (staff_actor("sam@qontak.com", "support"), "staff.basis_not_allowed"),
    (staff_actor("gone@qontak.com", "ops"), "staff.not_registered"),
])
def test_only_registered_operations_staff_may_ask(aggregates: Aggregates,
                                                  audit_log: AuditLog, actor: object,
                                                  rule: str) -> None:
    with pytest.raises(AccessDenied) as caught:
        aggregates.accounts_by_domain_size(actor)  # type: ignore[arg-type]
    assert caught.value.rule_id == rule
    [entry] = entries(audit_log, action="aggregate.query")
    assert (entry.decision, entry.rule_id) == ("deny", rule)


def test_nothing_is_counted_when_the_audit_log_is_down(aggregates: Aggregates,
                                                       audit_log: AuditLog) -> None:
    audit_log.close()
    with pytest.raises(AuditUnavailable):
        aggregates.accounts_by_domain_size(OPS)


def test_a_hidden_purpose_cannot_be_had_from_the_days_total(
        aggregates: Aggregates, audit_log: AuditLog) -> None:
    _reads(audit_log, 30)
    _reads(audit_log, 15, purpose="email.organize", prefix="o")
    _reads(audit_log, 2, purpose="email.send", prefix="s")
    day = (DAY1, DAY1 + timedelta(days=1))
    total = aggregates.activity_by_day(OPS, since=day[0], until=day[1], by_purpose=False)
    split = aggregates.activity_by_day(OPS, since=day[0], until=day[1])
    [day_row] = total.rows
    shown = [r for r in split.rows if not r.suppressed]
    hidden = [dict(r.key)["purpose"] for r in split.rows if r.suppressed]
    assert sorted(hidden) == ["email.organize", "email.send"]
    assert [dict(r.key)["purpose"] for r in split.rows if r.complementary] == [
        "email.organize"]
    # what subtraction gives is the two hidden groups together, never email.send alone
    remainder = day_row.count("api_calls") - sum(r.count("api_calls") or 0 for r in shown)
    assert remainder == (15 + 2) * 2


def test_a_day_with_nothing_hidden_shows_every_purpose(
        aggregates: Aggregates, audit_log: AuditLog) -> None:
    _reads(audit_log, 12)
    _reads(audit_log, 10, purpose="email.organize", prefix="o")
    split = aggregates.activity_by_day(OPS, since=DAY1, until=DAY1 + timedelta(days=1))
    assert [r.suppressed for r in split.rows] == [False, False]


def _connect(engine: Engine, clock: Clock, mailboxes: list[str]) -> None:
    with engine.begin() as conn:
        conn.execute(insert(connected_accounts), [
            {"user_id": f"q{i}", "mailbox": m, "granted_scopes": "", "connected_at": clock.now,
             "needs_reconnect": False} for i, m in enumerate(mailboxes)])


def test_a_hidden_domain_band_cannot_be_had_from_the_number_of_mailboxes(
        aggregates: Aggregates, engine: Engine, audit_log: AuditLog, clock: Clock) -> None:
    # Reproduces: the bands were suppressed one by one, so with the number of connected
    # mailboxes (a day on which the sync job touched each one says it) the one small band
    # came out by subtraction: 3 mailboxes alone in their domains.
    mailboxes = [f"u{n}@big.example" for n in range(12)]
    mailboxes += [f"u{n}@team{t}.example" for t in range(6) for n in range(2)]
    mailboxes += ["solo@a.example", "solo@b.example", "solo@c.example"]
    _connect(engine, clock, mailboxes)
    audit_log.append_many([AuditEvent(actor_kind="system", actor_id="gmail-sync", mailbox=m,
                                      action="history.list", purpose="email.sync",
                                      decision="allow") for m in mailboxes])
    [day] = aggregates.activity_by_day(OPS, since=DAY1, until=DAY1 + timedelta(days=1),
                                       by_purpose=False).rows
    connected = day.count("mailbox_count")
    assert connected == len(mailboxes)

    bands = aggregates.accounts_by_domain_size(OPS).rows
    shown = sum(r.count("mailbox_count") or 0 for r in bands if not r.suppressed)
    assert connected - shown != 3
    assert [dict(r.key)["domain_size"] for r in bands if r.complementary] == ["2-9"]
    assert all(r.counts == () for r in bands if r.suppressed)


def test_an_empty_band_hides_no_other(aggregates: Aggregates, engine: Engine,
                                      clock: Clock) -> None:
    _connect(engine, clock, [f"u{n}@big.example" for n in range(12)]
             + [f"u{n}@team{t}.example" for t in range(6) for n in range(2)])
    bands = aggregates.accounts_by_domain_size(OPS).rows
    assert [(dict(r.key)["domain_size"], r.suppressed, r.count("mailbox_count"))
            for r in bands] == [("1", True, None), ("2-9", False, 12),
                                ("10-99", False, 12), ("100+", True, None)]
