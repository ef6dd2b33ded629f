"""Malformed and legacy mail through the full stack: emulator → guard → message view.

Each scenario of ``tests.hostile.malformed`` is delivered into a mailbox; the inbox, the
conversation page, the message frame and every attachment link are opened. None may
answer 5xx; the conversation page shows the message or says what could not be shown.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.hostile.malformed import messages

#: Gmail (and the emulator) refuse bytes that are not a message at all; nothing to view
SCENARIOS = {name: raw for name, raw in messages().items() if name != "no-headers-at-all"}
#: what the conversation page says when part of a message cannot be shown
CANNOT_SHOW = ("could not be displayed", "cannot be shown", "could not be shown")


@pytest.mark.parametrize("name", SCENARIOS, ids=list(SCENARIOS))
def test_malformed_mail_renders_or_says_what_could_not_be_shown(signed_in, mailbox, name):
    stored = mailbox.state.add_message(SCENARIOS[name], label_ids=["INBOX", "UNREAD"])
    inbox = signed_in.get("/u/0/f/inbox")
    assert inbox.status_code == 200
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    assert '<article class="message' in text
    assert "<script>alert" not in text
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame")
    assert frame.status_code < 500
    if frame.status_code == 200:
        assert "<script>alert" not in frame.get_data(as_text=True)
    for link in set(re.findall(rf'href="(/u/0/m/{stored.id}/a/[^"]+)"', text)):
        download = signed_in.get(html.unescape(link))
        assert download.status_code < 500, link
        disposition = download.headers.get("Content-Disposition", "")
        assert "\r" not in disposition and "\n" not in disposition
        assert "/" not in disposition.split("filename=")[-1].split(";")[0]


def test_a_bad_base64_encoded_word_in_the_subject_is_shown_not_a_server_error(signed_in,
                                                                            mailbox):
    raw = (b"From: a@example.org\r\nTo: user@qontak-test.test\r\n"
           b"Subject: =?utf-8?b?invalid base64?=\r\n\r\nbody\r\n")
    stored = mailbox.state.add_message(raw, label_ids=["INBOX"])
    assert signed_in.get("/u/0/f/inbox").status_code == 200
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200
    assert "invalid base64" in html.unescape(page.get_data(as_text=True))


@pytest.mark.parametrize("charset", [b"\x00x-klingon", b"\x80latin", b"idna", b"base64"],
                         ids=["nul", "non-ascii", "idna", "not-a-text-codec"])
def test_a_message_whose_charset_name_is_garbage_is_shown_not_a_server_error(
        signed_in, mailbox, charset):
    raw = (b"From: a@example.org\r\nTo: user@qontak-test.test\r\nSubject: charset\r\n"
           b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\nisi pesan\r\n")
    stored = mailbox.state.add_message(raw, label_ids=["INBOX"])
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200
    assert "isi pesan" in page.get_data(as_text=True)


#: a message to and from internationalised (SMTPUTF8) addresses with display names
EAI_SENDER = ("From: José Pérez <josé@example.org>\r\n"
              "To: user@qontak-test.test, Budi Müller <büdi@example.org>\r\n"
              "Subject: EAI\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
              "halo dari alamat internasional\r\n").encode()


def test_mail_to_an_internationalised_address_with_a_name_is_shown(signed_in, mailbox):
    stored = mailbox.state.add_message(EAI_SENDER, label_ids=["INBOX"])
    assert signed_in.get("/u/0/f/inbox").status_code == 200
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200
    assert "büdi@example.org" in html.unescape(page.get_data(as_text=True))
