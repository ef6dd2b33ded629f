"""The writer of a message sees whom they blind-copied, as in Gmail's Sent mail.

Gmail keeps the Bcc field in the sender's own copy only; the conversation shows it there
beside To and Cc. A recipient's copy has none, so nothing about it can show.
"""

from __future__ import annotations

import re

from tests.webclient.conftest import post


def _recipients_block(page: str) -> str:
    found = re.findall(r'<dl class="recipients">(.*?)</dl>', page, re.S)
    assert found, page[:500]
    return found[-1]


def test_the_senders_conversation_shows_the_bcc_recipients(signed_in, mailbox):
    answer = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "rina@example.org", "bcc": "Budi <budi@example.org>",
        "subject": "Rapat anggaran", "body": "Sampai jumpa besok."})
    assert answer.status_code == 302
    sent = mailbox.state.list_messages(label_ids=["SENT"])[0]
    assert b"\nBcc: " in sent.raw

    block = _recipients_block(signed_in.get(answer.headers["Location"]).get_data(as_text=True))

    assert "<dt>Bcc</dt>" in block
    assert "budi@example.org" in block
    assert "rina@example.org" in block.split("<dt>Bcc</dt>")[0]


def test_a_message_without_bcc_shows_no_bcc_row(signed_in, mailbox):
    answer = post(signed_in, "/u/0/compose", {
        "action": "send", "to": "rina@example.org", "subject": "Tanpa bcc", "body": "Halo."})
    block = _recipients_block(signed_in.get(answer.headers["Location"]).get_data(as_text=True))
    assert "Bcc" not in block
