"""The access history links each message a person viewed to it in the owner's own mail."""

from __future__ import annotations

import html
from datetime import timedelta

import requests

from guard.policy import AccessBasis, GrantReference
from tests.webclient.conftest import audit_entries, token_for
from tests.webclient.privacy.conftest import ADMIN, page_of, text
from tests.webclient.privacy.test_history import section, share
from tests.webclient.privacy.test_history_grants import APPROVER, INVESTIGATOR, LAWYER


def viewed_by_support(signed_in, conversation, guard, mailbox, support_agent) -> None:
    share(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    guard.broker.view_message(support_agent, mailbox=mailbox.email,
                              message_id=conversation.first, consent_id=consent.id)


def test_a_viewed_message_links_to_the_owners_mail_without_a_gmail_read(
        signed_in, conversation, guard, mailbox, support_agent):
    viewed_by_support(signed_in, conversation, guard, mailbox, support_agent)
    before = len(audit_entries(signed_in.application, mailbox=mailbox.email))
    human = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")), "data-human")
    link = f"/u/0/privacy/history/m/{conversation.first}"
    assert f'message <a href="{link}">{conversation.first}</a>' in human
    # Rendering the history read the audit log only: one entry, the reading itself.
    after = audit_entries(signed_in.application, mailbox=mailbox.email)[before:]
    assert [e.action for e in after] == ["privacy.history.read"]

    opened = signed_in.get(link)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(
        f"/u/0/t/{conversation.thread_id}#m-{conversation.first}")
    [lookup] = audit_entries(signed_in.application, mailbox=mailbox.email)[before + 1:]
    assert lookup.action == "messages.thread_ids" and lookup.actor_kind == "user"
    assert lookup.purpose == "email.read"
    assert {r.id for r in lookup.resources} == {conversation.first}


def test_the_link_says_so_when_the_message_is_gone(signed_in, conversation, guard, mailbox,
                                                   support_agent):
    viewed_by_support(signed_in, conversation, guard, mailbox, support_agent)
    requests.delete(
        f"{mailbox.emulator.url}gmail/v1/users/me/messages/{conversation.first}",
        headers={"Authorization": "Bearer " + token_for(mailbox)}, timeout=10
    ).raise_for_status()
    gone = signed_in.get(f"/u/0/privacy/history/m/{conversation.first}")
    assert gone.status_code == 404
    assert "no longer exists" in text(gone)


def test_the_links_are_in_indonesian_too(signed_in, conversation, guard, mailbox,
                                         support_agent):
    viewed_by_support(signed_in, conversation, guard, mailbox, support_agent)
    signed_in.set_cookie("mailguard_lang", "id")
    human = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")), "data-human")
    assert (f'pesan <a href="/u/0/privacy/history/m/{conversation.first}">'
            f'{conversation.first}</a>') in human


def test_an_id_that_is_no_gmail_id_is_not_looked_up(signed_in, mailbox):
    before = len(audit_entries(signed_in.application, mailbox=mailbox.email))
    assert signed_in.get("/u/0/privacy/history/m/not%20an%20id").status_code == 404
    assert audit_entries(signed_in.application, mailbox=mailbox.email)[before:] == []


def test_a_viewed_conversation_links_to_it_in_the_owners_mail(signed_in, conversation, guard,
                                                              mailbox):
    for member in (INVESTIGATOR, APPROVER, LAWYER):
        guard.staff.add(member.id, roles=[member.role], by=ADMIN)
    grant = guard.grants.request(
        actor=INVESTIGATOR, mailbox=mailbox.email, basis=AccessBasis.SECURITY,
        reference=GrantReference(case_id="SEC-2042", category="abuse"),
        duration=timedelta(hours=2))
    guard.grants.approve(grant.id, actor=APPROVER)
    guard.broker.view_thread(INVESTIGATOR, mailbox=mailbox.email,
                             thread_id=conversation.thread_id, grant_id=grant.id)
    human = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")), "data-human")
    assert (f'conversation <a href="/u/0/t/{conversation.thread_id}">'
            f'{conversation.thread_id}</a>') in human
