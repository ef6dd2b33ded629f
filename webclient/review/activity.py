"""Count what the audit log shows over a time window, in one streaming pass.

Counts feed the review charts and the compliance report. A staff view is recorded twice
(the broker's decision, then the mailbox's own), both under one request id, so accesses
are counted once per request id. Entries hold keyed hashes, never addresses: staff members
are named by matching their hashed address against the staff registry (``StaffNames``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from audit import ActorKind, AuditEntry, Decision, IdentifierHasher, ResourceKind
from guard.policy.vocabulary import AGGREGATE_ACTION, GMAIL_ACTIONS, prohibited_family

#: Actions that reach mailbox data (Gmail calls and aggregate queries).
DATA_ACTIONS = frozenset(GMAIL_ACTIONS | {AGGREGATE_ACTION})
TRANSFER_ACTION = "transfer.send"
TRANSFER_DELIVERY = "transfer.delivery"
#: How many recent request ids are remembered to count a request's entries once (the
#: entries of one request are appended together, so a short memory suffices).
_RECENT_REQUESTS = 4096


@dataclass(frozen=True, slots=True)
class StaffNames:
    """Staff members' addresses by the keyed hash the log stores for them."""

    by_hash: Mapping[str, str]

    @classmethod
    def build(cls, addresses: Iterable[str], hasher: IdentifierHasher) -> StaffNames:
        """Hash each address with the log's key."""
        return cls({hasher.hash(a): a for a in addresses})

    def name(self, hashed: str) -> str:
        """Return the staff member's address, or a short form of an unknown hash."""
        return self.by_hash.get(hashed) or (hashed[:11] + "…" if hashed else "-")


def is_prohibited(purpose: str) -> bool:
    """Say whether ``purpose`` belongs to a prohibited family (advertising.*, ...).

    Any spelling the policy refuses as prohibited counts (``Advertising.Targeting``,
    ``ads.targeting``, ``data-sale.broker``): the log keeps the purpose as it was asked.
    """
    return prohibited_family(purpose) is not None


def is_human_access(entry: AuditEntry) -> bool:
    """Say whether ``entry`` is a staff member's access to mailbox data (allowed or not)."""
    return entry.actor_kind is ActorKind.STAFF and entry.action in DATA_ACTIONS


def recipient_of(entry: AuditEntry) -> str:
    """Return the transfer recipient an entry names, or "-"."""
    for ref in entry.resources:
        if ref.kind is ResourceKind.RECIPIENT:
            return ref.id
    return "-"


def days_between(first: date, last: date) -> tuple[str, ...]:
    """Return every day from ``first`` to ``last`` inclusive as ISO dates."""
    span = max(0, (last - first).days)
    return tuple((first + timedelta(days=i)).isoformat() for i in range(span + 1))


class ViewCounter:
    """Tell the first entry of each request's access from the entries that repeat it.

    The entries of one request are appended together, so remembering the recent request
    ids is enough, whatever the length of the log.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], None] = {}

    def first(self, entry: AuditEntry) -> bool:
        """Return True for the first entry of its request and action, False for a repeat."""
        key = (entry.request_id or f"#{entry.seq}", entry.action)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > _RECENT_REQUESTS:
            del self._seen[next(iter(self._seen))]
        return True


@dataclass(slots=True)
class Activity:
    """Counts over a window: per chart, ``series -> day -> count``; totals for the report."""

    accesses_by_basis: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    denials_by_rule: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    human_by_staff: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    transfers_by_recipient: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter))
    purposes_used: Counter[str] = field(default_factory=Counter)
    human_by_basis: Counter[str] = field(default_factory=Counter)
    human_refused_by_basis: Counter[str] = field(default_factory=Counter)
    transfers: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    prohibited: Counter[str] = field(default_factory=Counter)
    #: distinct mailboxes connected (a mailbox connected again counts once)
    accounts_connected: int = 0
    entries: int = 0
    allowed: int = 0
    denied: int = 0
    first_day: str | None = None
    last_day: str | None = None


def count_activity(entries: Iterable[AuditEntry], names: StaffNames) -> Activity:
    """Count ``entries`` (streamed) into the charts' series and the report's tables."""
    found = Activity()
    views = ViewCounter()
    connected: set[str] = set()
    for entry in entries:
        day = entry.time[:10]
        found.entries += 1
        found.first_day = found.first_day or day
        found.last_day = day
        allowed = entry.decision is Decision.ALLOW
        if allowed:
            found.allowed += 1
        else:
            found.denied += 1
            found.denials_by_rule[entry.rule_id or "-"][day] += 1
        if is_prohibited(entry.purpose):
            found.prohibited[entry.purpose] += 1
        if entry.action == "account.connect" and allowed:
            connected.add(entry.mailbox_h or f"#{entry.seq}")
            found.accounts_connected = len(connected)
        if entry.action == TRANSFER_DELIVERY:
            if entry.outcome.startswith("failed"):
                found.transfers[(recipient_of(entry), entry.basis or "-", "failed")] += 1
            continue
        if entry.action == TRANSFER_ACTION:
            status = "sent" if allowed else "refused"
            found.transfers[(recipient_of(entry), entry.basis or "-", status)] += 1
            if allowed:
                found.transfers_by_recipient[recipient_of(entry)][day] += 1
                found.purposes_used[entry.purpose] += 1
            continue
        if entry.action not in DATA_ACTIONS:
            continue
        if not views.first(entry):
            continue
        human = entry.actor_kind is ActorKind.STAFF
        if allowed:
            found.purposes_used[entry.purpose] += 1
            found.accesses_by_basis[entry.basis or entry.actor_kind.value][day] += 1
            if human:
                found.human_by_basis[entry.basis or "-"] += 1
                found.human_by_staff[names.name(entry.actor_id_h)][day] += 1
        elif human:
            found.human_refused_by_basis[entry.basis or "-"] += 1
    return found
