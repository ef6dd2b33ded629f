"""Logging a conversation to Qontak CRM: what is shown, consent once, the gate's refusals."""

from __future__ import annotations

import html

import pytest

from tests.webclient.conftest import audit_entries, deliver, post
from tests.webclient.privacy.conftest import form_fields, page_of, text


def crm_path(thread_id: str) -> str:
    return f"/u/0/privacy/crm/{thread_id}"


def send(client, thread_id: str, *, agree: bool = True, data_classes=None, **changes: str):
    """Open the CRM page and send its form (optionally tampered)."""
    page = page_of(client, crm_path(thread_id))
    fields: dict = form_fields(page)
    fields.update(target_kind="deal", target_name="PT Maju renewal")
    if agree:
        fields["agree"] = "yes"
    fields["data_class"] = data_classes if data_classes is not None else [
        "metadata", "content"]
    fields.update(changes)
    return post(client, crm_path(thread_id), fields)


def test_the_page_shows_what_will_be_sent_and_asks_for_consent(signed_in, conversation):
    page = html.unescape(page_of(signed_in, crm_path(conversation.thread_id)))
    assert "Qontak CRM" in page
    assert "metadata (sender, recipients, subject, dates)" in page
    assert "content (the text of the messages)" in page
    assert "of 2 messages in this conversation" in page
    assert "Re: Invoice 4471 for PT Maju" in page
    assert "I agree that MailGuard may send conversations I choose to Qontak CRM" in page
    assert '<input type="checkbox" name="agree" value="yes" required>' in page


def test_logging_sends_exactly_the_consented_classes_to_the_crm(signed_in, conversation, guard,
                                                               mailbox, crm):
    answer = send(signed_in, conversation.thread_id)
    assert answer.status_code == 302, text(answer)
    assert answer.headers["Location"] == f"/u/0/t/{conversation.thread_id}"
    [record] = crm.records.all()
    assert record.recipient == "qontak-crm" and record.basis == "feature"
    assert record.mailbox == mailbox.email
    assert record.data_classes == ("content", "metadata")
    assert set(record.data) == {"target", "metadata", "content"}
    assert record.data["target"] == {"kind": "deal", "name": "PT Maju renewal"}
    assert [m["id"] for m in record.data["metadata"]["messages"]] == [
        conversation.first, conversation.second]
    assert record.data["content"]["messages"][1]["text"].startswith("Paid yesterday")
    [consent] = guard.transfer_consents.for_user(mailbox.email)
    assert consent.recipient_id == "qontak-crm"
    assert "For each conversation I log, it sends: metadata" in consent.wording
    [sent] = audit_entries(signed_in.application, mailbox=mailbox.email,
                           action="transfer.send")
    assert sent.decision == "allow" and sent.basis_ref == consent.id
    assert sent.outcome == "classes=content,metadata"
    assert sent.request_id == record.transfer_id
    landing = text(signed_in.get(answer.headers["Location"]))
    assert "Conversation logged to Qontak CRM" in landing


def test_consent_is_asked_only_the_first_time(signed_in, conversation, guard, mailbox, crm):
    send(signed_in, conversation.thread_id)
    page = page_of(signed_in, crm_path(conversation.thread_id))
    assert 'name="agree"' not in page
    assert "You agreed to transfers to Qontak CRM" in html.unescape(page)
    assert send(signed_in, conversation.thread_id, agree=False).status_code == 302
    assert len(crm.records.all()) == 2
    assert len(guard.transfer_consents.for_user(mailbox.email)) == 1


@pytest.mark.parametrize(("changes", "rule", "message"), [
    ({"recipient": "ads-network"}, "transfer.unlisted_recipient",
     "this recipient is not one of them"),
    ({"data_classes": ["metadata", "content", "attachments"]},
     "transfer.data_class_not_allowed", "may not receive one of the kinds of data"),
])
def test_a_tampered_form_is_refused_clearly_audited_and_nothing_arrives(
        signed_in, conversation, mailbox, crm, changes, rule, message):
    data_classes = changes.pop("data_classes", None)
    answer = send(signed_in, conversation.thread_id, data_classes=data_classes, **changes)
    assert answer.status_code == 403
    assert message in html.unescape(text(answer))
    assert "Nothing was sent" in text(answer)
    assert crm.records.all() == ()
    [entry] = audit_entries(signed_in.application, mailbox=mailbox.email,
                            action="transfer.send")
    assert entry.decision == "deny" and entry.rule_id == rule


@pytest.mark.parametrize(("language", "error"), [
    ("en", "This recipient needs your consent first. Tick the box to agree, then send again."),
    ("id", "Penerima ini memerlukan persetujuan Anda terlebih dahulu."),
])
def test_without_the_box_ticked_the_form_comes_back_as_typed_and_nothing_is_sent(
        signed_in, conversation, guard, mailbox, crm, language, error):
    signed_in.set_cookie("mailguard_lang", language)
    answer = send(signed_in, conversation.thread_id, agree=False)
    page = html.unescape(text(answer))
    assert answer.status_code == 400
    assert error in page
    assert 'value="PT Maju renewal"' in page and '<option value="deal" selected>' in page
    assert '<input type="checkbox" name="agree" value="yes" required>' in page
    assert crm.records.all() == ()
    assert guard.transfer_consents.for_user(mailbox.email) == ()
    # Nothing was attempted, so the gate has no decision to record.
    assert audit_entries(signed_in.application, mailbox=mailbox.email,
                         action="transfer.send") == []


def test_a_withdrawn_transfer_consent_stops_the_next_transfer(signed_in, conversation, guard,
                                                              mailbox, crm):
    send(signed_in, conversation.thread_id)
    [consent] = guard.transfer_consents.for_user(mailbox.email)
    answer = post(signed_in, f"/u/0/privacy/transfer-consents/{consent.id}/withdraw",
                  follow_redirects=True)
    assert "Nothing more will be sent to that recipient" in text(answer)
    assert 'name="agree"' in page_of(signed_in, crm_path(conversation.thread_id))
    refused = send(signed_in, conversation.thread_id, agree=False)
    assert refused.status_code == 400 and "needs your consent first" in text(refused)
    assert len(crm.records.all()) == 1


def test_an_unknown_data_class_is_a_bad_request(signed_in, conversation, crm):
    answer = send(signed_in, conversation.thread_id, data_classes=["everything"])
    assert answer.status_code == 400
    assert crm.records.all() == ()


def test_a_target_is_required(signed_in, conversation, crm):
    answer = send(signed_in, conversation.thread_id, target_name="  ")
    assert answer.status_code == 400
    assert "give its name" in text(answer)
    assert crm.records.all() == ()


def test_a_crm_that_does_not_answer_is_reported_and_recorded(signed_in, conversation, mailbox,
                                                            crm):
    crm.stop()
    answer = send(signed_in, conversation.thread_id)
    assert answer.status_code == 502
    assert "did not accept the conversation" in text(answer)
    [delivery] = audit_entries(signed_in.application, mailbox=mailbox.email,
                               action="transfer.delivery")
    assert delivery.outcome == "failed:0"


def test_a_withdrawal_of_someone_elses_transfer_consent_is_a_404(signed_in, guard):
    from guard.policy import Actor, ActorKind

    other = guard.transfer_consents.record(
        actor=Actor(kind=ActorKind.USER, id="someone@else.test"), recipient_id="qontak-crm",
        wording="Agreed.")
    answer = post(signed_in, f"/u/0/privacy/transfer-consents/{other.id}/withdraw")
    assert answer.status_code == 404
    assert guard.transfer_consents.get(other.id).revoked_at is None


def test_a_conversation_that_is_not_in_the_mailbox_is_a_404(signed_in):
    assert signed_in.get(crm_path("ffffffffffffffff")).status_code == 404


def test_withdrawing_a_transfer_consent_twice_says_so(signed_in, conversation, guard,
                                                      mailbox, crm):
    send(signed_in, conversation.thread_id)
    [consent] = guard.transfer_consents.for_user(mailbox.email)
    path = f"/u/0/privacy/transfer-consents/{consent.id}/withdraw"
    post(signed_in, path)
    again = post(signed_in, path, follow_redirects=True)
    assert again.status_code == 200 and "already withdrawn" in text(again)


def test_an_override_in_a_sender_name_is_neutralised_in_what_will_be_sent(signed_in, mailbox):
    raw = (b"From: =?utf-8?b?QmFuayDigK4=?= <attacker@evil.example>\r\nTo: "
           + mailbox.email.encode() + b"\r\nSubject: Tagihan\r\n"
           b"Date: Sat, 01 Mar 2025 10:00:00 +0700\r\n\r\nHalo.\r\n")
    thread_id = mailbox.state.add_message(raw, label_ids=["INBOX"]).thread_id
    page = html.unescape(page_of(signed_in, crm_path(thread_id)))
    assert "<bdi>Tagihan</bdi> — <bdi>Bank _ <attacker@evil.example></bdi>" in page
    assert "\u202e" not in page


def test_the_crm_receives_the_text_the_owner_saw_not_the_plain_alternative(signed_in, mailbox,
                                                                        crm):
    message = deliver(mailbox, subject="Quote for PT Maju",
                      text="Words only the plain part has.",
                      html_body='<p>Total <b>Rp 4.200.000</b>, valid until Friday.</p>'
                                '<script>alert(1)</script>'
                                '<img src="https://tracker.example/p.gif">')
    assert send(signed_in, message.thread_id).status_code == 302
    [record] = crm.records.all()
    [sent] = record.data["content"]["messages"]
    assert "Total Rp 4.200.000, valid until Friday." in sent["text"]
    assert "Words only the plain part has." not in str(record.data)
    # The consent names "the text of the messages": text goes, never markup.
    assert set(sent) == {"id", "text"}
    assert "<" not in sent["text"] and "tracker.example" not in str(record.data)


def test_a_plain_message_is_sent_as_its_text_only(signed_in, conversation, crm):
    assert send(signed_in, conversation.thread_id).status_code == 302
    [record] = crm.records.all()
    first = record.data["content"]["messages"][0]
    assert first["text"].startswith("Please find the invoice.")
    assert "html" not in first
