"""What the message view gets back: safe markup, the links' real targets, what was removed."""

from __future__ import annotations

import pytest

from webclient.sanitize import (
    FRAME_CSP,
    FRAME_CSP_REMOTE_IMAGES,
    MAX_INPUT_CHARS,
    frame_csp,
    frame_document,
    sanitize_email_html,
    text_to_html,
)

from .inertness import violations


def _clean(html: str, *, remote: bool = False, cid: bool = True) -> str:
    result = sanitize_email_html(
        html, allow_remote_images=remote, cid_url=(lambda c: f"/mail/cid/{c}") if cid else None
    )
    return result.html


def test_links_open_in_a_new_tab_without_opener_and_show_their_real_target() -> None:
    result = sanitize_email_html(
        '<a href="https://shop.test/x" target="_self" rel="opener" title="https://bank.test">'
        "Buy</a>",
        allow_remote_images=False,
    )
    assert result.html == (
        '<a href="https://shop.test/x" target="_blank" rel="noopener noreferrer nofollow" '
        'title="https://shop.test/x">Buy</a>'
    )
    assert [(link.href, link.text, link.mismatched) for link in result.links] == [
        ("https://shop.test/x", "Buy", False)
    ]


@pytest.mark.parametrize(
    ("href", "text", "mismatched"),
    [
        ("https://evil.test/", "https://mybank.test/login", True),
        ("https://evil.test/", "www.mybank.test", True),
        ("https://mybank.test.evil.test/", "mybank.test", True),
        ("https://mail.mybank.test/x", "mybank.test", False),
        ("https://www.mybank.test/x", "https://mybank.test", False),
        ("https://mybank.test@evil.test/", "Sign in", True),
        ("mailto:a@evil.test", "help@mybank.test", True),
        ("mailto:help@mybank.test", "help@mybank.test", False),
        ("https://evil.test/", "Click here", False),
    ],
)
def test_link_text_pretending_to_be_another_site_is_flagged(
    href: str, text: str, mismatched: bool
) -> None:
    result = sanitize_email_html(f'<a href="{href}">{text}</a>', allow_remote_images=False)
    assert [link.mismatched for link in result.links] == [mismatched]
    assert ("mg-suspicious-link" in result.html) is mismatched


@pytest.mark.parametrize(
    ("href", "punycode"),
    [
        ("https://\u0440\u0430\u0443\u0440\u0430l.com/", "xn--l-7sba6dbr.com"),
        ("https://xn--80ak6aa92e.com/", "xn--80ak6aa92e.com"),
        ("https://b\u00fccher.example/", "xn--bcher-kva.example"),
        ("https://plain.example/", None),
    ],
)
def test_internationalised_hosts_are_exposed_in_punycode(href: str, punycode: str | None) -> None:
    result = sanitize_email_html(f'<a href="{href}">x</a>', allow_remote_images=False)
    assert result.links[0].punycode_host == punycode
    if punycode:
        assert f'title="https://{punycode}/"' in result.html


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " \tjava\nscript:alert(1)",
        "&#106;avascript:alert(1)", "javascript&colon;alert(1)", "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>", "/settings?forward=x", "../x", "ftp://x.test/",
    ],
)
def test_only_http_https_and_mailto_links_keep_their_target(href: str) -> None:
    result = sanitize_email_html(f'<a href="{href}">x</a>', allow_remote_images=False)
    assert "href" not in result.html
    assert result.links == ()


def test_protocol_relative_links_become_https() -> None:
    result = sanitize_email_html('<a href="//shop.test/x">x</a>', allow_remote_images=False)
    assert result.links[0].href == "https://shop.test/x"


def test_remote_images_are_replaced_by_placeholders_and_counted() -> None:
    result = sanitize_email_html(
        '<img src="https://t.test/open.gif" width=1 height=1 alt="Logo &amp; co">'
        '<img src="http://t.test/b.png" style="display:none">'
        '<table><tr><td background="https://t.test/bg.png">x</td></tr></table>'
        '<div style="background:url(https://t.test/c)">x</div>',
        allow_remote_images=False,
    )
    assert result.blocked_remote_images == 4
    assert result.html.count('class="mg-blocked-image"') == 2
    assert "Logo &amp; co" in result.html
    assert "t.test" not in result.html
    assert "remote-image" in result.removed


def test_allowed_remote_images_load_over_https_only() -> None:
    html = _clean(
        '<img src="http://t.test/a.png"><img src="https://t.test/b.png">'
        '<img srcset="http://t.test/c.png 1x, https://t.test/d.png 2x">',
        remote=True,
    )
    assert 'src="https://t.test/a.png"' in html
    assert 'src="https://t.test/b.png"' in html
    assert 'srcset="https://t.test/c.png 1x, https://t.test/d.png 2x"' in html
    assert "http:" not in html


def test_cid_images_go_through_the_callers_route_or_disappear() -> None:
    assert _clean('<img src="cid:logo%40x">') == '<img src="/mail/cid/logo@x">'
    result = sanitize_email_html('<img src="cid:logo">', allow_remote_images=True)
    assert result.html == "<img>"
    assert "cid-image" in result.removed


def test_a_failing_cid_route_drops_the_image_instead_of_raising() -> None:
    def broken(content_id: str) -> str:
        raise KeyError(content_id)

    result = sanitize_email_html('<img src="cid:x">', allow_remote_images=False, cid_url=broken)
    assert result.html == "<img>"


def test_removed_categories_name_what_was_taken_out_without_content() -> None:
    result = sanitize_email_html(
        '<script>secret()</script><p onclick="x">a</p><form><input name=pw></form>'
        '<iframe src="https://x.test"></iframe><meta http-equiv=refresh content=0>'
        '<base href="https://x.test/"><link rel=stylesheet href=x.css><a href="javascript:x">'
        '<div style="width:expression(1)">',
        allow_remote_images=False,
    )
    assert {"script", "event-handler", "form", "embedded-content", "meta", "base", "link",
            "javascript-url", "css-expression"} <= set(result.removed)
    assert all("secret" not in r and "pw" not in r for r in result.removed)


def test_huge_input_is_cut_and_flagged() -> None:
    result = sanitize_email_html("<p>" + "x" * 10_000_000, allow_remote_images=False)
    assert result.truncated
    assert len(result.html) <= MAX_INPUT_CHARS + 100


def test_normal_mail_is_not_flagged_truncated() -> None:
    assert not sanitize_email_html("<p>hi</p>", allow_remote_images=False).truncated


def test_deeply_nested_markup_does_not_break_the_sanitizer() -> None:
    result = sanitize_email_html("<div>" * 50_000 + "<img src=x onerror=alert(1)>",
                                 allow_remote_images=False)
    assert violations(result.html) == []


@pytest.mark.parametrize("value", [None, 42, b"<script>"])
def test_non_strings_render_as_nothing(value: object) -> None:
    result = sanitize_email_html(value, allow_remote_images=False)  # type: ignore[arg-type]
    assert result.html == ""


def test_plain_text_is_escaped_linkified_and_keeps_line_breaks() -> None:
    html = text_to_html('Hi <b>&\nsee https://x.test/a?b=1&c="2". And javascript:alert(1)')
    assert html == (
        '<div class="mg-plaintext">Hi &lt;b&gt;&amp;<br>see '
        '<a href="https://x.test/a?b=1&amp;c=" target="_blank" '
        'rel="noopener noreferrer nofollow" title="https://x.test/a?b=1&amp;c=">'
        'https://x.test/a?b=1&amp;c=</a>&quot;2&quot;. And javascript:alert(1)</div>'
    )
    assert violations(html) == []


def test_frame_policy_forbids_scripts_and_allows_remote_images_only_with_consent() -> None:
    for csp in (FRAME_CSP, FRAME_CSP_REMOTE_IMAGES):
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'none'"
        assert directives["style-src"] == "'unsafe-inline'"
    assert "https:" not in FRAME_CSP
    assert frame_csp(allow_remote_images=True) == FRAME_CSP_REMOTE_IMAGES
    assert frame_csp(allow_remote_images=False) == FRAME_CSP


def test_frame_document_puts_the_policy_before_the_message() -> None:
    document = frame_document("<p>hi</p>", allow_remote_images=False)
    assert document.index("Content-Security-Policy") < document.index("<p>hi</p>")
    assert '<meta name="referrer" content="no-referrer">' in document


# ESC starts an ISO-2022-JP escape: read in that charset, `\x1b$B">\x1b(B` is one kanji,
# the quote and `>` vanish, and the text after them becomes attributes of the tag.
ISO_2022_JP_DIFFERENTIAL = '<img alt="\x1b$B">\x1b(B" src=x onerror=alert(1) x="">Tagihan'


def test_an_iso_2022_jp_escape_cannot_turn_text_into_attributes() -> None:
    fragment = _clean(ISO_2022_JP_DIFFERENTIAL)
    assert "\x1b" not in fragment
    # With ESC gone the markup is pure ASCII: every charset a browser might guess reads
    # the same tags the sanitizer wrote.
    assert fragment.isascii()
    assert violations(fragment.encode("ascii").decode("iso2022_jp")) == []
    assert "Tagihan" in fragment


def test_plain_text_carries_no_control_characters() -> None:
    assert text_to_html("Halo\x1b$B\x1b(B\x07 dunia\x00") == (
        '<div class="mg-plaintext">Halo$B(B dunia\ufffd</div>'
    )
