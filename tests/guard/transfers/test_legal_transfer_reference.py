"""A transfer on the legal or security basis names the request or case it answers.

Reproduces: any caller could send Gmail data to a recipient listed on the legal basis
(whose transfers need no user consent) without naming a legal request, so the log said
"legal" and nothing else: no reviewer could tell which order, if any, a transfer
answered. Now such a transfer needs a reference (the legal request's, or the security
case's), refused as ``transfer.missing_reference`` without one, and recorded with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit import AuditLog
from guard.consents import TransferConsentBook
from guard.errors import TransferBlocked
from guard.policy import DEFAULT_POLICY_PATH, DataClass, Policy, TransferBasis, load_policy
from guard.provenance import GmailDerived
from guard.transfers import TransferGate
from tests.guard.broker.conftest import USER, entries
from tests.guard.transfers.conftest import Receiver

COURT = "court-registry"


@pytest.fixture
def legal_policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + (
        '\n[[transfers.recipients]]\nid = "court-registry"\ncategory = "legal_authority"\n'
        'basis = "legal"\ndata_classes = ["metadata", "content"]\n'), encoding="utf-8")
    return load_policy(path)


@pytest.fixture
def gate(legal_policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(legal_policy, audit_log, transfer_consents, {COURT: receiver.url},
                        clock=clock)


def _evidence() -> GmailDerived[Any]:
    return GmailDerived.of({"subject": "Invoice"}, mailbox=USER, message_ids=["m1"],
                           data_class=DataClass.CONTENT)


@pytest.mark.parametrize("reference", [None, "", "   ", "order for bob@example.com",
                                       "x" * 251])
def test_a_legal_transfer_without_a_usable_reference_is_blocked(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog,
        reference: str | None) -> None:
    with pytest.raises(TransferBlocked) as caught:
        gate.send(COURT, mailbox=USER, basis=TransferBasis.LEGAL, payload=_evidence(),
                  reference=reference)
    assert caught.value.rule_id == "transfer.missing_reference"
    assert receiver.bodies == []
    [entry] = entries(audit_log, action="transfer.send")
    assert (entry.decision, entry.rule_id) == ("deny", "transfer.missing_reference")
    assert "example.com" not in entry.canonical_bytes().decode()


def test_a_legal_transfer_is_recorded_with_its_reference(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog) -> None:
    receipt = gate.send(COURT, mailbox=USER, basis=TransferBasis.LEGAL, payload=_evidence(),
                        reference="ORDER-2025-17")
    assert receipt.status == 200 and len(receiver.bodies) == 1
    sent, delivered = (entries(audit_log, action="transfer.send")
                       + entries(audit_log, action="transfer.delivery"))
    assert (sent.decision, sent.basis, sent.basis_ref) == ("allow", "legal",
                                                           "legal:ORDER-2025-17")
    assert delivered.basis_ref == "legal:ORDER-2025-17"
