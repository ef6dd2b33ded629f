"""Compose, reply, reply-all, forward, drafts and sending, as the emulator records them."""

from __future__ import annotations

import email
import email.policy
import io
import re

from tests.webclient.conftest import audit_entries, deliver, post


def parsed(stored):
    return email.message_from_bytes(stored.raw, policy=email.policy.default)


def sent_messages(mailbox):
    return mailbox.state.list_messages(label_ids=["SENT"])


def form_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for name in ("to", "cc", "subject"):
        found = re.search(rf'name="{name}" value="([^"]*)"', page)
        fields[name] = found.group(1) if found else ""
    body = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S)
    fields["body"] = body.group(1) if body else ""
    return fields


def test_compose_page_offers_the_mailbox_address(signed_in, mailbox):
    page = signed_in.get("/u/0/compose").get_data(as_text=True)
    assert f'<option value="{mailbox.email}"' in page or mailbox.email in page
    assert 'enctype="multipart/form-data"' in page


def test_send_a_new_message_with_an_attachment(signed_in, mailbox, app):
    before = len(sent_messages(mailbox))
    answer = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "Rina <rina@example.org>", "subject": "Penawaran harga",
        "body": "Terlampir penawaran kami.",
        "attachments": (io.BytesIO(b"col1,col2\n1,2\n"), "harga.csv", "text/csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 302
    assert "/u/0/t/" in answer.headers["Location"]
    sent = sent_messages(mailbox)
    assert len(sent) == before + 1
    message = parsed(sent[0])
    assert message["Subject"] == "Penawaran harga"
    assert "rina@example.org" in message["To"]
    files = [part for part in message.iter_attachments()]
    assert [f.get_filename() for f in files] == ["harga.csv"]
    assert files[0].get_content() == "col1,col2\n1,2\n"
    assert audit_entries(app, purpose="email.send", action="messages.send")
    thread = signed_in.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Penawaran harga" in thread and "harga.csv" in thread


def test_reply_threads_with_in_reply_to_and_references(signed_in, mailbox):
    original = deliver(mailbox, subject="Jadwal rapat", message_id="<rapat-1@example.org>",
                       sender="Budi <budi@example.org>")
    page = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    fields = form_fields(page)
    assert fields["subject"] == "Re: Jadwal rapat"
    assert "budi@example.org" in fields["to"]
    assert fields["in_reply_to"] == "&lt;rapat-1@example.org&gt;"
    answer = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "budi@example.org", "subject": "Re: Jadwal rapat",
        "body": "Setuju.", "in_reply_to": "<rapat-1@example.org>",
        "references": "<rapat-1@example.org>", "thread_id": original.thread_id})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/u/0/t/{original.thread_id}"
    thread = mailbox.state.get_thread(original.thread_id)
    assert len(thread.messages) == 2
    reply = parsed(thread.messages[-1])
    assert reply["In-Reply-To"] == "<rapat-1@example.org>"
    assert "<rapat-1@example.org>" in reply["References"]
    shown = signed_in.get(f"/u/0/t/{original.thread_id}").get_data(as_text=True)
    assert shown.count('<article class="message') == 2


def test_reply_all_copies_everyone_but_me(signed_in, mailbox):
    original = deliver(mailbox, subject="Tim", sender="Ani <ani@example.org>",
                       to=f"{mailbox.email}, Cok <cok@example.org>", cc="dedi@example.org")
    fields = form_fields(signed_in.get(
        f"/u/0/compose?mode=reply_all&message={original.id}").get_data(as_text=True))
    assert "ani@example.org" in fields["to"]
    assert "cok@example.org" in fields["cc"] and "dedi@example.org" in fields["cc"]
    assert mailbox.email not in fields["cc"]


def test_forward_sends_the_original_attachments(signed_in, mailbox):
    original = deliver(mailbox, subject="Invoice 42", attachments=(
        ("invoice-42.pdf", "application/pdf", b"%PDF-1.4 invoice"),))
    fields = form_fields(signed_in.get(
        f"/u/0/compose?mode=forward&message={original.id}").get_data(as_text=True))
    assert fields["subject"] == "Fwd: Invoice 42"
    assert fields["forward_of"] == original.id
    post(signed_in, "/u/0/compose", {"action": "send", "to": "finance@example.org",
                                     "subject": fields["subject"], "body": "FYI",
                                     "forward_of": original.id})
    message = parsed(sent_messages(mailbox)[0])
    assert [p.get_filename() for p in message.iter_attachments()] == ["invoice-42.pdf"]


def test_bad_recipients_are_explained_and_nothing_is_sent(signed_in, mailbox):
    before = len(sent_messages(mailbox))
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": "not an address",
                                              "subject": "x", "body": "y"})
    assert answer.status_code == 400
    assert "these are not email addresses: not an address" in answer.get_data(as_text=True)
    empty = post(signed_in, "/u/0/compose", {"action": "send", "subject": "x", "body": "y"})
    assert "Add at least one recipient." in empty.get_data(as_text=True)
    assert len(sent_messages(mailbox)) == before


def test_header_injection_is_refused(signed_in, mailbox):
    before = len(sent_messages(mailbox))
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": "a@example.org",
                                              "subject": "Hi\r\nBcc: evil@example.org",
                                              "body": "y"})
    assert answer.status_code == 400
    assert "cannot be sent as written" in answer.get_data(as_text=True)
    assert len(sent_messages(mailbox)) == before


def test_save_edit_and_send_a_draft(signed_in, mailbox, app):
    saved = post(signed_in, "/u/0/compose", {"action": "save", "to": "lia@example.org",
                                             "subject": "Draf laporan", "body": "Belum selesai"})
    assert saved.status_code == 302
    draft_id = re.search(r"draft=([^&]+)", saved.headers["Location"]).group(1)
    page = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    fields = form_fields(page)
    assert fields["subject"] == "Draf laporan" and fields["draft_id"] == draft_id
    assert "Belum selesai" in fields["body"]
    drafts = signed_in.get("/u/0/f/drafts").get_data(as_text=True)
    assert "Draf laporan" in drafts
    post(signed_in, "/u/0/compose", {"action": "send", "to": "lia@example.org",
                                     "subject": "Draf laporan", "body": "Selesai",
                                     "draft_id": draft_id})
    assert mailbox.state.list_drafts() == [] or all(
        d.id != draft_id for d in mailbox.state.list_drafts())
    assert audit_entries(app, purpose="email.compose", action="drafts.create")
    assert audit_entries(app, purpose="email.compose", action="drafts.delete")


def test_a_draft_opens_from_its_conversation(signed_in, mailbox):
    saved = post(signed_in, "/u/0/compose", {"action": "save", "to": "x@example.org",
                                             "subject": "Open me later", "body": "b"})
    draft_id = re.search(r"draft=([^&]+)", saved.headers["Location"]).group(1)
    draft = mailbox.state.get_draft(draft_id)
    thread = signed_in.get(f"/u/0/t/{draft.message.thread_id}").get_data(as_text=True)
    assert "Edit draft" in thread
    edit = signed_in.get(f"/u/0/compose?draft_message={draft.message.id}")
    assert form_fields(edit.get_data(as_text=True))["draft_id"] == draft_id


def test_autosave_creates_then_updates_one_draft(signed_in, mailbox):
    first = post(signed_in, "/u/0/drafts/autosave", {"to": "a@example.org", "subject": "Auto",
                                                     "body": "one"})
    assert first.status_code == 200 and first.json["saved"] is True
    draft_id = first.json["draft_id"]
    second = post(signed_in, "/u/0/drafts/autosave", {"to": "a@example.org",
                                                      "subject": "Auto", "body": "two",
                                                      "draft_id": draft_id})
    assert second.json["draft_id"] == draft_id
    body = parsed(mailbox.state.get_draft(draft_id).message).get_body(("plain",)).get_content()
    assert body.strip() == "two"


def test_autosave_needs_the_csrf_header_or_field(signed_in):
    answer = signed_in.post("/u/0/drafts/autosave", data={"subject": "x", "to": "a@b.org"})
    assert answer.status_code == 400
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      signed_in.get("/u/0/compose").get_data(as_text=True)).group(1)
    ok = signed_in.post("/u/0/drafts/autosave", data={"subject": "x", "to": "a@b.org"},
                        headers={"X-CSRFToken": token})
    assert ok.status_code == 200


def test_discard_deletes_the_draft(signed_in, mailbox):
    first = post(signed_in, "/u/0/drafts/autosave", {"subject": "Throw away", "body": "x",
                                                     "to": "a@example.org"})
    draft_id = first.json["draft_id"]
    post(signed_in, "/u/0/compose", {"action": "discard", "draft_id": draft_id})
    assert all(d.id != draft_id for d in mailbox.state.list_drafts())


def test_autosave_keeps_a_draft_that_has_no_recipient_yet(signed_in, mailbox, app):
    first = post(signed_in, "/u/0/drafts/autosave", {"to": "", "subject": "Notes",
                                                     "body": "first thoughts"})
    assert first.status_code == 200 and first.json["saved"] is True
    draft_id = first.json["draft_id"]
    stored = parsed(mailbox.state.get_draft(draft_id).message)
    assert stored["To"] is None and stored["Subject"] == "Notes"
    assert stored.get_body(("plain",)).get_content().strip() == "first thoughts"
    second = post(signed_in, "/u/0/drafts/autosave", {"subject": "Notes", "body": "more",
                                                      "draft_id": draft_id})
    assert second.json == {"saved": True, "draft_id": draft_id,
                           "draft_message": mailbox.state.get_draft(draft_id).message.id}
    assert [d.id for d in mailbox.state.list_drafts()] == [draft_id]
    fields = form_fields(signed_in.get(f"/u/0/compose?draft={draft_id}")
                         .get_data(as_text=True))
    assert (fields["to"], fields["subject"], fields["body"].strip()) == ("", "Notes", "more")
    assert audit_entries(app, action="drafts.update", decision="allow")


def test_save_keeps_a_recipient_less_draft_but_send_asks_for_one(signed_in, mailbox):
    saved = post(signed_in, "/u/0/compose", {"action": "save", "subject": "Plan",
                                             "body": "later"})
    assert saved.status_code == 302
    draft_id = re.search(r"draft=([^&]+)", saved.headers["Location"]).group(1)
    assert parsed(mailbox.state.get_draft(draft_id).message)["Subject"] == "Plan"
    before = len(sent_messages(mailbox))
    refused = post(signed_in, "/u/0/compose", {"action": "send", "subject": "Plan",
                                               "body": "later", "draft_id": draft_id})
    assert refused.status_code == 400
    assert "Add at least one recipient." in refused.get_data(as_text=True)
    assert len(sent_messages(mailbox)) == before
    assert [d.id for d in mailbox.state.list_drafts()] == [draft_id]
