"""An attached message's heading names its sender, date and subject in the reader's language.

The guard gives the headers as values; the conversation frame, the staff frame, a reply's
quote and a forward name them in English or Indonesian as the reader chose.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.webclient.conftest import post


def _with_attached_message(to: str, *, inner_html: bool = False) -> bytes:
    inner_type = "text/html" if inner_html else "text/plain"
    inner_text = "<p>Isi pesan lama.</p>" if inner_html else "Isi pesan lama."
    return (f"From: Sari <sari@kantor.test>\r\nTo: {to}\r\nSubject: Terusan\r\n"
            "Date: Tue, 4 Mar 2025 10:00:00 +0700\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=f\r\n\r\n"
            "--f\r\nContent-Type: text/plain\r\n\r\nLihat pesan terlampir.\r\n"
            "--f\r\nContent-Type: message/rfc822\r\n\r\n"
            "From: Budi <budi@pemasok.test>\r\nTo: sari@kantor.test\r\n"
            "Subject: Harga baru\r\nDate: Mon, 3 Mar 2025 09:30:00 +0700\r\n"
            f"Content-Type: {inner_type}\r\n\r\n{inner_text}\r\n--f--\r\n").encode()


def _shown(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


ENGLISH = ("From: Budi <budi@pemasok.test>", "Date: 2025-03-03 09:30 +0700",
           "Subject: Harga baru", "To: sari@kantor.test")
INDONESIAN = ("Dari: Budi <budi@pemasok.test>", "Tanggal: 2025-03-03 09:30 +0700",
              "Subjek: Harga baru", "Kepada: sari@kantor.test")


@pytest.mark.parametrize(("lang", "labels", "other"), [
    ("id", INDONESIAN, "Subject: Harga baru"), ("en", ENGLISH, "Subjek: Harga baru")])
@pytest.mark.parametrize("inner_html", [False, True])
def test_the_frame_names_the_headers_in_the_readers_language(signed_in, mailbox, lang,
                                                              labels, other, inner_html):
    post(signed_in, "/language", {"lang": lang})
    stored = mailbox.state.add_message(_with_attached_message(mailbox.email,
                                                              inner_html=inner_html),
                                       label_ids=["INBOX"])
    shown = _shown(signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True))
    own, inner = shown.find("Lihat pesan terlampir."), shown.find("Isi pesan lama.")
    assert 0 <= own < shown.find(labels[0]) < inner, shown
    for label in labels:
        assert label in shown
    assert other not in shown


@pytest.mark.parametrize("mode", ["reply", "forward"])
def test_a_reply_and_a_forward_name_the_headers_in_the_readers_language(signed_in, mailbox,
                                                                        mode):
    post(signed_in, "/language", {"lang": "id"})
    stored = mailbox.state.add_message(_with_attached_message(mailbox.email),
                                       label_ids=["INBOX"])
    page = signed_in.get(f"/u/0/compose?mode={mode}&message={stored.id}").get_data(
        as_text=True)
    body = html.unescape(re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page,
                                   re.S).group(1))
    assert "Pesan yang diteruskan" in body and "Dari: Budi <budi@pemasok.test>" in body
    assert "Subjek: Harga baru" in body and "Isi pesan lama." in body
    assert "From: Budi" not in body and "Subject: Harga baru" not in body


def test_the_heading_is_mailguards_own_element_outside_the_mails_markup(signed_in, mailbox):
    """Markup the sender's part leaves open cannot take the heading in."""
    raw = _with_attached_message(mailbox.email, inner_html=True).replace(
        b"Content-Type: text/plain\r\n\r\nLihat pesan terlampir.",
        b"Content-Type: text/html\r\n\r\n<div style=\"display:none\"><p>Lihat")
    stored = mailbox.state.add_message(raw, label_ids=["INBOX"])
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    body = frame.split('<body class="mg-message">', 1)[1]
    heading = body.index('<div class="mg-forwarded-header">')
    # every element the sender's part opened is closed before the heading
    before = body[:heading]
    assert before.count("<div") == before.count("</div>")
    assert '<blockquote class="mg-forwarded">' in body[heading:]
