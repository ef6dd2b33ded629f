"""A transfer to a recipient id the log cannot hold, or that is an address, is blocked and
recorded without it.

Reproduces: a recipient id with a line break made building the entry fail, so the
blocked attempt raised the audit package's ``InvalidEvent`` and left no trace; and an
unlisted recipient given as an email address was written into the log in the clear,
which keeps addresses only keyed-hashed. Unlisted recipients are now recorded by their
id only when it is a plain id (as the policy's recipient ids are), else as a placeholder.
"""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditLog, ResourceKind
from guard.consents import TransferConsentBook
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferGate
from tests.guard.broker.conftest import USER, entries
from tests.guard.transfers.conftest import Receiver


@pytest.fixture
def gate(policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(policy, audit_log, transfer_consents, {"qontak-crm": receiver.url},
                        clock=clock)


@pytest.mark.parametrize("recipient", ["ads\nnetwork", "partner\u200b", "x" * 300,
                                       "leak.to@rival.example"])
def test_an_odd_recipient_is_blocked_and_recorded_without_its_id(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog, recipient: str) -> None:
    payload = GmailDerived.of({"subject": "Merger plans"}, mailbox=USER, message_ids=["m1"],
                              data_class=DataClass.METADATA)
    with pytest.raises(TransferBlocked) as caught:
        gate.send(recipient, mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                  user_consent="tcn_\u200b")
    assert caught.value.rule_id == "transfer.unlisted_recipient"
    assert receiver.bodies == []
    [entry] = entries(audit_log, mailbox=USER, action="transfer.send")
    assert entry.decision == "deny"
    raw = entry.canonical_bytes().decode()
    assert "rival" not in raw and "network" not in raw and "xxxx" not in raw
    assert [r.id for r in entry.resources if r.kind is ResourceKind.RECIPIENT] == [
        "(not a plain id)"]
