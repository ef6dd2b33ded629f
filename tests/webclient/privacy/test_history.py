"""The access history: staff views, transfers and refusals of this mailbox, read audited."""

from __future__ import annotations

import html

import pytest

from guard.errors import ConsentRequired
from tests.webclient.conftest import audit_entries, new_mailbox, post, sign_in
from tests.webclient.privacy.conftest import form_fields, page_of, text


def share(client, message_id: str) -> None:
    fields = form_fields(page_of(client, f"/u/0/privacy/share/{message_id}"))
    answer = post(client, f"/u/0/privacy/share/{message_id}", {**fields, "agree": "yes"})
    assert answer.status_code == 302


def section(page: str, marker: str) -> str:
    """Return the table of the history page marked with ``marker`` (empty if none)."""
    start = page.find(marker)
    return page[start:page.find("</table>", start)] if start >= 0 else ""


def test_an_empty_history_says_so_calmly(signed_in):
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    assert "Nobody at Qontak has viewed anything in your mailbox." in page
    assert "No data from your mailbox has been sent anywhere." in page
    assert "No attempt concerning your mailbox has been refused." in page


def test_reading_the_history_is_itself_audited(signed_in, mailbox):
    page_of(signed_in, "/u/0/privacy/history")
    [entry] = audit_entries(signed_in.application, mailbox=mailbox.email,
                            action="privacy.history.read")
    assert entry.decision == "allow" and entry.actor_kind == "user"
    assert entry.rule_id == "privacy.own_history"


def test_a_support_view_shows_role_basis_reference_and_message(signed_in, conversation, guard,
                                                               mailbox, support_agent):
    share(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    guard.broker.view_message(support_agent, mailbox=mailbox.email,
                              message_id=conversation.first, consent_id=consent.id)
    page = html.unescape(page_of(signed_in, "/u/0/privacy/history"))
    human = section(page, "data-human")
    assert human.count("<tr>") == 2  # the header and one access (two audit entries)
    assert "Qontak support staff" in human and "your consent" in human
    assert consent.id in human and conversation.first in human
    assert conversation.second not in human
    assert support_agent.id not in page


def test_a_refused_agent_appears_among_the_refused_attempts(signed_in, conversation, guard,
                                                            mailbox, support_agent):
    share(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    with pytest.raises(ConsentRequired):
        guard.broker.view_message(support_agent, mailbox=mailbox.email,
                                  message_id=conversation.second, consent_id=consent.id)
    refused = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")),
                      "data-refusals")
    assert "Qontak support staff" in refused and "open a message" in refused
    assert conversation.second in refused and "consent." in refused
    assert refused.count(consent.id) == 1
    assert "the message is not one you shared" in refused


def test_a_transfer_shows_recipient_basis_classes_and_delivery(signed_in, conversation):
    fields = form_fields(page_of(signed_in, f"/u/0/privacy/crm/{conversation.thread_id}"))
    answer = post(signed_in, f"/u/0/privacy/crm/{conversation.thread_id}",
                  {**fields, "data_class": ["metadata", "content"], "agree": "yes",
                   "target_kind": "contact", "target_name": "Budi"})
    assert answer.status_code == 302
    transfers = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")),
                        "data-transfers")
    assert "Qontak CRM" in transfers and "a feature you used" in transfers
    assert "metadata (sender, recipients, subject, dates)" in transfers
    assert "content (the text of the messages)" in transfers
    assert "2 messages" in transfers and "received" in transfers


def test_the_owners_own_refused_transfer_is_marked_as_theirs(signed_in, conversation):
    fields = form_fields(page_of(signed_in, f"/u/0/privacy/crm/{conversation.thread_id}"))
    post(signed_in, f"/u/0/privacy/crm/{conversation.thread_id}",
         {**fields, "recipient": "ads-network", "data_class": ["metadata"], "agree": "yes",
          "target_kind": "contact", "target_name": "Budi"})
    refused = section(html.unescape(page_of(signed_in, "/u/0/privacy/history")),
                      "data-refusals")
    assert "<td>You</td>" in refused
    assert "transfer.unlisted_recipient" in refused


def test_another_mailboxs_history_is_not_shown(app, signed_in, conversation, guard, mailbox,
                                               support_agent, web_emulator):
    share(signed_in, conversation.first)
    [consent] = guard.consents.for_user(mailbox.email)
    guard.broker.view_message(support_agent, mailbox=mailbox.email,
                              message_id=conversation.first, consent_id=consent.id)
    other = app.test_client()
    sign_in(other, web_emulator, new_mailbox(web_emulator, messages=3).email)
    page = html.unescape(page_of(other, "/u/0/privacy/history"))
    assert "Nobody at Qontak has viewed anything in your mailbox." in page
    assert consent.id not in page
    assert other.get("/u/1/privacy/history").status_code == 404


def test_the_history_is_in_indonesian_when_chosen(signed_in):
    post(signed_in, "/language", {"lang": "id"})
    page = text(signed_in.get("/u/0/privacy/history"))
    assert "Riwayat akses" in page and "Orang yang melihat email Anda" in page
