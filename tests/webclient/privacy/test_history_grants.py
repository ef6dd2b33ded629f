"""The access history names the case or legal request behind a grant, and what was tried."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from guard.errors import GuardError
from guard.policy import AccessBasis, Actor, ActorKind, GrantReference
from tests.webclient.privacy.conftest import ADMIN, page_of

INVESTIGATOR = Actor(kind=ActorKind.STAFF, id="budi.security@qontak.com", role="security")
APPROVER = Actor(kind=ActorKind.STAFF, id="dewi.security@qontak.com", role="security")
LAWYER = Actor(kind=ActorKind.STAFF, id="lukas.legal@qontak.com", role="legal")


def section(page: str, marker: str) -> str:
    """Return the table of the history page marked with ``marker`` (empty if none)."""
    start = page.find(marker)
    return page[start:page.find("</table>", start)] if start >= 0 else ""


@pytest.fixture
def security_view(guard, mailbox, conversation) -> str:
    """Let a security investigator view the first message under an approved grant."""
    for member in (INVESTIGATOR, APPROVER, LAWYER):
        guard.staff.add(member.id, roles=[member.role], by=ADMIN)
    grant = guard.grants.request(
        actor=INVESTIGATOR, mailbox=mailbox.email, basis=AccessBasis.SECURITY,
        reference=GrantReference(case_id="SEC-2041", category="abuse"),
        duration=timedelta(hours=2))
    guard.grants.approve(grant.id, actor=APPROVER)
    guard.broker.view_message(INVESTIGATOR, mailbox=mailbox.email,
                              message_id=conversation.first, grant_id=grant.id)
    with pytest.raises(GuardError):
        guard.grants.revoke(grant.id, actor=LAWYER)
    return grant.id


def test_a_security_view_names_its_case_not_only_the_grant_id(signed_in, security_view):
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    human = section(page, "data-human")
    assert "Qontak security team" in human and "a security investigation" in human
    assert "security case SEC-2041 (abuse)" in human and security_view in human


def test_a_refused_grant_revocation_is_named_in_words(signed_in, security_view):
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    refused = section(page, "data-refusals")
    assert "withdraw access to this mailbox (security case SEC-2041 (abuse)" in refused
    assert "<td>grant.revoke" not in refused


def test_the_case_is_named_in_indonesian(signed_in, security_view):
    signed_in.set_cookie("mailguard_lang", "id")
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    assert "kasus keamanan SEC-2041 (penyalahgunaan)" in section(page, "data-human")
    refused = section(page, "data-refusals")
    assert "mencabut akses ke kotak surat ini (kasus keamanan SEC-2041 (penyalahgunaan)" in refused
    assert "(abuse)" not in page


@pytest.mark.parametrize(("category", "english", "indonesian"), [
    ("fraud", "fraud", "penipuan"),
    ("security_incident", "security incident", "insiden keamanan"),
])
def test_each_case_category_is_named_in_words(guard, mailbox, conversation, signed_in,
                                               category, english, indonesian):
    for member in (INVESTIGATOR, APPROVER):
        guard.staff.add(member.id, roles=[member.role], by=ADMIN)
    grant = guard.grants.request(
        actor=INVESTIGATOR, mailbox=mailbox.email, basis=AccessBasis.SECURITY,
        reference=GrantReference(case_id="SEC-7", category=category),
        duration=timedelta(hours=2))
    guard.grants.approve(grant.id, actor=APPROVER)
    guard.broker.view_message(INVESTIGATOR, mailbox=mailbox.email,
                              message_id=conversation.first, grant_id=grant.id)
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    assert f"security case SEC-7 ({english})" in section(page, "data-human")
    signed_in.set_cookie("mailguard_lang", "id")
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    assert f"kasus keamanan SEC-7 ({indonesian})" in section(page, "data-human")
    assert category not in section(page, "data-human")
