"""The share page says exactly what support will see: the message's fields, attachment names."""

from __future__ import annotations

import html

from tests.webclient.conftest import deliver
from tests.webclient.privacy.conftest import page_of


def visible(page: str) -> str:
    """Return the 'what they will see' part of the share page."""
    start = page.index("data-visible")
    return page[start:page.index("</dd>", start)]


def test_the_share_page_names_the_attachments_support_will_see(signed_in, mailbox):
    message = deliver(mailbox, subject="Contract draft", attachments=(
        ("contract-v2.pdf", "application/pdf", b"%PDF-1.4 draft"),
        ("prices.csv", "text/csv", b"a,b\n1,2\n")))
    page = html.unescape(page_of(signed_in, f"/u/0/privacy/share/{message.id}"))
    shown = visible(page)
    assert "sender, recipients, date, subject and text of this message" in shown
    assert "contract-v2.pdf, prices.csv" in shown and "not their contents" in shown


def test_a_message_without_attachments_mentions_none(signed_in, mailbox):
    message = deliver(mailbox, subject="Plain note")
    shown = visible(html.unescape(page_of(signed_in, f"/u/0/privacy/share/{message.id}")))
    assert "text of this message" in shown and "attachment" not in shown


def test_the_visible_part_is_in_indonesian(signed_in, mailbox):
    message = deliver(mailbox, subject="Kontrak", attachments=(
        ("kontrak.pdf", "application/pdf", b"%PDF-1.4"),))
    signed_in.set_cookie("mailguard_lang", "id")
    shown = visible(html.unescape(page_of(signed_in, f"/u/0/privacy/share/{message.id}")))
    assert "Nama lampirannya, kontrak.pdf, tetapi tidak isinya." in shown
