"""Mail CSS cannot hide or restyle the marks MailGuard puts in the message frame.

The frame's blocked-image placeholders and deceptive-link outlines sit in a cascade layer
with important declarations (``webclient/static/frame.css``); here real Chromium renders
the frame document of hostile mail and reports the computed style of each mark.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from webclient.sanitize import frame_document, sanitize_email_html

HIDING_RULES = [
    "[class^=m] { display: none !important }",
    "[class*=blocked] { visibility: hidden !important; opacity: 0 !important }",
    "span { position: absolute !important; left: -9999px !important; width: 0 !important;"
    " height: 0 !important; overflow: hidden !important; font-size: 0 !important }",
    "body span[class] { transform: scale(0) !important; clip-path: inset(50%) !important }",
    "a { outline: none !important } a[class] { outline-style: none !important;"
    " outline-color: transparent !important }",
    "@media all { [class$=image] { display: none !important } }",
]
MAIL = ('<p>Halo, silakan cek tagihan Anda.</p>'
        '<img src="https://tracker.example/pixel.png" alt="logo">'
        '<p><a href="https://evil.example/login" style="outline: none !important;'
        ' color: #0969da">https://bank.example/login</a></p>')


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def _marks(page: Page, css: str) -> dict[str, str]:
    body = sanitize_email_html(f"<style>{css}</style>{MAIL}", allow_remote_images=False)
    page.set_content(frame_document(body.html, allow_remote_images=False))
    return page.evaluate("""() => {
        const image = document.querySelector('.mg-blocked-image');
        const link = document.querySelector('a.mg-suspicious-link');
        const i = getComputedStyle(image), l = getComputedStyle(link);
        const box = image.getBoundingClientRect();
        return {display: i.display, visibility: i.visibility, opacity: i.opacity,
                position: i.position, transform: i.transform, clip: i.clipPath,
                fontSize: i.fontSize, width: String(box.width), height: String(box.height),
                outline: l.outlineStyle, outlineColor: l.outlineColor};
    }""")


def test_the_marks_show_without_mail_css(page: Page) -> None:
    marks = _marks(page, "p { color: #333 }")
    assert marks["display"] == "inline-block" and marks["outline"] == "dashed"


@pytest.mark.parametrize("css", HIDING_RULES)
def test_mail_css_cannot_hide_the_marks(page: Page, css: str) -> None:
    marks = _marks(page, css)
    assert marks["display"] == "inline-block", marks
    assert marks["visibility"] == "visible" and marks["opacity"] == "1", marks
    assert marks["position"] == "static" and marks["transform"] == "none", marks
    assert marks["clip"] == "none" and marks["fontSize"] == "12px", marks
    assert float(marks["width"]) > 10 and float(marks["height"]) > 5, marks
    assert marks["outline"] == "dashed", marks
    assert marks["outlineColor"] == "rgb(207, 34, 46)", marks
