"""Read a mailbox owner's access history from the audit log; the reading is audited first.

The history has three parts: every human (staff) access to the mailbox, every transfer of
its data, and every refused attempt that concerned it. It is read with the audit log's own
search (``AuditQuery(mailbox=...)``, which hashes the clear address the way the log
stored it), so it shows exactly what reviewers see, minus the staff members' identities.

Security caveat: call ``read_history`` only with an actor the guard confirmed owns the
mailbox (``guard.accounts.actor_for``); the reading itself is appended to the log before
anything is read, and if the log cannot record it nothing is shown (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit import AuditEntry, AuditLog, AuditQuery, ResourceKind
from audit import Decision as AuditDecision
from audit.entry import parse_time
from guard.policy import Actor
from guard.policy.vocabulary import INVESTIGATION_ACTIONS
from guard.recording import record

#: How the reading of one's own history is named in the audit log.
HISTORY_ACTION = "privacy.history.read"
HISTORY_PURPOSE = "privacy.history"
HISTORY_RULE = "privacy.own_history"
#: How many entries of each part the page shows (newest first).
LIMIT = 200

#: Resource kinds a refusal already shows as its reference or recipient.
_REFERENCES = frozenset({ResourceKind.RECIPIENT, ResourceKind.CONSENT, ResourceKind.GRANT})

TRANSFER_SEND = "transfer.send"
TRANSFER_DELIVERY = "transfer.delivery"


@dataclass(frozen=True, slots=True)
class HumanAccess:
    """One staff view of the mailbox: who by role, on what basis, which items, when."""

    time: datetime
    role: str
    basis: str
    reference: str
    action: str
    message_ids: tuple[str, ...]
    thread_ids: tuple[str, ...]
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferEntry:
    """One transfer of the mailbox's data: recipient, basis, data classes, delivery."""

    time: datetime
    transfer_id: str
    recipient: str
    basis: str
    data_classes: tuple[str, ...]
    message_count: int
    delivered: bool | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refused attempt that concerned the mailbox, and the rule that refused it."""

    time: datetime
    by_owner: bool
    actor_kind: str
    role: str
    action: str
    purpose: str
    basis: str
    reference: str
    rule_id: str
    resource_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccessHistory:
    """What the owner's history page shows, newest first in each part."""

    human: tuple[HumanAccess, ...]
    transfers: tuple[TransferEntry, ...]
    refusals: tuple[Refusal, ...]


def read_history(audit: AuditLog, *, actor: Actor, mailbox: str, policy_version: str,
                 request_id: str) -> AccessHistory:
    """Record that the owner reads their history, then return it."""
    record(audit, actor=actor, action=HISTORY_ACTION, purpose=HISTORY_PURPOSE, allowed=True,
           rule_id=HISTORY_RULE, policy_version=policy_version, mailbox=mailbox,
           request_id=request_id)

    def search(**filters: Any) -> list[AuditEntry]:
        return list(audit.query(AuditQuery(mailbox=mailbox, newest_first=True, limit=LIMIT,
                                           **filters)))

    staff = search(actor_kind="staff", decision=AuditDecision.ALLOW.value)
    sends = search(action=TRANSFER_SEND, decision=AuditDecision.ALLOW.value)
    deliveries = search(action=TRANSFER_DELIVERY)
    denied = search(decision=AuditDecision.DENY.value)
    own = {e.seq for e in search(decision=AuditDecision.DENY.value, actor_id=mailbox)}
    return AccessHistory(human=human_accesses(staff), transfers=transfers(sends, deliveries),
                         refusals=refusals(denied, own_seqs=own))


def _ids(entry: AuditEntry, *kinds: ResourceKind) -> tuple[str, ...]:
    return tuple(r.id for r in entry.resources if r.kind in kinds)


def human_accesses(entries: Iterable[AuditEntry]) -> tuple[HumanAccess, ...]:
    """Return one access per request from allowed staff entries (newest first).

    A staff view is recorded twice under one request id (the broker's decision and the
    Gmail call it allowed); the page shows it once, with every item either entry names.
    """
    found: dict[str, HumanAccess] = {}
    for entry in entries:
        if entry.action not in INVESTIGATION_ACTIONS:
            continue
        key = entry.request_id or f"seq:{entry.seq}"
        messages = _ids(entry, ResourceKind.MESSAGE)
        threads = _ids(entry, ResourceKind.THREAD)
        attachments = _ids(entry, ResourceKind.ATTACHMENT)
        earlier = found.get(key)
        if earlier is not None:
            found[key] = HumanAccess(
                time=earlier.time, role=earlier.role or entry.actor_role,
                basis=earlier.basis or entry.basis,
                reference=earlier.reference or entry.basis_ref, action=earlier.action,
                message_ids=tuple(sorted({*earlier.message_ids, *messages})),
                thread_ids=tuple(sorted({*earlier.thread_ids, *threads})),
                attachment_ids=tuple(sorted({*earlier.attachment_ids, *attachments})))
            continue
        found[key] = HumanAccess(time=parse_time(entry.time), role=entry.actor_role,
                                 basis=entry.basis, reference=entry.basis_ref,
                                 action=entry.action, message_ids=tuple(sorted(messages)),
                                 thread_ids=tuple(sorted(threads)),
                                 attachment_ids=tuple(sorted(attachments)))
    return tuple(found.values())


def transfers(sends: Iterable[AuditEntry], deliveries: Iterable[AuditEntry]
              ) -> tuple[TransferEntry, ...]:
    """Return the allowed transfers (newest first) with their delivery outcome."""
    delivered: dict[str, bool] = {}
    for entry in deliveries:
        delivered.setdefault(entry.request_id, entry.outcome.startswith("delivered"))
    result = []
    for entry in sends:
        recipients = _ids(entry, ResourceKind.RECIPIENT)
        classes = entry.outcome.removeprefix("classes=")
        result.append(TransferEntry(
            time=parse_time(entry.time), transfer_id=entry.request_id,
            recipient=recipients[0] if recipients else "",
            basis=entry.basis,
            data_classes=tuple(c for c in classes.split(",") if c and c != "none"),
            message_count=len(_ids(entry, ResourceKind.MESSAGE)),
            delivered=delivered.get(entry.request_id)))
    return tuple(result)


def refusals(entries: Iterable[AuditEntry], *, own_seqs: set[int]) -> tuple[Refusal, ...]:
    """Return the refused attempts (newest first), marking the owner's own."""
    return tuple(
        Refusal(time=parse_time(e.time), by_owner=e.seq in own_seqs,
                actor_kind=e.actor_kind.value, role=e.actor_role, action=e.action,
                purpose=e.purpose, basis=e.basis, reference=_reference(e), rule_id=e.rule_id,
                resource_ids=tuple(r.id for r in e.resources if r.kind not in _REFERENCES))
        for e in entries)


def _reference(entry: AuditEntry) -> str:
    """Return the consent or grant a refused attempt was about (its basis or resource)."""
    if entry.basis_ref:
        return entry.basis_ref
    named = _ids(entry, ResourceKind.CONSENT, ResourceKind.GRANT)
    return named[0] if named else ""
