"""A staff view naming an identifier the log cannot hold is refused, and the refusal recorded.

Reproduces: a mailbox, message or thread id with an invisible or control character
(``owner@example.com`` + U+200B, ``m1`` + a line break) made the audit log refuse the
entry, so the broker raised ``AuditUnavailable`` or the audit package's ``InvalidEvent``:
the probe of another mailbox left no trace, and the console said the log was down. Now
such a view is refused as ``request.malformed`` and recorded with the identifier cleaned
(invisible and control characters dropped), so the owner's history shows it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit import AuditLog, ResourceKind
from guard.broker import AccessBroker
from guard.consents import ConsentBook, ConsentNotFound, TransferConsentBook
from guard.errors import AccessDenied
from guard.grants import GrantBook
from guard.policy import AccessBasis, GrantReference
from tests.guard.broker.conftest import USER, Clock, StandInMail, entries, staff_actor, user_actor

SUPPORT = staff_actor("sam@qontak.com", "support")
SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")


@pytest.fixture
def grant_id(grants: GrantBook) -> str:
    grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                           reference=GrantReference(case_id="CASE-3", category="abuse"))
    grants.approve(grant.id, actor=SEC2)
    return grant.id


@pytest.mark.parametrize("mailbox", [USER + "\u200b", USER.replace("@", "\u2060@"),
                                     USER.replace("@", "\n@")])
def test_a_mailbox_with_an_invisible_character_is_refused_and_recorded(
        broker: AccessBroker, audit_log: AuditLog, mail: StandInMail, grant_id: str,
        mailbox: str) -> None:
    with pytest.raises(AccessDenied) as caught:
        broker.view_thread(SEC1, mailbox=mailbox, thread_id="t1", grant_id=grant_id,
                           request_id="req-probe")
    assert caught.value.rule_id == "request.malformed"
    assert mail.calls == []
    [entry] = entries(audit_log, request_id="req-probe")
    assert (entry.decision, entry.rule_id, entry.basis_ref) == (
        "deny", "request.malformed", grant_id)
    assert entries(audit_log, mailbox=USER, request_id="req-probe") == [entry]


@pytest.mark.parametrize("message_id", ["m1\n", "m1\u200b", "m" * 300])
def test_a_message_id_the_log_cannot_hold_is_refused_and_recorded(
        broker: AccessBroker, consents: ConsentBook, audit_log: AuditLog,
        mail: StandInMail, clock: Clock, message_id: str) -> None:
    consent = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                              wording="Support may read m1",
                              expires_at=clock.now + timedelta(days=1))
    with pytest.raises(AccessDenied) as caught:
        broker.view_message(SUPPORT, mailbox=USER, message_id=message_id,
                            consent_id=consent.id, request_id="req-odd-id")
    assert caught.value.rule_id == "request.malformed"
    assert mail.calls == []
    [entry] = entries(audit_log, request_id="req-odd-id")
    assert (entry.decision, entry.rule_id) == ("deny", "request.malformed")
    [message] = [r.id for r in entry.resources if r.kind is ResourceKind.MESSAGE]
    assert message.startswith("m") and len(message) <= 256 and message.isprintable()


@pytest.mark.parametrize("consent_id", ["cns_\u200b", "cns_1\n2", "c" * 300])
def test_revoking_a_malformed_consent_id_is_refused_and_recorded(
        consents: ConsentBook, transfer_consents: TransferConsentBook, audit_log: AuditLog,
        consent_id: str) -> None:
    # Reproduces: a revocation naming such an id (a tampered form) raised the audit
    # package's InvalidEvent, a 500, with the probe for another user's consent unrecorded.
    for book in (consents, transfer_consents):
        with pytest.raises(ConsentNotFound):
            book.revoke(consent_id, actor=user_actor(), request_id="req-odd-revoke")
    refusals = entries(audit_log, request_id="req-odd-revoke")
    assert [e.decision for e in refusals] == ["deny", "deny"]


def test_a_mailbox_with_surrounding_space_is_the_mailbox(
        broker: AccessBroker, consents: ConsentBook, audit_log: AuditLog, mail: StandInMail,
        clock: Clock) -> None:
    # Reproduces: the policy compares mailboxes trimmed and lower-cased, so the view was
    # allowed, but its entry was written with the mailbox as given; a trailing line break
    # made the log refuse it, and an allowed view failed as the audit log being down.
    consent = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                              wording="Support may read m1",
                              expires_at=clock.now + timedelta(days=1))
    broker.view_message(SUPPORT, mailbox=" " + USER.upper() + "\n", message_id="m1",
                        consent_id=consent.id, request_id="req-spaced")
    assert [c["mailbox"] for c in mail.calls] == [USER]
    [entry] = entries(audit_log, request_id="req-spaced")
    assert (entry.decision, entry.rule_id) == ("allow", "consent.allowed")
    assert entries(audit_log, mailbox=USER, request_id="req-spaced") == [entry]
