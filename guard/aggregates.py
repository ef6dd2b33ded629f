"""Answer internal-operations questions with counts over groups of at least k mailboxes.

Two questions, each from a real table of MailGuard's own:

- ``activity_by_day``: from the audit log's entries, per UTC day (and purpose), how many
  distinct mailboxes were touched (``mailbox_count``), how many allowed accesses were
  recorded (``api_calls``) and how many distinct messages they named (``message_count``).
  Mailboxes are counted by the log's keyed hashes; no address is read.
- ``accounts_by_domain_size``: from the connected-accounts table, how many connected
  mailboxes sit in domains of each size band (1, 2-9, 10-99, 100+ mailboxes).

A group holding fewer than the policy's ``min_group_size`` mailboxes comes back marked
``suppressed`` with no numbers at all. Answers carry no content and no identifiers: group
keys are days, purposes and size bands. Only an active staff member whose role has the
``aggregate`` basis may ask; the decision is audited before anything is counted.

Security caveat: the same question without the purpose breakdown gives each day's
totals, so a day's one hidden purpose could be had by subtracting the shown purposes from
that day's total. Whenever a day hides a purpose, its smallest shown purpose is hidden
too (complementary suppression): the difference is then the sum of at least two groups,
one of them of k mailboxes or more, and no small group's numbers come out of it. The
domain-size bands share out every connected mailbox, whose number other answers give (a
day on which the sync job touched each mailbox), so a band hiding some mailboxes hides
the smallest shown band too; an empty band hides nobody and hides no other.

``activity_by_day`` is counted by the audit database (``audit.activity``) over at most
366 days; no entry is decoded in Python.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Engine, func, select

from audit import AuditLog
from audit.activity import activity_by_day as audit_activity
from audit.entry import format_time
from guard.accounts import connected_accounts
from guard.errors import AccessDenied, AggregateTooSmall
from guard.policy import (
    REASONS,
    AccessBasis,
    AccessRequest,
    Actor,
    Decision,
    Policy,
    check_access,
    check_aggregate,
)
from guard.policy.vocabulary import AGGREGATE_ACTION, STAFF_PURPOSES
from guard.recording import record_decision
from guard.staff import StaffError, StaffRegistry, UnknownStaff

Clock = Callable[[], datetime]

ACTIVITY_FIELDS = ("mailbox_count", "api_calls", "message_count")
ACCOUNT_FIELDS = ("mailbox_count",)
DOMAIN_BANDS = ((1, 1, "1"), (2, 9, "2-9"), (10, 99, "10-99"), (100, None, "100+"))
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class AggregateRow:
    """One group: its key, and its counts unless it was too small to show."""

    key: tuple[tuple[str, str], ...]
    suppressed: bool
    counts: tuple[tuple[str, int], ...] = ()
    #: hidden though large enough, so that a smaller hidden group cannot be subtracted out
    complementary: bool = False

    def count(self, name: str) -> int | None:
        """Return the count ``name`` of this group (None when suppressed)."""
        return dict(self.counts).get(name)


@dataclass(frozen=True, slots=True)
class AggregateResult:
    """An answer: the question, its groups, and the minimum group size applied."""

    question: str
    fields: tuple[str, ...]
    min_group_size: int
    rows: tuple[AggregateRow, ...]
    decision: Decision


class Aggregates:
    """Compute k-anonymous counts for internal operations, audited before counting."""

    def __init__(self, engine: Engine, policy: Policy, audit: AuditLog, staff: StaffRegistry,
                 *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._policy = policy
        self._audit = audit
        self._staff = staff
        self._clock = clock or (lambda: datetime.now(UTC))

    def activity_by_day(self, actor: Actor, *, since: date, until: date,
                        by_purpose: bool = True, request_id: str | None = None
                        ) -> AggregateResult:
        """Count distinct mailboxes, Gmail accesses and messages per day in [since, until)."""
        if not since < until or (until - since).days > MAX_DAYS:
            raise ValueError(f"give since < until, at most {MAX_DAYS} days apart")
        decision = self._authorise(actor, "activity_by_day", ACTIVITY_FIELDS, request_id)
        start = datetime.combine(since, time(), UTC)
        end = datetime.combine(until, time(), UTC)
        rows = []
        for day in audit_activity(self._audit, since=format_time(start),
                                  until=format_time(end), by_purpose=by_purpose):
            key: tuple[tuple[str, str], ...] = (("day", day.day),)
            if day.purpose is not None:
                key += (("purpose", day.purpose),)
            rows.append(self._row(key, day.mailboxes, (("mailbox_count", day.mailboxes),
                                                       ("api_calls", day.accesses),
                                                       ("message_count", day.messages))))
        if by_purpose:
            rows = _hide_complements(rows)
        return AggregateResult("activity_by_day", ACTIVITY_FIELDS,
                               self._policy.aggregates.min_group_size, tuple(rows), decision)

    def accounts_by_domain_size(self, actor: Actor, *, request_id: str | None = None
                                ) -> AggregateResult:
        """Count connected mailboxes per band of their domain's size."""
        decision = self._authorise(actor, "accounts_by_domain_size", ACCOUNT_FIELDS,
                                   request_id)
        domain = func.lower(func.substr(connected_accounts.c.mailbox,
                                        func.instr(connected_accounts.c.mailbox, "@") + 1)) \
            if self._engine.dialect.name == "sqlite" else \
            func.lower(func.split_part(connected_accounts.c.mailbox, "@", 2))
        per_domain = (select(domain.label("d"),
                             func.count(func.distinct(connected_accounts.c.mailbox)).label("n"))
                      .group_by(domain))
        with self._engine.connect() as conn:
            sizes = [int(n) for _d, n in conn.execute(per_domain)]
        rows = []
        hides_someone = False
        for low, high, label in DOMAIN_BANDS:
            total = sum(n for n in sizes if n >= low and (high is None or n <= high))
            row = self._row((("domain_size", label),), total, (("mailbox_count", total),))
            hides_someone |= row.suppressed and total > 0
            rows.append(row)
        if hides_someone:
            rows = _hide_smallest_shown(rows)
        return AggregateResult("accounts_by_domain_size", ACCOUNT_FIELDS,
                               self._policy.aggregates.min_group_size, tuple(rows), decision)

    def _row(self, key: tuple[tuple[str, str], ...], mailboxes: int,
             counts: Iterable[tuple[str, int]]) -> AggregateRow:
        if mailboxes < self._policy.aggregates.min_group_size:
            return AggregateRow(key, True)
        return AggregateRow(key, False, tuple(counts))

    def _authorise(self, actor: Actor, question: str, fields: tuple[str, ...],
                   request_id: str | None) -> Decision:
        """Decide whether ``actor`` may ask; record the decision; raise when refused."""
        purpose = STAFF_PURPOSES[AccessBasis.AGGREGATE]
        decision = check_access(self._policy, AccessRequest(
            actor=actor, action=AGGREGATE_ACTION, mailbox=None, purpose=purpose,
            now=self._clock(), basis=AccessBasis.AGGREGATE))
        if decision.allowed:
            # Group sizes are enforced per group by suppression; this checks the fields.
            decision = check_aggregate(self._policy, [self._policy.aggregates.min_group_size],
                                       fields=fields)
        if decision.allowed:
            try:
                self._staff.require_actor(actor)
            except (StaffError, UnknownStaff):
                decision = Decision(False, "staff.not_registered",
                                    REASONS["staff.not_registered"], purpose,
                                    AccessBasis.AGGREGATE.value, self._policy.version)
        record_decision(self._audit, decision, actor=actor, action=AGGREGATE_ACTION,
                        request_id=request_id or uuid.uuid4().hex, outcome=question)
        if not decision.allowed:
            if decision.rule_id == "aggregate.below_k":
                raise AggregateTooSmall(decision)
            raise AccessDenied(decision)
        return decision


def _hide_complements(rows: list[AggregateRow]) -> list[AggregateRow]:
    """Hide each day's smallest shown purpose when the day hides another (module docstring)."""
    days: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, row in enumerate(rows):
        days.setdefault(row.key[:1], []).append(i)
    out = list(rows)
    for members in days.values():
        if any(rows[i].suppressed for i in members):
            group = _hide_smallest_shown([rows[i] for i in members])
            for i, row in zip(members, group, strict=True):
                out[i] = row
    return out


def _hide_smallest_shown(rows: list[AggregateRow]) -> list[AggregateRow]:
    """Hide the smallest shown row too (complementary suppression; module docstring)."""
    shown = [i for i, row in enumerate(rows) if not row.suppressed]
    out = list(rows)
    if shown:
        smallest = min(shown, key=lambda i: rows[i].count("mailbox_count") or 0)
        out[smallest] = AggregateRow(rows[smallest].key, True, complementary=True)
    return out
