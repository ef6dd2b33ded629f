"""Send Gmail-derived data to a listed recipient: the only way such data leaves MailGuard.

``TransferGate.send`` posts JSON over HTTP to the recipient's URL from configuration, and
only when the policy lists the recipient, the basis is the recipient's, every data class
in the payload is allowed for it, every source is the named mailbox, a feature or merger
transfer is sent by the mailbox's owner (or a system job), a legal or security one names
its reference, and — where the recipient needs it — the user's transfer consent is in
force (loaded fresh, so a revocation takes effect on the next transfer). Everything else
raises ``TransferBlocked``.
Every decision, allowed or blocked, is audited before anything is sent (recipient, basis
and data classes; never the payload), and the delivery's outcome is audited after.

Security caveats: redirects are never followed (a redirect could point anywhere); the
payload must carry Gmail provenance (``guard.provenance``), since the gate decides on the
data classes the provenance names.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from audit import AuditLog, ResourceKind, ResourceRef
from guard.consents import TransferConsentBook
from guard.errors import GuardError, TransferBlocked
from guard.grants import reference_problem
from guard.policy import (
    REASONS,
    Actor,
    ActorKind,
    Decision,
    Policy,
    TransferBasis,
    TransferRequest,
    check_transfer,
)
from guard.policy.vocabulary import RECIPIENT_ID
from guard.provenance import GmailDerived, find_provenance, normal_mailbox, unwrap
from guard.recording import record, record_decision, refs_of
from guard.settings import endpoint_url_problem

Clock = Callable[[], datetime]

#: What the gate sends: a Gmail-derived value (nested marks are found too).
DerivedData = GmailDerived[Any]

GATE_ACTOR = Actor(kind=ActorKind.SYSTEM, id="transfer-gate")

#: The most messages one transfer may draw on: its entry names each of them, beside the
#: recipient and the consent, and an audit entry names at most 1,000 resources.
MAX_TRANSFER_MESSAGES = 998


@dataclass(frozen=True, slots=True)
class RecipientEndpoint:
    """Where a listed recipient receives transfers, from configuration."""

    url: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    #: Sent with each transfer (the recipient's credentials go here); never in ``repr``.
    headers: Mapping[str, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        problem = endpoint_url_problem(self.url)
        if problem is not None:
            raise ValueError(f"a recipient URL: {problem}")


@dataclass(frozen=True, slots=True)
class TransferReceipt:
    """A delivered transfer: its id, recipient, the HTTP status and the data classes sent."""

    transfer_id: str
    recipient_id: str
    status: int
    data_classes: frozenset[str]


class TransferFailed(GuardError):
    """The recipient did not accept an allowed transfer; nothing is retried automatically."""


class TransferGate:
    """Decide, record, then deliver every transfer of Gmail-derived data."""

    def __init__(self, policy: Policy, audit: AuditLog, consents: TransferConsentBook,
                 endpoints: Mapping[str, RecipientEndpoint | str], *,
                 session: requests.Session | None = None, clock: Clock | None = None) -> None:
        self._policy = policy
        self._audit = audit
        self._consents = consents
        self._endpoints = {k: v if isinstance(v, RecipientEndpoint) else RecipientEndpoint(v)
                           for k, v in endpoints.items()}
        self._session = session or requests.Session()
        self._clock = clock or (lambda: datetime.now(UTC))

    def send(self, recipient_id: str, *, mailbox: str, basis: TransferBasis,
             payload: DerivedData | Any, user_consent: str | None = None,
             actor: Actor = GATE_ACTOR, request_id: str | None = None,
             reference: str | None = None) -> TransferReceipt:
        """Deliver ``payload`` of ``mailbox`` to ``recipient_id`` or raise TransferBlocked.

        ``user_consent`` is the id of the user's transfer consent, where one is needed.
        ``reference`` names what a legal or security transfer answers (the legal request's
        reference, the security case's id); those bases refuse a transfer without one
        (``transfer.missing_reference``), and record it as ``legal:<reference>`` or
        ``case:<id>``.
        """
        transfer_id = request_id or uuid.uuid4().hex
        mailbox = normal_mailbox(mailbox)
        sources = find_provenance(payload)
        classes = frozenset(s.data_class for s in sources)
        consent = None
        if user_consent is not None:
            found = self._consents.get(user_consent)
            consent = found.as_consent(self._clock()) if found is not None else None
        request = TransferRequest(recipient_id=recipient_id, basis=basis,
                                  data_classes=classes, mailbox=mailbox, now=self._clock(),
                                  consent=consent)
        decision = check_transfer(self._policy, request)
        if decision.allowed:
            if not sources:
                decision = self._refusal("transfer.no_provenance", basis)
            elif {normal_mailbox(s.mailbox) for s in sources} != {mailbox}:
                decision = self._refusal("transfer.mailbox_mismatch", basis)
            elif recipient_id not in self._endpoints:
                decision = self._refusal("transfer.no_endpoint", basis)
            elif basis in _FOR_THE_OWNER and not _for_the_owner(actor, mailbox):
                decision = self._refusal("transfer.not_for_the_owner", basis)
            elif len({i for s in sources for i in s.message_ids}) > MAX_TRANSFER_MESSAGES:
                decision = self._refusal("transfer.too_many_messages", basis)
            elif basis in _REFERENCED and (not reference or not reference.strip()
                                           or reference_problem(reference) is not None):
                decision = self._refusal("transfer.missing_reference", basis)
        labels = ",".join(sorted(c.value for c in classes)) or "none"
        consent_ref = _plain(user_consent) if user_consent else None
        basis_ref = consent_ref
        if basis in _REFERENCED and decision.allowed and reference:
            basis_ref = _REFERENCED[basis] + reference
        refs = (ResourceRef(ResourceKind.RECIPIENT, _plain(recipient_id)),
                *((ResourceRef(ResourceKind.CONSENT, consent_ref),) if consent_ref else ()),
                *refs_of(ResourceKind.MESSAGE,
                               (i for s in sources if normal_mailbox(s.mailbox) == mailbox
                                for i in s.message_ids)))
        record_decision(self._audit, decision, actor=actor, action="transfer.send",
                        mailbox=mailbox, basis_ref=basis_ref,
                        resources=refs[:MAX_TRANSFER_MESSAGES + 2],
                        request_id=transfer_id, outcome="classes=" + labels)
        if not decision.allowed:
            raise TransferBlocked(decision)
        status = self._deliver(recipient_id, transfer_id, mailbox, basis, classes, payload)
        delivered = 200 <= status < 300
        record(self._audit, actor=actor, action="transfer.delivery", purpose=decision.purpose,
               allowed=True, rule_id=decision.rule_id, policy_version=decision.policy_version,
               mailbox=mailbox, basis=decision.basis, basis_ref=basis_ref,
               resources=refs[:1], request_id=transfer_id,
               outcome=f"{'delivered' if delivered else 'failed'}:{status}")
        if not delivered:
            answer = f"answered HTTP {status}" if status else "could not be reached"
            raise TransferFailed(f"the recipient {answer}; transfer {transfer_id} was not "
                                 "accepted; check the recipient, then send again")
        return TransferReceipt(transfer_id, recipient_id, status,
                               frozenset(c.value for c in classes))

    def _refusal(self, rule_id: str, basis: TransferBasis) -> Decision:
        return Decision(False, rule_id, REASONS[rule_id],
                        "transfer." + basis.value, basis.value, self._policy.version)

    def _deliver(self, recipient_id: str, transfer_id: str, mailbox: str,
                 basis: TransferBasis, classes: frozenset[Any], payload: Any) -> int:
        """POST the payload; return the HTTP status (0 when the recipient was unreachable)."""
        endpoint = self._endpoints[recipient_id]
        body = json.dumps({
            "transfer_id": transfer_id, "recipient": recipient_id, "basis": basis.value,
            "mailbox": mailbox, "data_classes": sorted(c.value for c in classes),
            "data": unwrap(payload),
        }, default=str)
        headers = {"Content-Type": "application/json", **(endpoint.headers or {})}
        try:
            response = self._session.post(endpoint.url, data=body.encode("utf-8"),
                                          headers=headers, allow_redirects=False,
                                          timeout=(endpoint.connect_timeout,
                                                   endpoint.read_timeout))
        except requests.RequestException:
            return 0
        return response.status_code


#: The bases whose transfers serve the mailbox's owner, so only they or a system job send.
_FOR_THE_OWNER = frozenset({TransferBasis.FEATURE, TransferBasis.MERGER})


def _for_the_owner(actor: Actor, mailbox: str) -> bool:
    """Return True when ``actor`` may send the owner's data on a feature or merger basis:
    the owner (a user actor whose mailbox it is) or a system job, never a staff member."""
    if actor.kind is ActorKind.SYSTEM:
        return True
    return actor.kind is ActorKind.USER and normal_mailbox(actor.id) == mailbox


#: The bases whose transfers name a reference, and how the log writes it.
_REFERENCED = {TransferBasis.LEGAL: "legal:", TransferBasis.SECURITY: "case:"}

#: What the log says in place of a recipient or consent id that is not a plain id.
NOT_PLAIN = "(not a plain id)"


def _plain(identifier: str) -> str:
    """Return ``identifier`` when it is a plain id (as the policy's recipient ids are), else
    a placeholder: an unlisted recipient given as an address, or with a line break or an
    invisible character, never reaches the log, which keeps addresses only keyed-hashed."""
    return identifier if RECIPIENT_ID.fullmatch(identifier) else NOT_PLAIN
