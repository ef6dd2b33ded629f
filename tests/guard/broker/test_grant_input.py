"""Grant requests as an integrator makes them: blank references, odd durations, any case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from guard.broker import AccessBroker
from guard.errors import GrantRequired
from guard.grants import GrantBook, InvalidGrant
from guard.policy import (
    AccessBasis,
    AccessRequest,
    Actor,
    ActorKind,
    Grant,
    GrantReference,
    Policy,
    check_access,
)
from tests.guard.broker.conftest import USER, Clock, staff_actor

SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
LAW1 = staff_actor("law1@qontak.com", "legal")


@pytest.mark.parametrize("reference", [
    GrantReference(case_id="   ", category="abuse"),
    GrantReference(case_id="\u3000", category="abuse"),
], ids=["spaces", "ideographic-space"])
def test_a_blank_security_case_id_is_refused(grants: GrantBook,
                                             reference: GrantReference) -> None:
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                       reference=reference)
    assert refused.value.problem == "grant_request.security_case"
    assert grants.for_staff(SEC1.id) == ()


def test_a_blank_legal_reference_is_refused(grants: GrantBook) -> None:
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=LAW1, mailbox=USER, basis=AccessBasis.LEGAL,
                       reference=GrantReference(legal_ref=" \t "))
    assert refused.value.problem == "grant_request.legal_ref"


@pytest.mark.parametrize(("basis", "reference", "rule"), [
    (AccessBasis.SECURITY, GrantReference(case_id="  ", category="abuse"), "grant.missing_case"),
    (AccessBasis.LEGAL, GrantReference(legal_ref="   "), "grant.missing_legal_ref"),
])
def test_the_policy_denies_a_grant_whose_reference_is_blank(
        policy: Policy, basis: AccessBasis, reference: GrantReference, rule: str) -> None:
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    role = "security" if basis is AccessBasis.SECURITY else "legal"
    purpose = "security.investigation" if role == "security" else "legal.compliance"
    grant = Grant(id="g1", staff_id="a@qontak.com", basis=basis, reference=reference,
                  mailbox=USER, expires_at=now + timedelta(hours=1),
                  approved_by="b@qontak.com", approved_at=now)
    decision = check_access(policy, AccessRequest(
        actor=Actor(kind=ActorKind.STAFF, id="a@qontak.com", role=role),
        action="messages.get", mailbox=USER, purpose=purpose, now=now, basis=basis,
        grant=grant))
    assert (decision.allowed, decision.rule_id) == (False, rule)


@pytest.mark.parametrize("duration", [3, 3.5, "3h"], ids=["int", "float", "str"])
def test_a_duration_that_is_not_a_timedelta_is_refused_clearly(grants: GrantBook,
                                                               duration: object) -> None:
    with pytest.raises(InvalidGrant) as refused:
        grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                       reference=GrantReference(case_id="C-1", category="abuse"),
                       duration=duration)  # type: ignore[arg-type]
    assert refused.value.problem == "grant_request.duration"
    assert grants.for_staff(SEC1.id) == ()


def test_a_grant_for_a_mixed_case_mailbox_is_stored_as_the_guard_stores_mailboxes(
        grants: GrantBook, broker: AccessBroker, clock: Clock) -> None:
    grant = grants.request(actor=SEC1, mailbox=" Owner@Example.COM ",
                           basis=AccessBasis.SECURITY,
                           reference=GrantReference(case_id="C-1", category="abuse"))
    grants.approve(grant.id, actor=SEC2)

    assert grants.get(grant.id).mailbox == USER  # type: ignore[union-attr]
    assert [g.id for g in grants.for_staff(" SEC1@qontak.com ")] == [grant.id]
    broker.view_thread(SEC1, mailbox=USER, thread_id="t1", grant_id=grant.id)


def test_a_grant_requested_on_a_clock_in_another_time_zone_expires_on_time(
        grants: GrantBook, broker: AccessBroker, clock: Clock) -> None:
    from datetime import timezone
    clock.now = clock.now.astimezone(timezone(timedelta(hours=7)))
    grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                           reference=GrantReference(case_id="C-1", category="abuse"),
                           duration=timedelta(hours=1))
    grants.approve(grant.id, actor=SEC2)
    broker.view_thread(SEC1, mailbox=USER, thread_id="t1", grant_id=grant.id)
    clock.advance(hours=2)
    with pytest.raises(GrantRequired) as refused:
        broker.view_thread(SEC1, mailbox=USER, thread_id="t1", grant_id=grant.id)
    assert refused.value.rule_id == "grant.expired"
