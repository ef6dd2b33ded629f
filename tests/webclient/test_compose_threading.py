"""Replies, reply-alls, forwards and drafts as Gmail would thread and keep them.

Each test reads the raw message the emulator stored, as a recipient's server would.
"""

from __future__ import annotations

import email
import email.policy
import html
import io
import re

from tests.webclient.conftest import deliver, new_mailbox, post, sign_in
from tests.webclient.test_compose import form_fields


def parsed(stored):
    return email.message_from_bytes(stored.raw, policy=email.policy.default)


def sent_messages(mailbox):
    return mailbox.state.list_messages(label_ids=["SENT"])


def send_as_shown(client, page: str, **changes: str):
    """Submit the compose form as the page filled it in, with ``changes``."""
    fields = {name: html.unescape(value) for name, value in form_fields(page).items()}
    fields.update(changes, action="send")
    return post(client, "/u/0/compose", fields, content_type="multipart/form-data")


def test_a_forward_stays_in_the_conversation_with_its_threading_headers(signed_in, mailbox):
    original = deliver(mailbox, subject="Laporan bulanan", message_id="<lap-2@example.org>",
                       in_reply_to="<lap-1@example.org>",
                       attachments=(("laporan.pdf", "application/pdf", b"%PDF-1.4"),))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={original.id}").get_data(
        as_text=True)
    answer = send_as_shown(signed_in, page, to="rina@example.org")
    assert answer.headers["Location"] == f"/u/0/t/{original.thread_id}"
    forward = parsed(mailbox.state.get_thread(original.thread_id).messages[-1])
    assert forward["Subject"] == "Fwd: Laporan bulanan"
    assert forward["In-Reply-To"] == "<lap-2@example.org>"
    assert forward["References"] == "<lap-1@example.org> <lap-2@example.org>"
    assert [part.get_filename() for part in forward.iter_attachments()] == ["laporan.pdf"]


def test_a_reply_to_a_message_with_only_in_reply_to_keeps_the_grandparent(signed_in,
                                                                         mailbox):
    raw = (b"From: Budi <budi@example.org>\r\nTo: " + mailbox.email.encode()
           + b"\r\nSubject: Re: Anggaran\r\nDate: Sat, 01 Mar 2025 10:00:00 +0000\r\n"
           b"Message-ID: <ang-2@example.org>\r\nIn-Reply-To: <ang-1@example.org>\r\n"
           b"\r\nSetuju.\r\n")
    original = mailbox.state.add_message(raw, label_ids=["INBOX"])
    page = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    send_as_shown(signed_in, page, body="Terima kasih.")
    reply = parsed(mailbox.state.get_thread(original.thread_id).messages[-1])
    assert reply["Subject"] == "Re: Anggaran"
    assert reply["References"] == "<ang-1@example.org> <ang-2@example.org>"


def test_a_non_ascii_sender_name_is_offered_as_text_and_sent_encoded(client, web_emulator):
    mailbox = new_mailbox(web_emulator, messages=0, name="Dewi Lestàri")
    sign_in(client, web_emulator, mailbox.email)
    page = client.get("/u/0/compose").get_data(as_text=True)
    assert f"<option value=\"Dewi Lestàri &lt;{mailbox.email}&gt;\"" in page
    assert "=?utf-8?" not in page
    post(client, "/u/0/compose", {"action": "send", "from": f"Dewi Lestàri <{mailbox.email}>",
                                  "to": "Ségolène <s@example.org>",
                                  "subject": "Rapat — ñ 日本", "body": "halo"})
    raw = sent_messages(mailbox)[0].raw
    assert raw.isascii()
    sent = parsed(sent_messages(mailbox)[0])
    assert (sent["From"].addresses[0].display_name, sent["Subject"]) == (
        "Dewi Lestàri", "Rapat — ñ 日本")
    assert sent["To"].addresses[0].display_name == "Ségolène"


def _saved_draft_id(answer) -> str:
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return re.search(r"draft=([^&]+)", answer.headers["Location"]).group(1)


def test_a_draft_keeps_its_attachment_through_autosave_and_send(signed_in, mailbox):
    before = len(sent_messages(mailbox))
    saved = post(signed_in, "/u/0/compose", {
        "action": "save", "to": "lia@example.org", "subject": "Kontrak", "body": "Draf",
        "attachments": (io.BytesIO(b"isi kontrak"), "kontrak é.txt", "text/plain")},
        content_type="multipart/form-data")
    draft_id = _saved_draft_id(saved)
    page = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    assert "kontrak é.txt" in page
    autosaved = post(signed_in, "/u/0/drafts/autosave", {
        "to": "lia@example.org", "subject": "Kontrak", "body": "Draf kedua",
        "draft_id": draft_id})
    assert autosaved.json == {"saved": True, "draft_id": draft_id,
                              "draft_message": mailbox.state.get_draft(draft_id).message.id}
    kept = parsed(mailbox.state.get_draft(draft_id).message)
    assert [p.get_filename() for p in kept.iter_attachments()] == ["kontrak é.txt"]
    send_as_shown(signed_in, signed_in.get(f"/u/0/compose?draft={draft_id}")
                  .get_data(as_text=True), body="Final")
    assert mailbox.state.list_drafts() == []
    sent = sent_messages(mailbox)
    assert len(sent) == before + 1
    files = list(parsed(sent[0]).iter_attachments())
    assert [(f.get_filename(), f.get_content()) for f in files] == [("kontrak é.txt",
                                                                    "isi kontrak")]


def test_a_file_removed_from_a_draft_is_not_sent(signed_in, mailbox):
    saved = post(signed_in, "/u/0/compose", {
        "action": "save", "to": "lia@example.org", "subject": "Dua berkas", "body": "x",
        "attachments": [(io.BytesIO(b"satu"), "satu.txt", "text/plain"),
                        (io.BytesIO(b"dua!"), "dua.txt", "text/plain")]},
        content_type="multipart/form-data")
    draft_id = _saved_draft_id(saved)
    page = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    drop = re.search(r'name="drop" value="([^"]*dua.txt)"', page).group(1)
    send_as_shown(signed_in, page, drop=html.unescape(drop))
    files = [f.get_filename() for f in parsed(sent_messages(mailbox)[0]).iter_attachments()]
    assert files == ["satu.txt"]
    assert all(draft.id != draft_id for draft in mailbox.state.list_drafts())


def test_a_forward_saved_as_a_draft_keeps_the_original_attachments(signed_in, mailbox):
    before = len(sent_messages(mailbox))
    original = deliver(mailbox, subject="Faktur",
                       attachments=(("faktur.pdf", "application/pdf", b"%PDF-1.4 faktur"),))
    page = signed_in.get(f"/u/0/compose?mode=forward&message={original.id}").get_data(
        as_text=True)
    fields = {name: html.unescape(value) for name, value in form_fields(page).items()}
    draft_id = _saved_draft_id(post(signed_in, "/u/0/compose", {
        **fields, "action": "save", "to": "rina@example.org"}))
    reopened = signed_in.get(f"/u/0/compose?draft={draft_id}").get_data(as_text=True)
    assert "faktur.pdf" in reopened
    send_as_shown(signed_in, reopened)
    sent = sent_messages(mailbox)
    assert len(sent) == before + 1 and mailbox.state.list_drafts() == []
    forward = parsed(sent[0])
    assert [p.get_filename() for p in forward.iter_attachments()] == ["faktur.pdf"]
    assert sent[0].thread_id == original.thread_id


def test_a_forward_names_the_original_date_as_gmail_does(signed_in, mailbox):
    raw = (b"From: Budi <budi@example.org>\r\nTo: " + mailbox.email.encode()
           + b"\r\nSubject: Jadwal\r\nDate: Sat, 01 Mar 2025 10:00:00 +0700\r\n"
           b"Message-ID: <jad-1@example.org>\r\n\r\nRapat pukul 10.\r\n")
    original = mailbox.state.add_message(raw, label_ids=["INBOX"])
    page = signed_in.get(f"/u/0/compose?mode=forward&message={original.id}").get_data(
        as_text=True)
    body = html.unescape(form_fields(page)["body"])
    header = body.split("---------- Forwarded message ---------", 1)[1]
    assert header.lstrip().splitlines()[:3] == [
        "From: Budi <budi@example.org>", "Date: 2025-03-01 10:00 +0700", "Subject: Jadwal"]


def test_a_reply_quotes_the_original_time_in_the_readers_time_zone(signed_in, mailbox):
    # 10:00 in London is 17:00 in Jakarta, the time the conversation page shows
    original = deliver(mailbox, subject="Jadwal", text="Rapat pukul 17.")
    thread = signed_in.get(f"/u/0/t/{original.thread_id}").get_data(as_text=True)
    assert "5:00:00" in thread
    page = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    body = html.unescape(form_fields(page)["body"])
    assert "On 2025-03-01 17:00, Ann Sender <ann@example.org> wrote:" in body


def _non_ascii_recipients(mailbox):
    raw = (b"From: =?utf-8?q?Budi_Santoso?= <budi@example.org>\r\n"
           b"To: " + mailbox.email.encode() + b", =?utf-8?q?Jos=C3=A9_=C3=81lvarez?= "
           b"<jose@example.org>\r\n"
           b"Cc: =?utf-8?b?U2l0aSBSYWjDpHl1?= <siti@example.org>\r\n"
           b"Reply-To: =?utf-8?q?Tim_Pe=C3=B1a?= <tim@example.org>\r\n"
           b"Subject: Rapat\r\nDate: Sat, 01 Mar 2025 10:00:00 +0700\r\n"
           b"Message-ID: <rapat-ne@example.org>\r\n\r\nHalo semua.\r\n")
    return mailbox.state.add_message(raw, label_ids=["INBOX"])


def test_recipient_names_are_shown_as_text_not_as_encoded_words(signed_in, mailbox):
    original = _non_ascii_recipients(mailbox)
    page = signed_in.get(f"/u/0/t/{original.thread_id}").get_data(as_text=True)
    recipients = page.split('class="recipients">', 1)[1].split("</dl>", 1)[0]
    assert "José Álvarez &lt;jose@example.org&gt;" in recipients
    assert "Siti Rahäyu &lt;siti@example.org&gt;" in recipients
    assert "=?utf-8?" not in recipients


def test_reply_all_offers_and_sends_recipient_names_as_text(signed_in, mailbox):
    original = _non_ascii_recipients(mailbox)
    page = signed_in.get(f"/u/0/compose?mode=reply_all&message={original.id}").get_data(
        as_text=True)
    fields = {name: html.unescape(value) for name, value in form_fields(page).items()}
    assert fields["to"] == "Tim Peña <tim@example.org>"
    assert fields["cc"] == "José Álvarez <jose@example.org>, Siti Rahäyu <siti@example.org>"
    send_as_shown(signed_in, page)
    sent = parsed(sent_messages(mailbox)[0])
    assert [a.display_name for a in sent["Cc"].addresses] == ["José Álvarez", "Siti Rahäyu"]
    assert sent["To"].addresses[0].display_name == "Tim Peña"


def test_a_forward_names_the_original_recipients_as_text(signed_in, mailbox):
    original = _non_ascii_recipients(mailbox)
    page = signed_in.get(f"/u/0/compose?mode=forward&message={original.id}").get_data(
        as_text=True)
    body = html.unescape(form_fields(page)["body"])
    assert f"To: {mailbox.email}, José Álvarez <jose@example.org>" in body


def test_a_reopened_draft_shows_its_recipient_names_as_text(signed_in, mailbox):
    saved = post(signed_in, "/u/0/compose", {"action": "save", "subject": "Draf",
                                             "to": "José Álvarez <jose@example.org>",
                                             "cc": "Siti Rahäyu <siti@example.org>",
                                             "body": "Nanti"})
    page = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in form_fields(page).items()}
    assert (fields["to"], fields["cc"]) == ("José Álvarez <jose@example.org>",
                                            "Siti Rahäyu <siti@example.org>")


def _html_only(mailbox):
    raw = (b"From: Ann <ann@example.org>\r\nTo: " + mailbox.email.encode()
           + b"\r\nSubject: Tagihan\r\nDate: Sat, 01 Mar 2025 10:00:00 +0700\r\n"
           b"Message-ID: <tagihan-1@example.org>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><head><title>Judul</title><style>p{color:red}</style></head><body>"
           b"<p>Paragraf pertama.</p><div>Total: Rp 420.000 &amp; pajak</div>"
           b"<p>Bayar di <a href=\"https://bayar.example/42\">halaman ini</a>.<br>Terima kasih"
           + b" lagi" * 60 + b" AKHIR</p><script>var rahasia = 1;</script></body></html>\r\n")
    return mailbox.state.add_message(raw, label_ids=["INBOX"])


def test_a_forward_of_an_html_only_message_carries_its_whole_text(signed_in, mailbox):
    original = _html_only(mailbox)
    page = signed_in.get(f"/u/0/compose?mode=forward&message={original.id}").get_data(
        as_text=True)
    body = html.unescape(form_fields(page)["body"])
    text = body.split("Subject: Tagihan", 1)[1]
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[1:5] == ["Paragraf pertama.", "Total: Rp 420.000 & pajak",
                         "Bayar di halaman ini <https://bayar.example/42>.",
                         "Terima kasih" + " lagi" * 60 + " AKHIR"]
    assert "rahasia" not in body and "color" not in body and "Judul" not in body


def test_a_reply_to_an_html_only_message_quotes_its_whole_text(signed_in, mailbox):
    original = _html_only(mailbox)
    page = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    body = html.unescape(form_fields(page)["body"])
    assert "> Paragraf pertama.\n> Total: Rp 420.000 & pajak\n" in body
    assert body.rstrip().endswith("lagi AKHIR")


def _comma_sender(mailbox):
    raw = (b"From: =?utf-8?q?Santoso=2C_B=C3=BAdi?= <budi@example.org>\r\nTo: "
           + mailbox.email.encode() + b"\r\nSubject: Kontrak\r\n"
           b"Date: Sat, 01 Mar 2025 10:00:00 +0700\r\nMessage-ID: <kontrak-7@example.org>\r\n"
           b"\r\nMohon dicek.\r\n")
    return mailbox.state.add_message(raw, label_ids=["INBOX"])


def test_a_sender_whose_encoded_name_holds_a_comma_is_shown_whole(signed_in, mailbox):
    original = _comma_sender(mailbox)
    page = signed_in.get(f"/u/0/t/{original.thread_id}").get_data(as_text=True)
    sender = page.split('<span class="from">', 1)[1].split("</span></span>", 1)[0]
    assert sender == ('<strong><bdi>Santoso, Búdi</bdi></strong> <span class="address">'
                      "&lt;<bdi>budi@example.org</bdi>&gt;")


def test_a_reply_to_a_sender_whose_encoded_name_holds_a_comma_goes_to_them(signed_in,
                                                                         mailbox):
    original = _comma_sender(mailbox)
    page = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    assert html.unescape(form_fields(page)["to"]) == '"Santoso, Búdi" <budi@example.org>'
    assert send_as_shown(signed_in, page).status_code == 302
    reply = parsed(mailbox.state.get_thread(original.thread_id).messages[-1])
    assert [(a.display_name, a.addr_spec) for a in reply["To"].addresses] == [
        ("Santoso, Búdi", "budi@example.org")]


def test_a_reply_to_my_own_message_under_a_name_with_a_comma_goes_to_its_recipients(
        client, web_emulator):
    mailbox = new_mailbox(web_emulator, messages=0, name="Lestari, Déwi")
    sign_in(client, web_emulator, mailbox.email)
    raw = (b"From: =?utf-8?q?Lestari=2C_D=C3=A9wi?= <" + mailbox.email.encode() + b">\r\n"
           b"To: Budi <budi@example.org>\r\nSubject: Kontrak\r\n"
           b"Date: Sat, 01 Mar 2025 10:00:00 +0700\r\n\r\nTerlampir.\r\n")
    mine = mailbox.state.add_message(raw, label_ids=["SENT"])
    page = client.get(f"/u/0/compose?mode=reply&message={mine.id}").get_data(as_text=True)
    assert html.unescape(form_fields(page)["to"]) == "Budi <budi@example.org>"


def test_an_address_hidden_in_an_encoded_sender_name_is_not_taken_for_the_sender(
        signed_in, mailbox):
    # "Bank <support@bank.example>" encoded as the display name of a mail from elsewhere
    raw = (b"From: =?utf-8?q?Bank_=3Csupport=40bank=2Eexample=3E?= <attacker@evil.example>"
           b"\r\nTo: " + mailbox.email.encode() + b"\r\nSubject: Verifikasi\r\n"
           b"Date: Sat, 01 Mar 2025 10:00:00 +0700\r\n\r\nKlik di sini.\r\n")
    original = mailbox.state.add_message(raw, label_ids=["INBOX"])
    page = signed_in.get(f"/u/0/t/{original.thread_id}").get_data(as_text=True)
    address = page.split('<span class="address">', 1)[1].split("</span>", 1)[0]
    assert address == "&lt;<bdi>attacker@evil.example</bdi>&gt;"
    reply = signed_in.get(f"/u/0/compose?mode=reply&message={original.id}").get_data(
        as_text=True)
    assert html.unescape(form_fields(reply)["to"]).endswith("<attacker@evil.example>")
