"""Decision tables: purposes, human-access bases, transfers and aggregates."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from guard.errors import (
    AccessDenied,
    AggregateTooSmall,
    ApprovalRequired,
    ConsentRequired,
    GrantRequired,
    ProhibitedPurpose,
    TransferBlocked,
)
from guard.policy import (
    REASONS,
    AccessBasis,
    AccessRequest,
    Actor,
    ActorKind,
    Consent,
    DataClass,
    Grant,
    GrantReference,
    Policy,
    Resources,
    TransferBasis,
    TransferConsent,
    TransferRequest,
    check_access,
    check_aggregate,
    check_transfer,
    parse_policy,
    require_access,
    require_aggregate,
    require_transfer,
)
from tests.guard.conftest import NOW

ALICE = "alice@example.com"
BOB = "bob@example.com"


def user(purpose: str, action: str = "messages.get", *, mailbox: str = ALICE) -> AccessRequest:
    return AccessRequest(actor=Actor(ActorKind.USER, ALICE), action=action, mailbox=mailbox,
                         purpose=purpose, now=NOW,
                         resources=Resources(message_ids=frozenset({"m1"})))


def system(purpose: str, action: str = "history.list", *, job: str = "gmail-sync",
           mailbox: str | None = ALICE) -> AccessRequest:
    return AccessRequest(actor=Actor(ActorKind.SYSTEM, job), action=action, mailbox=mailbox,
                         purpose=purpose, now=NOW)


CONSENT = Consent(id="c-1", user=ALICE, grantee="support", message_ids=frozenset({"m1", "m2"}),
                  expires_at=NOW + timedelta(days=7))


def consent_view(**changes: Any) -> AccessRequest:
    consent_changes = changes.pop("consent_changes", {})
    base = AccessRequest(
        actor=Actor(ActorKind.STAFF, "staff-7", "support"), action="messages.get",
        mailbox=ALICE, purpose="support.consented_view", basis=AccessBasis.CONSENT,
        resources=Resources(message_ids=frozenset({"m1"})),
        consent=dataclasses.replace(CONSENT, **consent_changes), now=NOW)
    return dataclasses.replace(base, **changes)


SECURITY_GRANT = Grant(id="g-1", staff_id="sec-1", basis=AccessBasis.SECURITY,
                       reference=GrantReference(case_id="CASE-9", category="abuse"),
                       mailbox=ALICE, expires_at=NOW + timedelta(hours=24),
                       approved_by="sec-2")
LEGAL_GRANT = Grant(id="g-2", staff_id="legal-1", basis=AccessBasis.LEGAL,
                    reference=GrantReference(legal_ref="SUBPOENA-2025-001"), mailbox=ALICE,
                    expires_at=NOW + timedelta(hours=24), approved_by="legal-2")


def investigation(grant: Grant, /, **changes: Any) -> AccessRequest:
    grant_changes = changes.pop("grant_changes", {})
    security = grant.basis is AccessBasis.SECURITY
    base = AccessRequest(
        actor=Actor(ActorKind.STAFF, grant.staff_id, "security" if security else "legal"),
        action="messages.get", mailbox=ALICE,
        purpose="security.investigation" if security else "legal.compliance",
        basis=grant.basis, resources=Resources(message_ids=frozenset({"m9"})),
        grant=dataclasses.replace(grant, **grant_changes), now=NOW)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("purpose", "rule_id"), [
    ("advertising.serving", "prohibited.advertising"),
    ("advertising.targeting", "prohibited.advertising"),
    ("advertising.retargeting", "prohibited.advertising"),
    ("advertising.personalisation", "prohibited.advertising"),
    ("advertising.profiling", "prohibited.advertising"),
    ("advertising.measurement", "prohibited.advertising"),
    ("advertising", "prohibited.advertising"),
    ("advertising.something_new", "prohibited.advertising"),
    ("data_sale.broker", "prohibited.data_sale"),
    ("data_sale.resale", "prohibited.data_sale"),
    ("credit.scoring", "prohibited.credit"),
    ("credit.lending", "prohibited.credit"),
    ("ai_training.general", "prohibited.ai_training"),
    ("email.snoop", "purpose.unknown"),
    ("", "purpose.unknown"),
    ("marketing.newsletter", "purpose.unknown"),
])
def test_prohibited_and_unknown_purposes_are_denied(policy: Policy, purpose: str,
                                                    rule_id: str) -> None:
    for request in (user(purpose), system(purpose), consent_view(purpose=purpose)):
        decision = check_access(policy, request)
        assert (decision.allowed, decision.rule_id) == (False, rule_id)
        assert decision.purpose == purpose
        assert decision.policy_version == policy.version


def test_prohibited_rule_wins_over_any_evidence(policy: Policy) -> None:
    request = investigation(SECURITY_GRANT, purpose="advertising.targeting")
    with pytest.raises(ProhibitedPurpose, match="prohibited.advertising"):
        require_access(policy, request)


@pytest.mark.parametrize(("request_", "allowed", "rule_id"), [
    (user("email.read", "messages.get"), True, "user.own_mailbox"),
    (user("email.read", "threads.list"), True, "user.own_mailbox"),
    (user("email.compose", "drafts.create"), True, "user.own_mailbox"),
    (user("email.send", "messages.send"), True, "user.own_mailbox"),
    (user("email.organize", "messages.modify"), True, "user.own_mailbox"),
    (user("email.search", "messages.list"), True, "user.own_mailbox"),
    (user("email.process", "messages.get"), True, "user.own_mailbox"),
    (user("email.read", "messages.send"), False, "purpose.action_not_allowed"),
    (user("email.search", "messages.get"), False, "purpose.action_not_allowed"),
    (user("email.read", "messages.get", mailbox=BOB), False, "user.other_mailbox"),
    (user("email.sync", "history.list"), False, "user.purpose_not_allowed"),
    (system("email.sync", "history.list"), True, "system.job"),
    (system("email.sync", "messages.get"), True, "system.job"),
    (system("email.sync", "messages.send"), False, "purpose.action_not_allowed"),
    (system("email.read", "messages.get"), False, "system.purpose_not_allowed"),
    (system("email.sync", job="crawler"), False, "system.unknown_job"),
    (system("email.sync", mailbox=None), False, "system.no_mailbox"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_user_and_system_rules(policy: Policy, request_: AccessRequest, allowed: bool,
                               rule_id: str) -> None:
    decision = check_access(policy, request_)
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)
    assert decision.reason == REASONS[rule_id]


@pytest.mark.parametrize(("request_", "allowed", "rule_id"), [
    (consent_view(), True, "consent.allowed"),
    (consent_view(resources=Resources(message_ids=frozenset({"m1", "m2"}))), True,
     "consent.allowed"),
    (consent_view(actor=Actor(ActorKind.STAFF, "staff-7", "security"),
                  consent_changes={"grantee": "staff-7"}), True, "consent.allowed"),
    (consent_view(consent=None), False, "consent.missing"),
    (consent_view(consent_changes={"expires_at": NOW}), False, "consent.expired"),
    (consent_view(consent_changes={"expires_at": NOW - timedelta(seconds=1)}), False,
     "consent.expired"),
    (consent_view(consent_changes={"revoked_at": NOW - timedelta(minutes=5)}), False,
     "consent.revoked"),
    (consent_view(consent_changes={"expires_at": NOW + timedelta(days=31)}), False,
     "consent.lifetime_exceeded"),
    (consent_view(consent_changes={"grantee": "legal"}), False, "consent.wrong_grantee"),
    (consent_view(consent_changes={"grantee": "staff-8"}), False, "consent.wrong_grantee"),
    (consent_view(resources=Resources(message_ids=frozenset({"m3"}))), False,
     "consent.message_not_covered"),
    (consent_view(resources=Resources(message_ids=frozenset({"m1", "m3"}))), False,
     "consent.message_not_covered"),
    (consent_view(resources=Resources(message_ids=frozenset({"m1"}),
                                      thread_ids=frozenset({"t1"}))), False,
     "consent.thread_not_covered"),
    (consent_view(resources=Resources()), False, "consent.no_messages"),
    (consent_view(mailbox=BOB), False, "consent.other_mailbox"),
    (consent_view(action="messages.modify"), False, "consent.action_not_allowed"),
    (consent_view(action="messages.list"), False, "consent.action_not_allowed"),
    (consent_view(actor=Actor(ActorKind.STAFF, "staff-7", "ops")), False,
     "staff.basis_not_allowed"),
    (consent_view(actor=Actor(ActorKind.STAFF, "staff-7", "janitor")), False,
     "staff.unknown_role"),
    (consent_view(actor=Actor(ActorKind.STAFF, "staff-7", None)), False, "staff.unknown_role"),
    (consent_view(purpose="security.investigation"), False, "staff.purpose_mismatch"),
    (consent_view(purpose="email.read"), False, "purpose.unknown"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_consent_basis(policy: Policy, request_: AccessRequest, allowed: bool,
                       rule_id: str) -> None:
    decision = check_access(policy, request_)
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)
    assert decision.basis == "consent"


@pytest.mark.parametrize("grant", [SECURITY_GRANT, LEGAL_GRANT], ids=["security", "legal"])
@pytest.mark.parametrize(("changes", "allowed", "rule_id"), [
    ({}, True, None),
    ({"action": "threads.list", "resources": Resources()}, True, None),
    ({"grant": None}, False, "grant.missing"),
    ({"grant_changes": {"expires_at": NOW}}, False, "grant.expired"),
    ({"grant_changes": {"revoked_at": NOW - timedelta(hours=1)}}, False, "grant.revoked"),
    ({"grant_changes": {"expires_at": NOW + timedelta(hours=73)}}, False,
     "grant.lifetime_exceeded"),
    ({"grant_changes": {"mailbox": BOB}}, False, "grant.other_mailbox"),
    ({"grant_changes": {"staff_id": "someone-else"}}, False, "grant.wrong_staff"),
    ({"grant_changes": {"approved_by": None}}, False, "grant.approval_missing"),
    ({"action": "messages.send"}, False, "grant.action_not_allowed"),
    ({"action": "messages.trash"}, False, "grant.action_not_allowed"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_security_and_legal_bases(policy: Policy, grant: Grant, changes: dict[str, Any],
                                  allowed: bool, rule_id: str | None) -> None:
    request = investigation(grant, **changes)
    decision = check_access(policy, request)
    expected = rule_id or f"{grant.basis.value}.allowed"
    assert (decision.allowed, decision.rule_id) == (allowed, expected)


@pytest.mark.parametrize(("grant", "changes", "rule_id"), [
    (SECURITY_GRANT, {"grant_changes": {"approved_by": "sec-1"}}, "grant.self_approved"),
    (LEGAL_GRANT, {"grant_changes": {"approved_by": "legal-1"}}, "grant.self_approved"),
    (SECURITY_GRANT, {"grant_changes": {"reference": GrantReference(category="abuse")}},
     "grant.missing_case"),
    (SECURITY_GRANT, {"grant_changes": {"reference": GrantReference(case_id="C-1")}},
     "grant.missing_case"),
    (SECURITY_GRANT, {"grant_changes": {"reference": GrantReference(
        case_id="C-1", category="curiosity")}}, "grant.unknown_category"),
    (LEGAL_GRANT, {"grant_changes": {"reference": GrantReference(case_id="C-1")}},
     "grant.missing_legal_ref"),
    (SECURITY_GRANT, {"grant_changes": {"basis": AccessBasis.LEGAL}}, "grant.basis_mismatch"),
    (SECURITY_GRANT, {"actor": Actor(ActorKind.STAFF, "sec-1", "support")},
     "staff.basis_not_allowed"),
    (LEGAL_GRANT, {"actor": Actor(ActorKind.STAFF, "legal-1", "security")},
     "staff.basis_not_allowed"),
])
def test_grant_references_and_approvals(policy: Policy, grant: Grant, changes: dict[str, Any],
                                        rule_id: str) -> None:
    decision = check_access(policy, investigation(grant, **changes))
    assert (decision.allowed, decision.rule_id) == (False, rule_id)


def test_second_approval_can_be_relaxed_only_for_the_bases_the_file_names() -> None:
    text = open("config/policy.toml", encoding="utf-8").read().replace(
        'require_second_approval = ["security", "legal"]', 'require_second_approval = ["legal"]')
    relaxed = parse_policy(text, source="relaxed.toml")
    security = investigation(SECURITY_GRANT, grant_changes={"approved_by": None})
    legal = investigation(LEGAL_GRANT, grant_changes={"approved_by": None})
    assert check_access(relaxed, security).rule_id == "security.allowed"
    assert check_access(relaxed, legal).rule_id == "grant.approval_missing"


def aggregate_request(**changes: Any) -> AccessRequest:
    base = AccessRequest(actor=Actor(ActorKind.STAFF, "ops-1", "ops"), action="aggregate.query",
                         mailbox=None, purpose="operations.aggregate",
                         basis=AccessBasis.AGGREGATE, now=NOW)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("request_", "allowed", "rule_id"), [
    (aggregate_request(), True, "aggregate.allowed"),
    (aggregate_request(mailbox=ALICE), False, "aggregate.no_messages"),
    (aggregate_request(action="messages.get"), False, "aggregate.no_messages"),
    (aggregate_request(resources=Resources(message_ids=frozenset({"m1"}))), False,
     "aggregate.no_messages"),
    (consent_view(actor=Actor(ActorKind.STAFF, "ops-1", "ops")), False,
     "staff.basis_not_allowed"),
    (investigation(SECURITY_GRANT, actor=Actor(ActorKind.STAFF, "sec-1", "ops")), False,
     "staff.basis_not_allowed"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_ops_get_aggregates_only(policy: Policy, request_: AccessRequest, allowed: bool,
                                 rule_id: str) -> None:
    decision = check_access(policy, request_)
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)


@pytest.mark.parametrize(("request_", "error"), [
    (consent_view(consent=None), ConsentRequired),
    (consent_view(consent_changes={"revoked_at": NOW}), ConsentRequired),
    (investigation(SECURITY_GRANT, grant=None), GrantRequired),
    (investigation(SECURITY_GRANT, grant_changes={"approved_by": None}), ApprovalRequired),
    (investigation(LEGAL_GRANT, grant_changes={"approved_by": "legal-1"}), ApprovalRequired),
    (user("email.read", mailbox=BOB), AccessDenied),
    (user("advertising.profiling"), ProhibitedPurpose),
], ids=lambda v: v.__name__ if isinstance(v, type) else None)
def test_require_access_raises_the_named_outcome(policy: Policy, request_: AccessRequest,
                                                 error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        require_access(policy, request_)
    message = str(caught.value)
    decision = check_access(policy, request_)
    assert decision.rule_id in message
    assert ALICE not in message and BOB not in message


def test_require_access_returns_the_allowing_decision(policy: Policy) -> None:
    assert require_access(policy, consent_view()).rule_id == "consent.allowed"


def test_check_access_never_raises_on_a_malformed_request(policy: Policy) -> None:
    broken = dataclasses.replace(consent_view(), now=None)  # type: ignore[arg-type]
    decision = check_access(policy, broken)
    assert (decision.allowed, decision.rule_id) == (False, "request.malformed")


def test_no_rule_matched_is_an_explicit_default_deny(policy: Policy) -> None:
    odd = dataclasses.replace(user("email.read"), actor=Actor("robot", ALICE))  # type: ignore
    decision = check_access(policy, odd)
    assert (decision.allowed, decision.rule_id, decision.reason) == (
        False, "default.deny", "no rule matched")


TRANSFER_CONSENT = TransferConsent(id="tc-1", user=ALICE, recipient_id="qontak-crm",
                                   expires_at=NOW + timedelta(days=30))


def transfer(**changes: Any) -> TransferRequest:
    base = TransferRequest(recipient_id="qontak-crm", basis=TransferBasis.FEATURE,
                           data_classes=frozenset({DataClass.METADATA, DataClass.CONTENT}),
                           mailbox=ALICE, now=NOW, consent=TRANSFER_CONSENT)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("request_", "allowed", "rule_id"), [
    (transfer(), True, "transfer.allowed"),
    (transfer(data_classes=frozenset({DataClass.METADATA})), True, "transfer.allowed"),
    (transfer(recipient_id="adnet-1"), False, "transfer.unlisted_recipient"),
    (transfer(basis=TransferBasis.MERGER), False, "transfer.basis_mismatch"),
    (transfer(basis=TransferBasis.LEGAL), False, "transfer.basis_mismatch"),
    (transfer(data_classes=frozenset({DataClass.ATTACHMENTS})), False,
     "transfer.data_class_not_allowed"),
    (transfer(data_classes=frozenset({DataClass.CONTENT, DataClass.ATTACHMENTS})), False,
     "transfer.data_class_not_allowed"),
    (transfer(data_classes=frozenset()), False, "transfer.no_data_classes"),
    (transfer(consent=None), False, "transfer.consent_missing"),
    (transfer(consent=dataclasses.replace(TRANSFER_CONSENT, user=BOB)), False,
     "transfer.consent_mismatch"),
    (transfer(consent=dataclasses.replace(TRANSFER_CONSENT, recipient_id="other")), False,
     "transfer.consent_mismatch"),
    (transfer(consent=dataclasses.replace(TRANSFER_CONSENT, revoked_at=NOW)), False,
     "transfer.consent_revoked"),
    (transfer(consent=dataclasses.replace(TRANSFER_CONSENT, expires_at=NOW)), False,
     "transfer.consent_expired"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_transfer_gate(policy: Policy, request_: TransferRequest, allowed: bool,
                       rule_id: str) -> None:
    decision = check_transfer(policy, request_)
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)
    assert decision.basis == request_.basis.value
    if not allowed:
        with pytest.raises(TransferBlocked, match=rule_id.replace(".", r"\.")):
            require_transfer(policy, request_)


def test_security_transfers_need_the_switch() -> None:
    text = open("config/policy.toml", encoding="utf-8").read()
    extra = ('\n[[transfers.recipients]]\nid = "soc-vendor"\ncategory = "security_vendor"\n'
             'basis = "security"\ndata_classes = ["metadata"]\n')
    enabled = parse_policy(text.replace("allow_security_basis = false",
                                        "allow_security_basis = true") + extra)
    request = TransferRequest(recipient_id="soc-vendor", basis=TransferBasis.SECURITY,
                              data_classes=frozenset({DataClass.METADATA}), mailbox=ALICE,
                              now=NOW)
    assert check_transfer(enabled, request).rule_id == "transfer.allowed"
    with pytest.raises(Exception, match=r"allow_security_basis = true"):
        parse_policy(text + extra, source="p.toml")


@pytest.mark.parametrize(("sizes", "fields", "allowed", "rule_id"), [
    ([50, 120, 5000], ["message_count"], True, "aggregate.allowed"),
    ([50], [], True, "aggregate.allowed"),
    ([49, 500], ["message_count"], False, "aggregate.below_k"),
    ([1], [], False, "aggregate.below_k"),
    ([0], [], False, "aggregate.below_k"),
    ([], [], False, "aggregate.empty"),
    ([100], ["subject_words"], False, "aggregate.field_not_allowed"),
    ([100], ["size_bytes"], False, "aggregate.field_not_allowed"),
])
def test_k_threshold(policy: Policy, sizes: list[int], fields: list[str], allowed: bool,
                     rule_id: str) -> None:
    decision = check_aggregate(policy, sizes, fields=fields)
    assert (decision.allowed, decision.rule_id) == (allowed, rule_id)
    if rule_id == "aggregate.below_k":
        with pytest.raises(AggregateTooSmall):
            require_aggregate(policy, sizes, fields=fields)


def test_k_follows_the_file() -> None:
    text = open("config/policy.toml", encoding="utf-8").read().replace(
        "min_group_size = 50", "min_group_size = 10")
    lowered = parse_policy(text)
    assert check_aggregate(lowered, [10, 11]).allowed
    assert not check_aggregate(lowered, [9]).allowed
