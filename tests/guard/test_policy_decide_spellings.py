"""Decisions do not depend on how a purpose or an address is spelled, nor on a stale approval.

Reproduces: a prohibited purpose in another case or with other separators was denied only as
an unknown purpose (so the attempt was not counted under its prohibited family); a user
whose address differed from the mailbox's only in case was refused their own mailbox;
a grant approved by its own grantee under a differently cased address was allowed; and a
grant whose second approval had lapsed was still allowed when the evidence said when it
was given.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from guard.cli import policy as policy_group
from guard.errors import ApprovalRequired, ProhibitedPurpose
from guard.policy import (
    Actor,
    ActorKind,
    DataClass,
    Grant,
    Policy,
    TransferBasis,
    TransferConsent,
    TransferRequest,
    check_access,
    check_transfer,
    require_access,
)
from tests.guard.conftest import NOW
from tests.guard.test_policy_decide import (
    ALICE,
    BOB,
    LEGAL_GRANT,
    SECURITY_GRANT,
    consent_view,
    investigation,
    user,
)


@pytest.mark.parametrize(("purpose", "family"), [
    ("Advertising.targeting", "advertising"),
    ("ADVERTISING", "advertising"),
    ("advertising-targeting", "advertising"),
    ("advertising_targeting", "advertising"),
    (" advertising.targeting", "advertising"),
    ("advertising:retargeting", "advertising"),
    ("advertising\u200b.targeting", "advertising"),
    ("\uff41\uff44\uff56\uff45\uff52\uff54\uff49\uff53\uff49\uff4e\uff47.serving", "advertising"),
    ("advertisement.serving", "advertising"),
    ("ads.targeting", "advertising"),
    ("ad.serving", "advertising"),
    ("data-sale.broker", "data_sale"),
    ("Data_Sale.resale", "data_sale"),
    ("datasale", "data_sale"),
    ("data_broker", "data_sale"),
    ("Credit.Lending", "credit"),
    ("lending.decision", "credit"),
    ("ai-training", "ai_training"),
    ("AI_Training.general", "ai_training"),
    ("ai.training", "ai_training"),
    ("ml_training", "ai_training"),
])
def test_prohibited_purpose_in_another_spelling_is_named_as_its_family(
        policy: Policy, purpose: str, family: str) -> None:
    for request in (user(purpose), consent_view(purpose=purpose)):
        decision = check_access(policy, request)
        assert (decision.allowed, decision.rule_id) == (False, "prohibited." + family)
        assert decision.purpose == purpose
    with pytest.raises(ProhibitedPurpose):
        require_access(policy, user(purpose))


@pytest.mark.parametrize("purpose", ["email.read", "address.lookup", "marketing.newsletter",
                                     "adsync", "email.snoop"])
def test_words_that_only_resemble_a_prohibited_family_are_not_named_as_one(
        policy: Policy, purpose: str) -> None:
    assert not check_access(policy, user(purpose)).rule_id.startswith("prohibited.")


@pytest.mark.parametrize(("actor_id", "mailbox", "allowed"), [
    ("Alice@Example.com", ALICE, True),
    (ALICE, "ALICE@EXAMPLE.COM", True),
    (ALICE, " alice@example.com ", True),
    ("Alice@Example.com", BOB, False),
    ("BOB@example.com", ALICE, False),
])
def test_user_address_differing_only_in_case_reaches_only_their_own_mailbox(
        policy: Policy, actor_id: str, mailbox: str, allowed: bool) -> None:
    request = dataclasses.replace(user("email.read", mailbox=mailbox),
                                  actor=Actor(ActorKind.USER, actor_id))
    decision = check_access(policy, request)
    expected = "user.own_mailbox" if allowed else "user.other_mailbox"
    assert (decision.allowed, decision.rule_id) == (allowed, expected)


def test_consent_and_grant_addresses_compare_without_case(policy: Policy) -> None:
    consent = consent_view(actor=Actor(ActorKind.STAFF, "sam@qontak.com", "support"),
                           mailbox="Alice@Example.com",
                           consent_changes={"grantee": "Sam@Qontak.com"})
    assert check_access(policy, consent).rule_id == "consent.allowed"
    grant = investigation(dataclasses.replace(SECURITY_GRANT, staff_id="sec@qontak.com"),
                          actor=Actor(ActorKind.STAFF, "SEC@qontak.com", "security"),
                          mailbox="ALICE@example.com")
    assert check_access(policy, grant).rule_id == "security.allowed"


@pytest.mark.parametrize(("grant", "approver"), [
    (SECURITY_GRANT, "SEC-1"), (SECURITY_GRANT, " sec-1 "), (LEGAL_GRANT, "Legal-1"),
    (dataclasses.replace(SECURITY_GRANT, staff_id="sec@qontak.com"), "Sec+2nd@qontak.com"),
], ids=["security-upper", "security-spaces", "legal-capitalised", "plus-address"])
def test_self_approval_under_another_case_of_the_grantees_address_is_refused(
        policy: Policy, grant: Grant, approver: str) -> None:
    request = investigation(grant, grant_changes={"approved_by": approver})
    with pytest.raises(ApprovalRequired) as caught:
        require_access(policy, request)
    assert caught.value.rule_id == "grant.self_approved"


@pytest.mark.parametrize("grant", [SECURITY_GRANT, LEGAL_GRANT], ids=["security", "legal"])
@pytest.mark.parametrize(("approved_ago", "allowed"), [
    (timedelta(hours=1), True),
    (timedelta(hours=72) - timedelta(seconds=1), True),
    (timedelta(hours=72), False),
    (timedelta(days=30), False),
    (-timedelta(minutes=1), False),
])
def test_lapsed_second_approval_no_longer_allows_the_grant(
        policy: Policy, grant: Grant, approved_ago: timedelta, allowed: bool) -> None:
    assert policy.staff.approval_for == timedelta(hours=72)
    request = investigation(grant, grant_changes={"approved_at": NOW - approved_ago})
    decision = check_access(policy, request)
    expected = f"{grant.basis.value}.allowed" if allowed else "grant.approval_lapsed"
    assert (decision.allowed, decision.rule_id) == (allowed, expected)
    if not allowed:
        with pytest.raises(ApprovalRequired):
            require_access(policy, request)


def test_lapsed_approval_is_refused_by_policy_decide() -> None:
    request = {
        "actor": {"kind": "staff", "id": "sec-1", "role": "security"},
        "action": "messages.get", "mailbox": ALICE, "purpose": "security.investigation",
        "basis": "security", "resources": {"message_ids": ["m9"]}, "now": NOW.isoformat(),
        "grant": {"id": "g-1", "staff_id": "sec-1", "basis": "security",
                  "reference": {"case_id": "CASE-9", "category": "abuse"},
                  "mailbox": ALICE, "expires_at": (NOW + timedelta(hours=24)).isoformat(),
                  "approved_by": "sec-2",
                  "approved_at": (NOW - timedelta(days=4)).isoformat()},
    }
    result = CliRunner().invoke(policy_group, ["decide"], input=json.dumps(request))
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert (decision["allowed"], decision["rule_id"]) == (False, "grant.approval_lapsed")


def test_transfer_consent_of_the_same_user_in_another_case_counts(policy: Policy) -> None:
    request = TransferRequest(
        recipient_id="qontak-crm", basis=TransferBasis.FEATURE,
        data_classes=frozenset({DataClass.METADATA}), mailbox="Alice@Example.com", now=NOW,
        consent=TransferConsent(id="tc-1", user=ALICE, recipient_id="qontak-crm"))
    assert check_transfer(policy, request).rule_id == "transfer.allowed"
    other = dataclasses.replace(request, mailbox=BOB)
    assert check_transfer(policy, other).rule_id == "transfer.consent_mismatch"
