"""The transfer gate as an integrator feeds it: the guard's own mail values, any-case boxes."""

from __future__ import annotations

from typing import Any

import pytest

from audit import AuditLog, ResourceKind, ResourceRef
from guard.consents import TransferConsentBook
from guard.errors import TransferBlocked
from guard.mail_values import Message, MessageHeaders
from guard.policy import DataClass, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferGate
from tests.guard.broker.conftest import USER, entries, user_actor
from tests.guard.transfers.conftest import Receiver

CRM = "qontak-crm"


@pytest.fixture
def gate(policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(policy, audit_log, transfer_consents, {CRM: receiver.url}, clock=clock)


@pytest.fixture
def consent_id(transfer_consents: TransferConsentBook) -> str:
    return transfer_consents.record(actor=user_actor(), recipient_id=CRM,
                                    wording="Log this conversation to my Qontak CRM").id


def a_message(message_id: str = "m1") -> Message:
    return Message(id=message_id, thread_id="t1", label_ids=("INBOX",),
                   headers=MessageHeaders(subject="Numbers", from_="ann@example.org"),
                   snippet="hello", text_body="hello", html_body=None, attachments=(),
                   size_estimate=10, internal_date=None)


def test_a_message_read_through_the_guard_and_marked_with_its_mailbox_may_go(
        gate: TransferGate, receiver: Receiver, consent_id: str, audit_log: AuditLog) -> None:
    payload = GmailDerived.of(a_message(), mailbox=USER, message_ids=["m1"],
                              data_class=DataClass.CONTENT)

    receipt = gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                        user_consent=consent_id)

    # A message holds its headers too: metadata beside content, both listed for the CRM.
    assert receipt.status == 200
    assert receipt.data_classes == frozenset({"content", "metadata"})
    assert receiver.bodies[0]["data"]["id"] == "m1"
    [sent] = entries(audit_log, mailbox=USER, action="transfer.send")
    assert ResourceRef(ResourceKind.MESSAGE, "m1") in sent.resources


def test_a_bare_message_with_no_mailbox_named_is_still_refused(
        gate: TransferGate, receiver: Receiver, consent_id: str) -> None:
    with pytest.raises(TransferBlocked) as refused:
        gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=a_message(),
                  user_consent=consent_id)
    assert refused.value.rule_id == "transfer.mailbox_mismatch"
    assert receiver.bodies == []


def test_a_message_of_another_mailbox_inside_a_marked_value_is_refused(
        gate: TransferGate, receiver: Receiver, consent_id: str) -> None:
    other = GmailDerived.of("x", mailbox="other@example.com", message_ids=["m9"],
                            data_class=DataClass.CONTENT)
    payload = GmailDerived.of({"mine": a_message(), "theirs": other}, mailbox=USER,
                              message_ids=["m1"], data_class=DataClass.CONTENT)
    with pytest.raises(TransferBlocked) as refused:
        gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                  user_consent=consent_id)
    assert refused.value.rule_id == "transfer.mailbox_mismatch"
    assert receiver.bodies == []


def test_the_mailbox_is_compared_as_the_guard_stores_addresses(
        gate: TransferGate, receiver: Receiver, consent_id: str, audit_log: AuditLog) -> None:
    payload = GmailDerived.of({"subject": "Numbers"}, mailbox="Owner@Example.COM",
                              message_ids=["m1"], data_class=DataClass.METADATA)

    receipt = gate.send(CRM, mailbox=" owner@example.com", basis=TransferBasis.FEATURE,
                        payload=payload, user_consent=consent_id)

    assert receipt.status == 200
    assert receiver.bodies[0]["mailbox"] == USER
    [sent] = entries(audit_log, mailbox=USER, action="transfer.send")
    assert ResourceRef(ResourceKind.MESSAGE, "m1") in sent.resources


def test_marking_a_value_with_one_string_of_message_ids_is_refused() -> None:
    with pytest.raises(TypeError, match="list of ids"):
        GmailDerived.of("summary", mailbox=USER, message_ids="m12",  # type: ignore[arg-type]
                        data_class=DataClass.CONTENT)
