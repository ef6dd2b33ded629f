"""A feature or merger transfer is made for the mailbox's owner, never by staff for them.

Reproduces: the gate checked the recipient, the basis, the data classes and that the
consent was the mailbox owner's, but not who was sending: a staff member who had read a
user's mail under a security grant could push it to the CRM with the user's CRM consent
id (which review pages show), and the transfer was allowed as the user's feature.
"""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditLog
from guard.consents import TransferConsentBook
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferGate
from tests.guard.broker.conftest import USER, entries, staff_actor, user_actor
from tests.guard.transfers.conftest import Receiver


@pytest.fixture
def gate(policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(policy, audit_log, transfer_consents, {"qontak-crm": receiver.url},
                        clock=clock)


@pytest.mark.parametrize("actor", [staff_actor("sec1@qontak.com", "security"),
                                   user_actor("someone-else@example.com")],
                         ids=["staff", "another user"])
def test_a_feature_transfer_by_anyone_but_the_owner_is_blocked(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog,
        transfer_consents: TransferConsentBook, actor: Any) -> None:
    consent = transfer_consents.record(actor=user_actor(), recipient_id="qontak-crm",
                                       wording="Log my conversations to the CRM")
    payload = GmailDerived.of({"subject": "Deal"}, mailbox=USER, message_ids=["m1"],
                              data_class=DataClass.CONTENT)
    with pytest.raises(TransferBlocked) as caught:
        gate.send("qontak-crm", mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                  user_consent=consent.id, actor=actor)
    assert caught.value.rule_id == "transfer.not_for_the_owner"
    assert receiver.bodies == []
    [entry] = entries(audit_log, action="transfer.send")
    assert (entry.decision, entry.actor_kind) == ("deny", actor.kind.value)

    gate.send("qontak-crm", mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
              user_consent=consent.id, actor=user_actor(USER.upper()))
    assert len(receiver.bodies) == 1
