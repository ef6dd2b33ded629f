"""Sending without a subject asks first, as Gmail does; without the page's script too.

The server answers the compose form again with the question and a "Send anyway" button;
nothing written is lost: the recipients, the text and the files just uploaded are kept
(as a draft, since a browser cannot be given files back), and the answer sends it.
"""

from __future__ import annotations

import email
import email.policy
import html
import io
import re

import pytest

from tests.webclient.conftest import post

QUESTION = {"en": "Send this message without a subject or text in the body?",
            "id": "Kirim pesan ini tanpa subjek atau teks di isi pesan?"}
ANYWAY = {"en": "Send anyway", "id": "Tetap kirim"}


def _sent(mailbox):
    return mailbox.state.list_messages(label_ids=["SENT"])


def _field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("body", ["Terlampir laporannya.", ""])
def test_no_subject_asks_and_keeps_everything_then_sends_when_confirmed(
        signed_in, mailbox, lang, body):
    post(signed_in, "/language", {"lang": lang})
    before = len(_sent(mailbox))
    asked = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "Rina <rina@example.org>", "cc": "budi@example.org",
        "subject": "  ", "body": body,
        "attachments": (io.BytesIO(b"a,b\n1,2\n"), "laporan.csv", "text/csv")},
        content_type="multipart/form-data")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert QUESTION[lang] in page and ANYWAY[lang] in page
    assert 'name="empty_subject" value="confirmed"' in page
    assert len(_sent(mailbox)) == before  # nothing went out
    assert _field(page, "to") == "Rina <rina@example.org>"
    assert _field(page, "cc") == "budi@example.org"
    assert re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S).group(
        1) == html.escape(body)
    assert "laporan.csv" in page  # the uploaded file is kept in the draft
    draft_id = _field(page, "draft_id")
    assert draft_id

    sent = post(signed_in, "/u/0/compose", {
        "empty_subject": "confirmed", "draft_id": draft_id, "to": "Rina <rina@example.org>",
        "cc": "budi@example.org", "subject": "", "body": body})
    assert sent.status_code == 302 and "/u/0/t/" in sent.headers["Location"]
    out = _sent(mailbox)
    assert len(out) == before + 1
    message = email.message_from_bytes(out[0].raw, policy=email.policy.default)
    assert [p.get_filename() for p in message.iter_attachments()] == ["laporan.csv"]
    assert not mailbox.state.list_messages(label_ids=["DRAFT"])


def test_a_subject_sends_without_asking(signed_in, mailbox):
    before = len(_sent(mailbox))
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                              "subject": "Laporan", "body": ""})
    assert answer.status_code == 302
    assert len(_sent(mailbox)) == before + 1


def test_saving_a_draft_without_a_subject_does_not_ask(signed_in, mailbox):
    answer = post(signed_in, "/u/0/compose", {"action": "save", "to": "rina@example.org",
                                              "subject": "", "body": "Catatan"})
    assert answer.status_code == 302 and "draft=" in answer.headers["Location"]


def test_the_compose_page_carries_the_question_for_its_script(signed_in):
    post(signed_in, "/language", {"lang": "id"})
    page = signed_in.get("/u/0/compose").get_data(as_text=True)
    assert f'data-empty-subject="{QUESTION["id"]}"' in page
