"""The staff registry, consents and grants: validation, lifecycle, audit, fail-closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit import AuditLog, AuditUnavailable, ResourceKind, ResourceRef
from guard.consents import ConsentBook, ConsentNotFound, InvalidConsent
from guard.errors import AccessDenied, ApprovalRequired, GrantRequired
from guard.grants import GrantBook, GrantStatus, InvalidGrant
from guard.policy import AccessBasis, GrantReference
from guard.staff import StaffError, StaffRegistry
from tests.guard.broker.conftest import ADMIN, USER, Clock, entries, staff_actor, user_actor

SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
LAW1 = staff_actor("law1@qontak.com", "legal")
CASE = GrantReference(case_id="CASE-9", category="fraud")
WORDING = "Qontak support may read these 2 messages until 4 March"


# --- staff registry ------------------------------------------------------------------------

def test_registry_adds_roles_and_refuses_unknown_ones(staff: StaffRegistry) -> None:
    member = staff.add("SEC1@qontak.com", roles=["legal"], by=ADMIN)
    assert member.roles == frozenset({"security", "legal"}) and member.active
    with pytest.raises(StaffError, match="allowed roles: legal, ops, security, support"):
        staff.add("x@qontak.com", roles=["marketing"], by=ADMIN)
    assert staff.get("x@qontak.com") is None
    assert [m.email for m in staff.members(role="security")] == ["sec1@qontak.com",
                                                                 "sec2@qontak.com"]


def test_registry_change_is_refused_when_the_audit_log_is_down(
        staff: StaffRegistry, audit_log: AuditLog) -> None:
    audit_log.close()
    with pytest.raises(AuditUnavailable):
        staff.add("new@qontak.com", roles=["ops"], by=ADMIN)
    with pytest.raises(AuditUnavailable):
        staff.remove("sec1@qontak.com", by=ADMIN)
    assert staff.get("new@qontak.com") is None
    assert staff.get("sec1@qontak.com").active  # type: ignore[union-attr]


# --- consents ------------------------------------------------------------------------------

def test_consent_keeps_wording_time_and_user_and_audits_ids_only(
        consents: ConsentBook, audit_log: AuditLog, clock: Clock) -> None:
    made = consents.record(actor=user_actor(), grantee="support", message_ids=["m2", "m1"],
                           wording=WORDING)
    stored = consents.get(made.id)
    assert stored == made
    assert (stored.wording, stored.user, stored.agreed_at) == (WORDING, USER, clock.now)
    assert stored.expires_at == clock.now + timedelta(days=30)
    [entry] = entries(audit_log, action="consent.record", mailbox=USER)
    assert entry.basis_ref == made.id and entry.outcome == "grantee=support"
    assert {ResourceRef(ResourceKind.MESSAGE, "m1"), ResourceRef(ResourceKind.MESSAGE, "m2"),
            ResourceRef(ResourceKind.CONSENT, made.id)} == set(entry.resources)
    assert "Qontak support may read" not in entry.canonical_bytes().decode()


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"grantee": "ops"}, "grantee must be a staff address or one of the roles"),
    ({"message_ids": []}, "at least one message id"),
    ({"wording": "  "}, "exact wording"),
    ({"expires_in": timedelta(days=31)}, "at most 30 days"),
    ({"expires_in": timedelta(seconds=-1)}, "in the future"),
])
def test_consent_validation(consents: ConsentBook, clock: Clock, kwargs: dict[str, object],
                            reason: str) -> None:
    args: dict[str, object] = {"grantee": "support", "message_ids": ["m1"], "wording": WORDING}
    kwargs = dict(kwargs)
    expires_in = kwargs.pop("expires_in", None)
    args.update(kwargs)
    if isinstance(expires_in, timedelta):
        args["expires_at"] = clock.now + expires_in
    with pytest.raises(InvalidConsent, match=reason):
        consents.record(actor=user_actor(), **args)  # type: ignore[arg-type]


def test_only_the_owner_records_or_revokes(consents: ConsentBook) -> None:
    with pytest.raises(InvalidConsent, match="only the mailbox owner"):
        consents.record(actor=SEC1, grantee="support", message_ids=["m1"], wording=WORDING)
    made = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                           wording=WORDING)
    with pytest.raises(ConsentNotFound):
        consents.revoke(made.id, actor=user_actor("other@example.com"))
    revoked = consents.revoke(made.id, actor=user_actor())
    assert revoked.revoked_at is not None and consents.get(made.id) == revoked


# --- grants --------------------------------------------------------------------------------

def _request(grants: GrantBook, actor: object = SEC1, **kwargs: object) -> str:
    args: dict[str, object] = {"mailbox": USER, "basis": AccessBasis.SECURITY,
                               "reference": CASE, "duration": timedelta(hours=24)}
    args.update(kwargs)
    return grants.request(actor=actor, **args).id  # type: ignore[arg-type]


def test_grant_lifecycle_is_audited(grants: GrantBook, audit_log: AuditLog,
                                    clock: Clock) -> None:
    gid = _request(grants)
    assert grants.status(grants.get(gid)) is GrantStatus.PENDING  # type: ignore[arg-type]
    assert [g.id for g in grants.awaiting_approval("security")] == [gid]
    approved = grants.approve(gid, actor=SEC2)
    assert approved.approved_by == "sec2@qontak.com"
    assert grants.status(approved) is GrantStatus.ACTIVE
    assert grants.evidence(gid).approved_by == "sec2@qontak.com"  # type: ignore[union-attr]
    revoked = grants.revoke(gid, actor=SEC2)
    assert grants.status(revoked) is GrantStatus.REVOKED
    changes = entries(audit_log, resource_id=gid)
    assert [(e.action, e.decision, e.basis_ref) for e in changes] == [
        ("grant.request", "allow", "case:CASE-9"), ("grant.approve", "allow", "case:CASE-9"),
        ("grant.revoke", "allow", "case:CASE-9")]


def test_self_approval_is_refused_and_audited(grants: GrantBook, audit_log: AuditLog) -> None:
    gid = _request(grants)
    with pytest.raises(ApprovalRequired) as caught:
        grants.approve(gid, actor=SEC1)
    assert caught.value.rule_id == "grant.self_approved"
    [entry] = entries(audit_log, resource_id=gid, action="grant.approve")
    assert (entry.decision, entry.rule_id) == ("deny", "grant.self_approved")
    assert grants.get(gid).approved_by is None  # type: ignore[union-attr]


def test_approval_from_a_plus_address_of_the_requester_is_self_approval(
        grants: GrantBook) -> None:
    # name+tag@ delivers to name@: one person under a second address is no second person
    gid = _request(grants)
    local, _at, domain = SEC1.id.partition("@")
    with pytest.raises(ApprovalRequired) as caught:
        grants.approve(gid, actor=staff_actor(f"{local}+second@{domain}", "security"))
    assert caught.value.rule_id == "grant.self_approved"
    assert grants.get(gid).approved_by is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("approver", "rule"), [
    (LAW1, "grant.approver_not_eligible"),
    (staff_actor("sam@qontak.com", "security"), "grant.approver_not_eligible"),
    (staff_actor("stranger@qontak.com", "security"), "grant.approver_not_eligible"),
])
def test_approver_must_be_another_member_of_the_role(grants: GrantBook, approver: object,
                                                     rule: str) -> None:
    gid = _request(grants)
    with pytest.raises(AccessDenied) as caught:
        grants.approve(gid, actor=approver)  # type: ignore[arg-type]
    assert caught.value.rule_id == rule


def test_pending_request_lapses(grants: GrantBook, clock: Clock, audit_log: AuditLog) -> None:
    gid = _request(grants)
    clock.advance(hours=2)
    assert grants.status(grants.get(gid)) is GrantStatus.REQUEST_LAPSED  # type: ignore[arg-type]
    with pytest.raises(GrantRequired) as caught:
        grants.approve(gid, actor=SEC2)
    assert caught.value.rule_id == "grant.request_lapsed"
    assert grants.awaiting_approval("security") == ()


def test_approval_lapses_and_can_be_renewed(grants: GrantBook, clock: Clock) -> None:
    gid = _request(grants)
    grants.approve(gid, actor=SEC2)
    clock.advance(hours=8)
    assert grants.status(grants.get(gid)) is GrantStatus.APPROVAL_LAPSED  # type: ignore[arg-type]
    assert grants.evidence(gid).approved_by is None  # type: ignore[union-attr]
    grants.approve(gid, actor=SEC2)
    assert grants.evidence(gid).approved_by == "sec2@qontak.com"  # type: ignore[union-attr]


@pytest.mark.parametrize(("actor", "kwargs", "error", "reason"), [
    (SEC1, {"duration": timedelta(hours=73)}, InvalidGrant, "at most 72 hours"),
    (SEC1, {"reference": GrantReference(case_id="C1", category="curiosity")}, InvalidGrant,
     "category must be one of"),
    (SEC1, {"reference": GrantReference(case_id="C1")}, InvalidGrant, "case id and a case"),
    (SEC1, {"basis": AccessBasis.CONSENT}, InvalidGrant, "user's consent"),
    (LAW1, {"basis": AccessBasis.LEGAL, "reference": GrantReference()}, InvalidGrant,
     "legal request"),
    (staff_actor("sam@qontak.com", "support"), {}, AccessDenied, "requester"),
    (LAW1, {}, AccessDenied, "requester"),
])
def test_grant_request_validation(grants: GrantBook, actor: object, kwargs: dict[str, object],
                                  error: type[Exception], reason: str) -> None:
    with pytest.raises(error, match=reason):
        _request(grants, actor, **kwargs)


def test_grant_change_is_refused_when_the_audit_log_is_down(grants: GrantBook,
                                                            audit_log: AuditLog) -> None:
    gid = _request(grants)
    audit_log.close()
    with pytest.raises(AuditUnavailable):
        grants.approve(gid, actor=SEC2)
    assert grants.get(gid).approved_by is None  # type: ignore[union-attr]
    with pytest.raises(AuditUnavailable):
        _request(grants)
