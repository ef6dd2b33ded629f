"""A grant's case id or legal reference goes into the audit log as written: an id only.

Reproduces: a case id holding an address (``abuse by mallory@evil.example``) was taken,
and the log, which keeps addresses only keyed-hashed, held it in the clear in every
entry of the grant; and a reference of 252 to 256 characters, which the grant rules
allow, did not fit the log once written ``case:<id>``, so the request was refused as the
audit log being unavailable (a 503 in the console) instead of as a bad reference.
"""

from __future__ import annotations

import pytest

from audit import AuditLog
from guard.grants import GrantBook, InvalidGrant
from guard.policy import AccessBasis, GrantReference
from tests.guard.broker.conftest import USER, entries, staff_actor

SEC1 = staff_actor("sec1@qontak.com", "security")
LAW1 = staff_actor("law1@qontak.com", "legal")


@pytest.mark.parametrize(("actor", "basis", "reference"), [
    (SEC1, AccessBasis.SECURITY,
     GrantReference(case_id="abuse by mallory@evil.example", category="abuse")),
    (LAW1, AccessBasis.LEGAL, GrantReference(legal_ref="Order 17 re ann@example.org")),
    (LAW1, AccessBasis.LEGAL, GrantReference(legal_ref="Order 17 re ann\uff20example.org")),
], ids=["case-id", "legal-ref", "full-width-at"])
def test_a_reference_holding_an_address_is_refused_and_never_logged(
        grants: GrantBook, audit_log: AuditLog, actor: object, basis: AccessBasis,
        reference: GrantReference) -> None:
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=actor, mailbox=USER, basis=basis,  # type: ignore[arg-type]
                       reference=reference)
    assert refused.value.problem == "grant_request.reference_format"
    assert "address" in str(refused.value)
    assert not [e for e in entries(audit_log) if "example" in e.basis_ref]


def test_a_long_reference_is_refused_as_such_not_as_the_log_being_down(
        grants: GrantBook, audit_log: AuditLog) -> None:
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=LAW1, mailbox=USER, basis=AccessBasis.LEGAL,
                       reference=GrantReference(legal_ref="R" * 256))
    assert refused.value.problem == "grant_request.reference_format"
    longest = "R" * 250
    grant = grants.request(actor=LAW1, mailbox=USER, basis=AccessBasis.LEGAL,
                           reference=GrantReference(legal_ref=longest))
    [entry] = entries(audit_log, action="grant.request")
    assert entry.basis_ref == "legal:" + longest
    assert grant.reference.legal_ref == longest


@pytest.mark.parametrize("mailbox", [USER.replace("@", "\u200b@"), USER.replace("@", "\n@"),
                                     "x" * 300 + "@example.com"])
def test_a_mailbox_the_log_cannot_hold_is_refused_as_a_bad_mailbox(
        grants: GrantBook, mailbox: str) -> None:
    # Reproduces: such a mailbox passed the grant's checks and the log then refused the
    # entry, so the request failed as the audit log being unavailable (a 503).
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=SEC1, mailbox=mailbox, basis=AccessBasis.SECURITY,
                       reference=GrantReference(case_id="CASE-1", category="abuse"))
    assert refused.value.problem == "grant_request.mailbox"
