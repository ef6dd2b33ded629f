"""A transfer's entry names every message whose data leaves, or the transfer is refused.

Reproduces: a payload drawn from more messages than one audit entry can name (the log
takes 1,000 resources an entry) was delivered with its entry cut to the first 999 ids,
so the log never said that the other messages' data had left. Such a transfer is now
refused (``transfer.too_many_messages``): send it in parts.
"""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditLog, ResourceKind
from guard.consents import TransferConsentBook
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import MAX_TRANSFER_MESSAGES, TransferGate
from tests.guard.broker.conftest import USER, entries, user_actor
from tests.guard.transfers.conftest import Receiver


@pytest.fixture
def gate(policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(policy, audit_log, transfer_consents, {"qontak-crm": receiver.url},
                        clock=clock)


def _payload(count: int) -> GmailDerived[Any]:
    return GmailDerived.of({"subjects": "..."}, mailbox=USER,
                           message_ids=[f"m{n:05d}" for n in range(count)],
                           data_class=DataClass.METADATA)


def test_a_transfer_from_more_messages_than_an_entry_names_is_refused(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog,
        transfer_consents: TransferConsentBook) -> None:
    consent = transfer_consents.record(actor=user_actor(), recipient_id="qontak-crm",
                                       wording="Log my conversations to the CRM")
    with pytest.raises(TransferBlocked) as caught:
        gate.send("qontak-crm", mailbox=USER, basis=TransferBasis.FEATURE,
                  payload=_payload(1200), user_consent=consent.id)
    assert caught.value.rule_id == "transfer.too_many_messages"
    assert receiver.bodies == []
    [entry] = entries(audit_log, action="transfer.send")
    assert (entry.decision, entry.rule_id) == ("deny", "transfer.too_many_messages")

    gate.send("qontak-crm", mailbox=USER, basis=TransferBasis.FEATURE,
              payload=_payload(MAX_TRANSFER_MESSAGES), user_consent=consent.id)
    sent = entries(audit_log, action="transfer.send")[-1]
    named = [r.id for r in sent.resources if r.kind is ResourceKind.MESSAGE]
    assert len(named) == MAX_TRANSFER_MESSAGES and sent.decision == "allow"
