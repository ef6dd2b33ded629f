"""Control characters a sender hides in headers never reach a page.

NUL, BEL, ESC, DEL and C1 controls (CSI U+009B) in a subject, a sender's or recipient's
name, the snippet and an attachment's name are removed where the guard decodes them; a
tab or line break between two words becomes a space. Bidi controls are not controls and
keep their own handling.
"""

from __future__ import annotations

import html
import re

#: Every C0 and C1 control but the tab and line breaks a page's own markup holds, and DEL.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _encoded(text: str) -> str:
    return "=?utf-8?q?" + "".join(f"={b:02X}" for b in text.encode()) + "?="


def _hostile_mail(to: str) -> bytes:
    subject = _encoded("Tagihan\x1b[31m Maret\x07\x00 \u009b2J lunas\tsegera")
    sender = _encoded("Bank\x1b Nusantara\x7f") + " <layanan@bank.test>"
    recipient = _encoded("Ibu\x00 Sari\u0085Dewi") + f" <{to}>"
    name = "faktur\x1b\x07.pdf"
    return (f"From: {sender}\r\nTo: {recipient}\r\nSubject: {subject}\r\n"
            "Date: Tue, 4 Mar 2025 10:00:00 +0700\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=c\r\n\r\n"
            "--c\r\nContent-Type: text/plain\r\n\r\nHalo\x1b[2J\x07 Ibu, ini\x00 tagihannya.\r\n"
            "--c\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            f"filename=\"{_encoded(name)}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            "JVBERg==\r\n--c--\r\n").encode()


def _visible(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", page)).split())


def test_no_control_character_reaches_the_conversation_its_title_or_the_inbox(
        signed_in, mailbox):
    stored = mailbox.state.add_message(_hostile_mail(mailbox.email),
                                       label_ids=["INBOX", "UNREAD"])
    conversation = signed_in.get(f"/u/0/t/{stored.thread_id}").get_data(as_text=True)
    inbox = signed_in.get("/u/0/f/inbox").get_data(as_text=True)
    for page in (conversation, inbox):
        assert not _CONTROL.search(html.unescape(page))
    title = re.search(r"<title>(.*?)</title>", conversation, re.DOTALL)
    assert title is not None
    assert "Tagihan[31m Maret 2J lunas segera" in html.unescape(title.group(1))
    shown = _visible(conversation)
    assert "Tagihan[31m Maret 2J lunas segera" in shown
    assert "Bank Nusantara" in shown
    assert "Ibu Sari Dewi" in shown  # NEL between two names is a space
    assert "faktur.pdf" in shown
    assert "Halo[2J Ibu, ini tagihannya." in shown  # the snippet
    assert "Bank Nusantara" in _visible(inbox)
    assert "Tagihan[31m Maret 2J lunas segera" in _visible(inbox)

