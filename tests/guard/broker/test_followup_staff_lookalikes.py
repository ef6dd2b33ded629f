"""Look-alike staff addresses: compatibility characters never make one person two.

A staff member written ``sec1\uff0bx@qontak.com`` (a full-width plus) is ``sec1+x@``, which
delivers to ``sec1@``: that person must not approve their own grant, and such an address is
refused when staff are registered.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, insert

from audit import AuditLog
from guard.consents import ConsentBook, InvalidConsent
from guard.errors import ApprovalRequired
from guard.grants import GrantBook
from guard.policy import (
    AccessBasis,
    AccessRequest,
    Actor,
    ActorKind,
    Grant,
    GrantReference,
    Policy,
    Resources,
    check_access,
)
from guard.staff import StaffError, StaffRegistry, staff_members, staff_roles
from tests.guard.broker.conftest import ADMIN, USER, Clock, entries, staff_actor, user_actor
from tests.guard.conftest import NOW

SEC1 = staff_actor("sec1@qontak.com", "security")
CASE = GrantReference(case_id="CASE-31", category="abuse")

#: Spellings of sec1@qontak.com (or of a +tag of it) that a string comparison tells apart.
LOOK_ALIKES = [
    ("full-width plus", "sec1\uff0bx@qontak.com", "U+FF0B"),
    ("full-width letters", "\uff53\uff45\uff43\uff11@qontak.com", "U+FF53"),
    ("full-width at sign", "sec1\uff20qontak.com", "U+FF20"),
    ("full-width capitals and plus", "\uff33EC1\uff0bops@qontak.com", "U+FF53"),
    ("zero-width space", "sec1\u200b@qontak.com", "U+200B"),
    ("small plus sign", "sec1\ufe62x@qontak.com", "U+FE62"),
    ("mathematical letters", "\U0001d42c\U0001d41e\U0001d41c1@qontak.com", "U+1D42C"),
]


@pytest.mark.parametrize(("address", "code"), [c[1:] for c in LOOK_ALIKES],
                         ids=[c[0] for c in LOOK_ALIKES])
def test_a_look_alike_address_is_refused_as_staff_naming_the_character(
        staff: StaffRegistry, address: str, code: str) -> None:
    with pytest.raises(StaffError, match=f"plain ASCII work address.*{re.escape(code)}") as caught:
        staff.add(address, roles=["security"], by=ADMIN)
    assert address not in str(caught.value)
    assert staff.get(address) is None
    assert address.lower() not in {m.email for m in staff.members(include_inactive=True)}


@pytest.mark.parametrize("approver", [c[1] for c in LOOK_ALIKES] + [
    "sec1+x@qontak.com", "SEC1@QONTAK.COM", " sec1@qontak.com "],
    ids=[c[0] for c in LOOK_ALIKES] + ["ascii +tag", "capitals", "spaces"])
def test_the_policy_refuses_a_grant_approved_by_a_look_alike_of_its_grantee(
        policy: Policy, approver: str) -> None:
    grant = Grant(id="g1", staff_id="sec1@qontak.com", basis=AccessBasis.SECURITY,
                  reference=CASE, mailbox=USER, expires_at=NOW + timedelta(hours=24),
                  approved_by=approver, approved_at=NOW)
    request = AccessRequest(
        actor=Actor(ActorKind.STAFF, "sec1@qontak.com", "security"), action="messages.get",
        mailbox=USER, purpose="security.investigation", now=NOW, basis=AccessBasis.SECURITY,
        resources=Resources(message_ids=frozenset({"m1"})), grant=grant)
    assert check_access(policy, request).rule_id == "grant.self_approved"
    honest = Grant(**{**{f: getattr(grant, f) for f in grant.__slots__},  # type: ignore[attr-defined]
                      "approved_by": "sec2@qontak.com"})
    other = AccessRequest(**{**{f: getattr(request, f)
                                for f in request.__slots__},  # type: ignore[attr-defined]
                             "grant": honest})
    assert check_access(policy, other).rule_id == "security.allowed"


def _register_before_the_rule(engine: Engine, address: str, role: str) -> None:
    """Store a member as releases before addresses had to be ASCII could."""
    with engine.begin() as conn:
        conn.execute(insert(staff_members).values(email=address, id="stf_lookalike",
                                                  active=True, added_at=NOW, changed_at=NOW))
        conn.execute(insert(staff_roles).values(email=address, role=role))


def test_a_look_alike_member_stored_earlier_cannot_approve_their_own_grant(
        engine: Engine, staff: StaffRegistry, grants: GrantBook, audit_log: AuditLog,
        clock: Clock) -> None:
    look_alike = "sec1\uff0bx@qontak.com"
    _register_before_the_rule(engine, look_alike, "security")
    grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                           reference=CASE, duration=timedelta(hours=24))
    with pytest.raises(ApprovalRequired) as caught:
        grants.approve(grant.id, actor=staff_actor(look_alike, "security"))
    assert caught.value.rule_id == "grant.self_approved"
    assert grants.get(grant.id).approved_by is None  # type: ignore[union-attr]
    [refused] = entries(audit_log, action="grant.approve")
    assert (refused.decision, refused.rule_id) == ("deny", "grant.self_approved")


def test_a_look_alike_member_stored_earlier_cannot_act_and_can_be_removed(
        engine: Engine, staff: StaffRegistry) -> None:
    look_alike = "sam\uff0bx@qontak.com"
    _register_before_the_rule(engine, look_alike, "support")
    assert staff.get(look_alike) is None
    with pytest.raises(Exception, match="not an active staff member"):
        staff.require_actor(staff_actor(look_alike, "support"))
    removed = staff.remove(look_alike, by=ADMIN)
    assert (removed.email, removed.active, removed.roles) == (look_alike, False, frozenset())


def test_a_consent_to_a_look_alike_staff_address_is_refused(
        consents: ConsentBook) -> None:
    with pytest.raises(InvalidConsent, match="grantee.*U\\+FF0B"):
        consents.record(actor=user_actor(), grantee="sam\uff0bx@qontak.com",
                        message_ids=["m1"], wording="Sam may read this message")
    made = consents.record(actor=user_actor(), grantee="Sam@Qontak.com", message_ids=["m1"],
                           wording="Sam may read this message")
    assert made.grantee == "sam@qontak.com"
