"""A revocation written by a host whose clock runs ahead takes effect on every host.

Reproduces: several web processes on several hosts share one database; a consent or grant
revoked on a host whose clock ran a few seconds ahead carried a ``revoked_at`` still in
the future for the others, and the policy treats a revocation as in force from its
``revoked_at``: for those seconds, a staff view on another host was allowed, and recorded
as allowed, after the user had withdrawn. Evidence loaded for a live decision now counts
any recorded revocation as in force.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit import AuditLog
from guard.broker import AccessBroker
from guard.consents import ConsentBook, TransferConsentBook
from guard.errors import ConsentRequired, GrantRequired, TransferBlocked
from guard.grants import GrantBook
from guard.policy import AccessBasis, DataClass, GrantReference, Policy, TransferBasis
from guard.provenance import GmailDerived
from guard.transfers import TransferGate
from tests.guard.broker.conftest import USER, Clock, StandInMail, staff_actor, user_actor

SUPPORT = staff_actor("sam@qontak.com", "support")
SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
AHEAD = timedelta(seconds=7)


def test_a_consent_revoked_on_a_host_ahead_is_revoked_here(
        broker: AccessBroker, consents: ConsentBook, mail: StandInMail, clock: Clock) -> None:
    consent = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                              wording="Support may read m1",
                              expires_at=clock.now + timedelta(days=1))
    clock.now += AHEAD  # the host that records the withdrawal
    consents.revoke(consent.id, actor=user_actor())
    clock.now -= AHEAD  # the host that serves the staff member
    with pytest.raises(ConsentRequired) as caught:
        broker.view_message(SUPPORT, mailbox=USER, message_id="m1", consent_id=consent.id)
    assert caught.value.rule_id == "consent.revoked"
    assert mail.calls == []


def test_a_grant_revoked_on_a_host_ahead_is_revoked_here(
        broker: AccessBroker, grants: GrantBook, mail: StandInMail, clock: Clock) -> None:
    grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                           reference=GrantReference(case_id="CASE-5", category="fraud"))
    grants.approve(grant.id, actor=SEC2)
    clock.now += AHEAD
    grants.revoke(grant.id, actor=SEC2)
    clock.now -= AHEAD
    with pytest.raises(GrantRequired) as caught:
        broker.view_thread(SEC1, mailbox=USER, thread_id="t1", grant_id=grant.id)
    assert caught.value.rule_id == "grant.revoked"
    assert mail.calls == []


def test_a_transfer_consent_revoked_on_a_host_ahead_is_revoked_here(
        policy: Policy, audit_log: AuditLog, transfer_consents: TransferConsentBook,
        clock: Clock) -> None:
    gate = TransferGate(policy, audit_log, transfer_consents,
                        {"qontak-crm": "http://127.0.0.1:9/in"}, clock=clock)
    consent = transfer_consents.record(actor=user_actor(), recipient_id="qontak-crm",
                                       wording="Log my conversations to the CRM")
    clock.now += AHEAD
    transfer_consents.revoke(consent.id, actor=user_actor())
    clock.now -= AHEAD
    payload = GmailDerived.of({"subject": "Deal"}, mailbox=USER, message_ids=["m1"],
                              data_class=DataClass.CONTENT)
    with pytest.raises(TransferBlocked) as caught:
        gate.send("qontak-crm", mailbox=USER, basis=TransferBasis.FEATURE, payload=payload,
                  user_consent=consent.id)
    assert caught.value.rule_id == "transfer.consent_revoked"
