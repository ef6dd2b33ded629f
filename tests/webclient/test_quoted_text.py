"""A reply quotes, and a forward carries, the text the reader saw, and nothing hidden in it.

Control characters, bidi controls left open and invisible formatting in the original are
not carried into the reply's textarea; text the HTML hides in the message frame
(``display: none``, the ``hidden`` attribute, zero size, no colour) is not quoted.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.webclient.conftest import deliver
from webclient.invisible_text import readable_text

#: What must never reach the textarea: C0 but tab and LF, DEL, C1, zero-width and
#: invisible formatting, tag characters.
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2060-\u2064\ufeff"
                     "\U000e0000-\U000e007f]")


def _textarea(page: str) -> str:
    found = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def _reply(client, stored, mode: str = "reply") -> str:
    page = client.get(f"/u/0/compose?mode={mode}&message={stored.id}")
    assert page.status_code == 200
    return _textarea(page.get_data(as_text=True))


@pytest.mark.parametrize(("written", "quoted"), [
    ("Tagihan\x1b[31m lunas\x07\x00", "Tagihan[31m lunas"),          # C0
    ("Harga\u009b2J naik\x7f", "Harga2J naik"),                       # C1, DEL
    ("Bayar\u202e ke rekening 9876", "Bayar ke rekening 9876"),       # override left open
    ("Kode\u2067 rahasia", "Kode rahasia"),                           # isolate left open
    ("se\u200bkarang\ufeff", "sekarang"),                             # zero width, BOM
    ("Halo\U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065 Ibu", "Halo Ibu"),
    ("baris satu\rbaris dua\u2028baris tiga", "baris satu\nbaris dua\nbaris tiga"),
])
def test_readable_text_removes_what_is_not_seen(written, quoted):
    assert readable_text(written) == quoted


@pytest.mark.parametrize("kept", [
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 keluarga",  # an emoji ZWJ sequence
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",    # Persian needs its ZWNJ
    "ok \u202bعربي\u202c selesai",                           # an embedding closed on its line
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Skotlandia",
    "Terima kasih\tya\n\nSalam",
])
def test_readable_text_keeps_what_is_seen(kept):
    assert readable_text(kept) == kept


def test_a_reply_does_not_quote_control_characters_or_open_bidi_controls(signed_in, mailbox):
    stored = deliver(mailbox, subject="Tagihan", text=(
        "Halo\x1b[2J\x07 Ibu,\u200b tagihan\u009b lunas.\n"
        "Bayar ke\u202e 1234-5678\n"
        "Terima\U000e0041\U000e0042 kasih\ufeff"),
        sender="Bank\u202e Nusantara <layanan@bank.test>")
    for mode in ("reply", "forward"):
        body = _reply(signed_in, stored, mode)
        assert not _UNSEEN.search(body), (mode, body)
        assert "\u202e" not in body and "\u202c" not in body
        assert "Halo[2J Ibu, tagihan lunas." in body
        assert "Bayar ke 1234-5678" in body and "Terima kasih" in body
    # the sender's name shows its override as "_", as the conversation page shows a raw From
    assert "Bank_ Nusantara" in _reply(signed_in, stored)


HIDDEN_HTML = (
    '<style>.pre { display: none } div.lokal > span { visibility: hidden }</style>'
    '<span class="pre">RAHASIA-1 preheader</span>'
    '<div style="display:none">RAHASIA-2</div>'
    '<div hidden>RAHASIA-3</div>'
    '<p>Halo Ibu Sari,</p>'
    '<p><span style="font-size:0">RAHASIA-4</span>Pesanan Anda sudah dikirim.'
    '<span style="color: transparent">RAHASIA-5</span></p>'
    '<div style="max-height:0; overflow:hidden">RAHASIA-6</div>'
    '<div class="lokal"><span>RAHASIA-7</span> Nomor resi: JNE123</div>'
    '<div style="font-size:0"><span style="font-size:14px">Terima kasih.</span></div>'
    '<div style="visibility:hidden">RAHASIA-8 <b style="visibility:visible">Salam, Toko</b>'
    '</div><p style="opacity:0">RAHASIA-9</p>'
    '<p style="font:0/0 a">RAHASIA-10</p><p style="color:rgba(0,0,0,0)">RAHASIA-11</p>')


def test_text_the_html_hides_is_not_quoted_or_forwarded(signed_in, mailbox):
    stored = deliver(mailbox, subject="Pesanan", text="", html_body=HIDDEN_HTML)
    for mode in ("reply", "forward"):
        body = _reply(signed_in, stored, mode)
        assert "RAHASIA" not in body, (mode, body)
        for seen in ("Halo Ibu Sari,", "Pesanan Anda sudah dikirim.", "Nomor resi: JNE123",
                     "Terima kasih.", "Salam, Toko"):
            assert seen in body, (mode, seen, body)


def test_the_frame_hides_what_the_hidden_attribute_hides(signed_in, mailbox):
    stored = deliver(mailbox, subject="Hidden", text="", html_body=HIDDEN_HTML)
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert re.search(r"<div hidden(=\"\")?>RAHASIA-3</div>", frame)


def test_a_reply_to_deeply_nested_html_with_a_costly_stylesheet_is_quick(signed_in, mailbox):
    """Mail nests thousands deep and can carry rules that test every pair of elements."""
    rules = "".join(f"div ~ div ~ p.k{i} {{ display: none }} div div div span {{ color: red }}"
                    for i in range(300))
    markup = (f"<style>{rules}</style>" + "<div>" * 4000 + "<p>Dalam sekali.</p>"
              + "</div>" * 4000 + "".join(f"<p>Baris {i}</p>" for i in range(2000)))
    stored = deliver(mailbox, subject="Dalam", text="", html_body=markup)
    body = _reply(signed_in, stored)
    assert "> Dalam sekali." in body and "> Baris 1999" in body


#: Plain and HTML versions that differ: the reader sees only the HTML one.
PLAIN_VERSION = "Transfer ke rekening 111-PALSU.\nSalam, Bank"
HTML_VERSION = "<p>Pembayaran Anda sudah kami terima.</p><p>Salam, Bank</p>"


def test_a_reply_quotes_the_html_version_the_reader_saw_not_the_plain_one(signed_in,
                                                                          mailbox):
    stored = deliver(mailbox, subject="Pembayaran", text=PLAIN_VERSION,
                     html_body=HTML_VERSION)
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "Pembayaran Anda sudah kami terima." in frame and "111-PALSU" not in frame
    for mode in ("reply", "reply_all", "forward"):
        body = _reply(signed_in, stored, mode)
        assert "111-PALSU" not in body, (mode, body)
        assert "Pembayaran Anda sudah kami terima." in body, (mode, body)
    assert "> Pembayaran Anda sudah kami terima.\n> Salam, Bank" in _reply(signed_in, stored)


def test_a_reply_quotes_the_plain_version_when_the_html_shows_nothing(signed_in, mailbox):
    """An HTML version the sanitiser empties (a form, a script) leaves the frame to the
    plain version; the quote follows it."""
    stored = deliver(mailbox, subject="Formulir", text=PLAIN_VERSION,
                     html_body="<form><input name=a></form><script>x()</script>")
    frame = signed_in.get(f"/u/0/m/{stored.id}/frame").get_data(as_text=True)
    assert "111-PALSU" in frame
    for mode in ("reply", "forward"):
        assert "Transfer ke rekening 111-PALSU." in _reply(signed_in, stored, mode), mode
