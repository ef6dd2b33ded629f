"""The transfer gate: only listed recipients, bases, data classes and consents get data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from audit import AuditLog, AuditUnavailable, ResourceKind, ResourceRef
from guard.consents import InvalidConsent, TransferConsentBook
from guard.errors import TransferBlocked
from guard.policy import DataClass, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferFailed, TransferGate
from tests.guard.broker.conftest import USER, entries, user_actor
from tests.guard.transfers.conftest import Receiver

SECRET = "Quarterly numbers attached, keep private"
CRM = "qontak-crm"


def content(mailbox: str = USER, data_class: DataClass = DataClass.CONTENT,
            ids: tuple[str, ...] = ("m1", "m2")) -> GmailDerived[Any]:
    return GmailDerived.of({"subject": SECRET, "from": "boss@example.com"}, mailbox=mailbox,
                           message_ids=ids, data_class=data_class)


@pytest.fixture
def gate(policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
         receiver: Receiver, clock: Any) -> TransferGate:
    return TransferGate(policy, audit_log, transfer_consents, {CRM: receiver.url}, clock=clock)


@pytest.fixture
def consent_id(transfer_consents: TransferConsentBook) -> str:
    return transfer_consents.record(actor=user_actor(), recipient_id=CRM,
                                    wording="Log this conversation to my Qontak CRM").id


def test_allowed_transfer_is_delivered_and_audited_without_payload(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog, consent_id: str) -> None:
    payload = content().derive(lambda v: {**v, "summary": "numbers"})
    receipt = gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                        user_consent=consent_id)
    assert receipt.status == 200 and receipt.data_classes == frozenset({"content"})
    [body] = receiver.bodies
    assert body["data"]["subject"] == SECRET and body["data"]["summary"] == "numbers"
    assert (body["recipient"], body["basis"], body["mailbox"]) == (CRM, "feature", USER)
    assert body["data_classes"] == ["content"]
    sent, delivered = entries(audit_log, mailbox=USER, action="transfer.send") + \
        entries(audit_log, mailbox=USER, action="transfer.delivery")
    assert (sent.decision, sent.rule_id, sent.basis) == ("allow", "transfer.allowed", "feature")
    assert sent.outcome == "classes=content" and sent.basis_ref == consent_id
    assert ResourceRef(ResourceKind.RECIPIENT, CRM) in sent.resources
    assert ResourceRef(ResourceKind.MESSAGE, "m2") in sent.resources
    assert delivered.outcome == "delivered:200" and delivered.request_id == receipt.transfer_id
    for entry in (sent, delivered):
        raw = entry.canonical_bytes().decode()
        assert SECRET not in raw and "boss@example.com" not in raw and USER not in raw


def _revoked(tc: TransferConsentBook, cid: str) -> str:
    tc.revoke(cid, actor=user_actor())
    return cid


def _other_users(tc: TransferConsentBook, cid: str) -> str:
    return tc.record(actor=user_actor("someone@example.com"), recipient_id=CRM,
                     wording="yes").id


Consent = Callable[[TransferConsentBook, str], str | None]
BLOCKED: list[tuple[str, str, TransferBasis, Callable[[], Any], Consent, str]] = [
    ("unlisted recipient", "ads-network", TransferBasis.FEATURE, content, lambda t, c: c,
     "transfer.unlisted_recipient"),
    ("wrong basis", CRM, TransferBasis.MERGER, content, lambda t, c: c,
     "transfer.basis_mismatch"),
    ("data class not allowed", CRM, TransferBasis.FEATURE,
     lambda: content(data_class=DataClass.ATTACHMENTS), lambda t, c: c,
     "transfer.data_class_not_allowed"),
    ("disallowed class nested deep inside", CRM, TransferBasis.FEATURE,
     lambda: {"note": "hi", "parts": [content(), {"x": (content(
         data_class=DataClass.ATTACHMENTS),)}]}, lambda t, c: c,
     "transfer.data_class_not_allowed"),
    ("missing consent", CRM, TransferBasis.FEATURE, content, lambda t, c: None,
     "transfer.consent_missing"),
    ("unknown consent id", CRM, TransferBasis.FEATURE, content, lambda t, c: "tcn_nope",
     "transfer.consent_missing"),
    ("revoked consent", CRM, TransferBasis.FEATURE, content, _revoked,
     "transfer.consent_revoked"),
    ("another user's consent", CRM, TransferBasis.FEATURE, content, _other_users,
     "transfer.consent_mismatch"),
    ("no provenance", CRM, TransferBasis.FEATURE, lambda: {"subject": SECRET},
     lambda t, c: c, "transfer.no_data_classes"),
    ("another mailbox's data", CRM, TransferBasis.FEATURE,
     lambda: [content(), content(mailbox="other@example.com")], lambda t, c: c,
     "transfer.mailbox_mismatch"),
]


@pytest.mark.parametrize(("recipient", "basis", "payload", "consent", "rule"),
                         [c[1:] for c in BLOCKED], ids=[c[0] for c in BLOCKED])
def test_blocked_transfers_send_nothing_and_are_audited(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog,
        transfer_consents: TransferConsentBook, consent_id: str, recipient: str,
        basis: TransferBasis, payload: Callable[[], Any], consent: Consent,
        rule: str) -> None:
    with pytest.raises(TransferBlocked) as caught:
        gate.send(recipient, mailbox=USER, basis=basis, payload=payload(),
                  user_consent=consent(transfer_consents, consent_id))
    assert caught.value.rule_id == rule
    assert SECRET not in str(caught.value)
    assert receiver.bodies == []
    [entry] = entries(audit_log, mailbox=USER, action="transfer.send")
    assert (entry.decision, entry.rule_id, entry.basis) == ("deny", rule, basis.value)
    assert ResourceRef(ResourceKind.RECIPIENT, recipient) in entry.resources
    assert entries(audit_log, action="transfer.delivery") == []


def test_recipient_without_a_configured_url_is_blocked(
        policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
        consent_id: str) -> None:
    gate = TransferGate(policy, audit_log, transfer_consents, {})
    with pytest.raises(TransferBlocked) as caught:
        gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=content(),
                  user_consent=consent_id)
    assert caught.value.rule_id == "transfer.no_endpoint"


@pytest.mark.parametrize(("status", "location"), [(500, ""), (302, "http://127.0.0.1:9/x")])
def test_a_refused_delivery_raises_and_is_audited(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog, consent_id: str,
        status: int, location: str) -> None:
    receiver.status, receiver.location = status, location
    with pytest.raises(TransferFailed, match=f"HTTP {status}"):
        gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=content(),
                  user_consent=consent_id)
    assert len(receiver.bodies) == 1  # the redirect was not followed
    [delivery] = entries(audit_log, action="transfer.delivery")
    assert delivery.outcome == f"failed:{status}"


def test_nothing_is_sent_when_the_audit_log_is_down(
        gate: TransferGate, receiver: Receiver, audit_log: AuditLog, consent_id: str) -> None:
    audit_log.close()
    with pytest.raises(AuditUnavailable):
        gate.send(CRM, mailbox=USER, basis=TransferBasis.FEATURE, payload=content(),
                  user_consent=consent_id)
    assert receiver.bodies == []


def test_transfer_consents_keep_wording_and_refuse_unlisted_recipients(
        transfer_consents: TransferConsentBook, consent_id: str) -> None:
    stored = transfer_consents.get(consent_id)
    assert stored is not None and stored.wording == "Log this conversation to my Qontak CRM"
    assert [c.id for c in transfer_consents.for_user(USER)] == [consent_id]
    with pytest.raises(InvalidConsent, match="not listed"):
        transfer_consents.record(actor=user_actor(), recipient_id="ads", wording="sure")
