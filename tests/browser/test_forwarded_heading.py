"""An attached message's own <style> cannot hide, shrink, cover or recolour its heading.

The heading that names an attached message's sender, date and subject is MailGuard's
element in the message frame (``mg-forwarded-header``); here real Chromium renders the
frame of mail whose attached message carries a hostile stylesheet and reports what the
reader sees of the heading.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Reader

HIDING_RULES = [
    "div { display: none !important }",
    "div, blockquote { visibility: hidden !important; opacity: 0 !important }",
    "* { font-size: 0 !important; color: transparent !important }",
    "div::first-line, div::first-letter { font-size: 0 !important; color: #fff !important }",
    "blockquote { display: none !important } body > div { height: 0 !important;"
    " max-height: 0 !important; overflow: hidden !important }",
    "div { text-transform: uppercase !important; letter-spacing: -9px !important;"
    " text-indent: -9999px !important; white-space: nowrap !important }",
    "@media all { [class] { display: none !important } }",
    "p.cover { position: relative; margin-top: -400px; height: 600px; background: #fff }",
]


def _deliver(reader: Reader, css: str) -> str:
    raw = (f"From: Sari <sari@kantor.test>\r\nTo: {reader.email}\r\nSubject: Terusan\r\n"
           "Date: Tue, 4 Mar 2025 10:00:00 +0700\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=f\r\n\r\n"
           "--f\r\nContent-Type: text/plain\r\n\r\nLihat pesan terlampir.\r\n"
           "--f\r\nContent-Type: message/rfc822\r\n\r\n"
           "From: Penipu <ceo@penipu.test>\r\nSubject: Transfer segera\r\n"
           "Content-Type: text/html\r\n\r\n"
           f"<style>{css}</style><p class=\"cover\">Isi pesan lama.</p>\r\n--f--\r\n")
    return str(reader.mailbox.add_message(raw.encode(), label_ids=["INBOX"]).id)


def _heading(page: Page) -> dict[str, object]:
    return dict(page.evaluate("""() => {
        const h = document.querySelector('.mg-forwarded-header');
        const s = getComputedStyle(h), line = getComputedStyle(h.firstElementChild);
        const first = getComputedStyle(h.firstElementChild, '::first-line');
        const box = h.getBoundingClientRect();
        const top = document.elementFromPoint(box.left + 20, box.top + box.height / 2);
        return {display: s.display, visibility: s.visibility, opacity: s.opacity,
                fontSize: line.fontSize, color: line.color, firstColor: first.color,
                firstSize: first.fontSize, transform: line.textTransform,
                indent: line.textIndent, height: box.height, width: box.width,
                text: h.innerText, onTop: h.contains(top)};
    }"""))


@pytest.mark.parametrize("css", ["p { color: #333 }", *HIDING_RULES])
def test_the_attached_messages_style_cannot_hide_the_heading(reader: Reader, css: str):
    message_id = _deliver(reader, css)
    reader.page.goto(reader.site.url + f"u/0/m/{message_id}/frame")
    seen = _heading(reader.page)
    assert seen["display"] == "block" and seen["visibility"] == "visible", seen
    assert seen["opacity"] == "1" and seen["onTop"], seen
    assert seen["fontSize"] == seen["firstSize"] == "13px", seen
    assert seen["color"] == seen["firstColor"] == "rgb(87, 96, 106)", seen
    assert seen["transform"] == "none" and seen["indent"] == "0px", seen
    assert float(str(seen["height"])) > 60 and float(str(seen["width"])) > 200, seen
    assert "From: Penipu <ceo@penipu.test>" in str(seen["text"]), seen
    assert "Subject: Transfer segera" in str(seen["text"]), seen
