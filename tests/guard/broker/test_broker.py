"""Staff views through the broker: every human-access basis, decided and audited first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from audit import AuditLog, AuditUnavailable, ResourceKind, ResourceRef
from guard.broker import AccessBroker
from guard.consents import ConsentBook
from guard.errors import AccessDenied, ApprovalRequired, ConsentRequired, GrantRequired
from guard.grants import GrantBook
from guard.policy import AccessBasis, GrantReference
from guard.staff import StaffRegistry
from tests.guard.broker.conftest import (
    ADMIN,
    USER,
    Clock,
    StandInMail,
    entries,
    staff_actor,
    user_actor,
)

SUPPORT = staff_actor("sam@qontak.com", "support")
SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
LAW1 = staff_actor("law1@qontak.com", "legal")
LAW2 = staff_actor("law2@qontak.com", "legal")
OPS = staff_actor("ops@qontak.com", "ops")
CASE = GrantReference(case_id="CASE-17", category="abuse")
LEGAL = GrantReference(legal_ref="SUBPOENA-2025-4")


class World:
    """The services of one test, plus shortcuts to set up evidence."""

    def __init__(self, consents: ConsentBook, grants: GrantBook, staff: StaffRegistry,
                 clock: Clock) -> None:
        self.consents = consents
        self.grants = grants
        self.staff = staff
        self.clock = clock

    def consent(self, grantee: str = "support", ids: tuple[str, ...] = ("m1", "m2"),
                user: str = USER) -> str:
        return self.consents.record(actor=user_actor(user), grantee=grantee, message_ids=ids,
                                    wording="I let Qontak support read these two messages",
                                    expires_at=self.clock.now + timedelta(days=3)).id

    def security_grant(self, *, approve: bool = True, mailbox: str = USER) -> str:
        grant = self.grants.request(actor=SEC1, mailbox=mailbox, basis=AccessBasis.SECURITY,
                                    reference=CASE, duration=timedelta(hours=48))
        if approve:
            self.grants.approve(grant.id, actor=SEC2)
        return grant.id

    def legal_grant(self) -> str:
        grant = self.grants.request(actor=LAW1, mailbox=USER, basis=AccessBasis.LEGAL,
                                    reference=LEGAL, duration=timedelta(hours=24))
        self.grants.approve(grant.id, actor=LAW2)
        return grant.id


@pytest.fixture
def world(consents: ConsentBook, grants: GrantBook, staff: StaffRegistry,
          clock: Clock) -> World:
    return World(consents, grants, staff, clock)


def _revoked_consent(w: World) -> dict[str, Any]:
    cid = w.consent()
    w.consents.revoke(cid, actor=user_actor())
    return {"consent_id": cid}


def _expired_consent(w: World) -> dict[str, Any]:
    cid = w.consent()
    w.clock.advance(days=3, seconds=1)
    return {"consent_id": cid}


def _lapsed_approval(w: World) -> dict[str, Any]:
    gid = w.security_grant()
    w.clock.advance(hours=9)  # approvals last 8 hours in these tests; the grant 48
    return {"grant_id": gid}


def _expired_grant(w: World) -> dict[str, Any]:
    gid = w.security_grant()
    w.clock.advance(hours=9)
    w.grants.approve(gid, actor=SEC2)  # re-approved after the approval lapsed
    w.clock.advance(hours=40)  # the grant's 48 hours run from its request
    return {"grant_id": gid}


def _revoked_grant(w: World) -> dict[str, Any]:
    gid = w.security_grant()
    w.grants.revoke(gid, actor=SEC1)
    return {"grant_id": gid}


def _removed_member(w: World) -> dict[str, Any]:
    cid = w.consent()
    w.staff.remove("sam@qontak.com", by=ADMIN)
    return {"consent_id": cid}


Setup = Callable[[World], dict[str, Any]]
MESSAGE_CASES: list[tuple[str, Any, Setup, dict[str, Any], Any, str]] = [
    # name, actor, setup, view overrides, expected error (None = allowed), rule
    ("consent to role", SUPPORT, lambda w: {"consent_id": w.consent()}, {}, None,
     "consent.allowed"),
    ("consent to one member", SUPPORT,
     lambda w: {"consent_id": w.consent(grantee="Sam@Qontak.com")}, {}, None,
     "consent.allowed"),
    ("consent expired", SUPPORT, _expired_consent, {}, ConsentRequired, "consent.expired"),
    ("consent revoked", SUPPORT, _revoked_consent, {}, ConsentRequired, "consent.revoked"),
    ("wrong grantee role", SEC1, lambda w: {"consent_id": w.consent()}, {}, ConsentRequired,
     "consent.wrong_grantee"),
    ("wrong grantee member", SUPPORT,
     lambda w: {"consent_id": w.consent(grantee="other@qontak.com")}, {}, ConsentRequired,
     "consent.wrong_grantee"),
    ("other message of the same thread", SUPPORT, lambda w: {"consent_id": w.consent()},
     {"message_id": "m3"}, ConsentRequired, "consent.message_not_covered"),
    ("consent of another mailbox", SUPPORT,
     lambda w: {"consent_id": w.consent(user="other@example.com")}, {}, ConsentRequired,
     "consent.other_mailbox"),
    ("no evidence", SUPPORT, lambda w: {}, {}, ConsentRequired, "consent.missing"),
    ("unknown consent id", SUPPORT, lambda w: {"consent_id": "cns_nope"}, {},
     ConsentRequired, "consent.missing"),
    ("ops may not use consent", OPS, lambda w: {"consent_id": w.consent(grantee="support")},
     {}, AccessDenied, "staff.basis_not_allowed"),
    ("removed staff member", SUPPORT, _removed_member, {}, AccessDenied,
     "staff.not_registered"),
    ("approved security grant", SEC1, lambda w: {"grant_id": w.security_grant()}, {}, None,
     "security.allowed"),
    ("approved legal grant", LAW1, lambda w: {"grant_id": w.legal_grant()}, {}, None,
     "legal.allowed"),
    ("missing approval", SEC1, lambda w: {"grant_id": w.security_grant(approve=False)}, {},
     ApprovalRequired, "grant.approval_missing"),
    ("lapsed approval", SEC1, _lapsed_approval, {}, ApprovalRequired,
     "grant.approval_missing"),
    ("expired grant", SEC1, _expired_grant, {}, GrantRequired, "grant.expired"),
    ("revoked grant", SEC1, _revoked_grant, {}, GrantRequired, "grant.revoked"),
    ("grant of another staff member", SEC2, lambda w: {"grant_id": w.security_grant()}, {},
     GrantRequired, "grant.wrong_staff"),
    ("grant for another mailbox", SEC1,
     lambda w: {"grant_id": w.security_grant(mailbox="other@example.com")}, {},
     GrantRequired, "grant.other_mailbox"),
    ("unknown grant id", SEC1, lambda w: {"grant_id": "grt_nope"}, {}, GrantRequired,
     "grant.missing"),
]


@pytest.mark.parametrize(("actor", "setup", "overrides", "error", "rule"),
                         [c[1:] for c in MESSAGE_CASES], ids=[c[0] for c in MESSAGE_CASES])
def test_view_message_decision_and_audit(world: World, broker: AccessBroker,
                                         audit_log: AuditLog, mail: StandInMail,
                                         actor: Any, setup: Setup, overrides: dict[str, Any],
                                         error: Any, rule: str) -> None:
    evidence = setup(world)
    view = {"mailbox": USER, "message_id": "m1", **evidence, **overrides}
    before = audit_log.size()
    if error is None:
        fetched = broker.view_message(actor, **view)
        assert (fetched.kind, fetched.id, fetched.mailbox) == ("message", view["message_id"],
                                                               USER)
        assert len(mail.calls) == 1
        call = mail.calls[0]
        assert call["actor"].role == actor.role
        assert call["purpose"] == {"support": "support.consented_view",
                                   "security": "security.investigation",
                                   "legal": "legal.compliance"}[actor.role]
        assert call["evidence"].id == (evidence.get("consent_id") or evidence["grant_id"])
    else:
        with pytest.raises(error) as caught:
            broker.view_message(actor, **view)
        assert type(caught.value) is error
        assert caught.value.rule_id == rule
        assert mail.calls == []
    [entry] = entries(audit_log, after_seq=before - 1, action="messages.get")
    assert entry.rule_id == rule
    assert entry.decision == ("allow" if error is None else "deny")
    assert entry.actor_kind == "staff" and entry.actor_role == actor.role
    assert ResourceRef(ResourceKind.MESSAGE, view["message_id"]) in entry.resources
    reference = evidence.get("consent_id") or evidence.get("grant_id")
    assert entry.basis_ref == (reference or "")
    if reference:
        kind = ResourceKind.CONSENT if "consent_id" in evidence else ResourceKind.GRANT
        assert ResourceRef(kind, reference) in entry.resources
    assert entries(audit_log, after_seq=before - 1, action="messages.get",
                   mailbox=USER, actor_id=actor.id) == [entry]


THREAD_CASES: list[tuple[str, Any, Setup, Any, str]] = [
    ("security grant covers the thread", SEC1, lambda w: {"grant_id": w.security_grant()},
     None, "security.allowed"),
    ("pending grant", SEC1, lambda w: {"grant_id": w.security_grant(approve=False)},
     ApprovalRequired, "grant.approval_missing"),
]


@pytest.mark.parametrize(("actor", "setup", "error", "rule"), [c[1:] for c in THREAD_CASES],
                         ids=[c[0] for c in THREAD_CASES])
def test_view_thread_decision_and_audit(world: World, broker: AccessBroker,
                                        audit_log: AuditLog, mail: StandInMail, actor: Any,
                                        setup: Setup, error: Any, rule: str) -> None:
    evidence = setup(world)
    before = audit_log.size()
    if error is None:
        assert broker.view_thread(actor, mailbox=USER, thread_id="t1", **evidence).id == "t1"
        assert [c["id"] for c in mail.calls] == ["t1"]
    else:
        with pytest.raises(error) as caught:
            broker.view_thread(actor, mailbox=USER, thread_id="t1", **evidence)
        assert caught.value.rule_id == rule
        assert mail.calls == []
    [entry] = entries(audit_log, after_seq=before - 1, action="threads.get")
    assert entry.rule_id == rule
    assert ResourceRef(ResourceKind.THREAD, "t1") in entry.resources


def test_revocation_takes_effect_on_the_next_view(world: World, broker: AccessBroker,
                                                  mail: StandInMail) -> None:
    cid = world.consent()
    broker.view_message(SUPPORT, mailbox=USER, message_id="m2", consent_id=cid)
    world.consents.revoke(cid, actor=user_actor())
    with pytest.raises(ConsentRequired) as caught:
        broker.view_message(SUPPORT, mailbox=USER, message_id="m2", consent_id=cid)
    assert caught.value.rule_id == "consent.revoked"
    assert len(mail.calls) == 1


def test_nothing_is_fetched_when_the_audit_log_is_down(world: World, broker: AccessBroker,
                                                       audit_log: AuditLog,
                                                       mail: StandInMail) -> None:
    cid = world.consent()
    audit_log.close()
    with pytest.raises(AuditUnavailable):
        broker.view_message(SUPPORT, mailbox=USER, message_id="m1", consent_id=cid)
    assert mail.calls == []


def test_both_kinds_of_evidence_at_once_are_refused(world: World,
                                                    broker: AccessBroker) -> None:
    with pytest.raises(ValueError, match="either"):
        broker.view_message(SEC1, mailbox=USER, message_id="m1", consent_id="c",
                            grant_id="g")


def test_a_consented_thread_view_shows_only_the_consented_messages_of_the_thread(
        world: World, broker: AccessBroker, audit_log: AuditLog, mail: StandInMail) -> None:
    cid = world.consent(ids=("m1", "m2", "m7"))  # m3 is in t1 too; m7 is in t2
    before = audit_log.size()
    thread = broker.view_thread(SUPPORT, mailbox=USER, thread_id="t1", consent_id=cid,
                                request_id="req-t1")
    assert thread.id == "t1"
    assert [m.id for m in thread.messages] == ["m1", "m2"]
    assert sorted(c["id"] for c in mail.calls) == ["m1", "m2"]  # never m3 or m7, never t1
    assert [c["ids"] for c in mail.lookups] == [["m1", "m2", "m7"]]  # thread ids only
    assert all(c["evidence"].id == cid for c in mail.calls + mail.lookups)
    [view] = entries(audit_log, after_seq=before - 1, action="threads.get")
    assert (view.rule_id, view.decision, view.basis_ref) == ("consent.allowed", "allow", cid)
    assert ResourceRef(ResourceKind.THREAD, "t1") in view.resources
    assert {r.id for r in view.resources if r.kind is ResourceKind.MESSAGE} == {"m1", "m2"}


@pytest.mark.parametrize(("setup", "rule", "fetched"), [
    (lambda w: w.consent(ids=("m7",)), "consent.thread_not_covered", []),
    (lambda w: w.consent(grantee="security"), "consent.wrong_grantee", []),
    (_revoked_consent, "consent.revoked", []),
], ids=["no consented message in the thread", "wrong grantee", "revoked"])
def test_a_consented_thread_view_is_refused_clearly(
        world: World, broker: AccessBroker, audit_log: AuditLog, mail: StandInMail,
        setup: Callable[[World], Any], rule: str, fetched: list[str]) -> None:
    evidence = setup(world)
    cid = evidence["consent_id"] if isinstance(evidence, dict) else evidence
    before = audit_log.size()
    with pytest.raises(ConsentRequired) as caught:
        broker.view_thread(SUPPORT, mailbox=USER, thread_id="t1", consent_id=cid)
    assert caught.value.rule_id == rule
    assert [c["id"] for c in mail.calls] == fetched
    refused = entries(audit_log, after_seq=before - 1, action="threads.get", decision="deny")
    assert [e.rule_id for e in refused] == [rule]
