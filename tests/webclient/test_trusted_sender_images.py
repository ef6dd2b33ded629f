"""'Always show images from this sender' holds only for mail Gmail confirms that sender sent.

A From address is easily forged: a message claiming a trusted sender's address, without
Gmail's own Authentication-Results vouching for its domain, must not load remote images
(tracking pixels) by itself; the reader is asked again, and told why.
"""

from __future__ import annotations

import pytest

from tests.webclient.conftest import deliver, post

SHOP = "Shop <news@shop.test>"
GMAIL_PASS = ("Authentication-Results: mx.google.com; dkim=pass header.i=@shop.test; "
              "spf=pass smtp.mailfrom=news@shop.test; dmarc=pass header.from=shop.test")
PIXEL = '<p>Promo</p><img src="https://tracker.shop.test/{name}.gif" width="1" height="1">'
WITHHELD = "Gmail could not confirm that this message comes from them"
WITHHELD_ID = "Gmail tidak dapat memastikan bahwa pesan ini berasal darinya"
#: How a forger gets past a check that reads the wrong header, or the From alone.
FORGED = {
    "no authentication results": (),
    "dmarc failed": ("Authentication-Results: mx.google.com; dkim=none; "
                     "spf=softfail smtp.mailfrom=x@forger.test; dmarc=fail "
                     "header.from=shop.test",),
    "passes for another domain": ("Authentication-Results: mx.google.com; dkim=pass "
                                  "header.i=@forger.test; spf=pass smtp.mailfrom=x@forger.test;"
                                  " dmarc=pass header.from=forger.test",),
    "the sender's own header below Gmail's": (
        "Authentication-Results: mx.google.com; spf=fail smtp.mailfrom=x@forger.test",
        GMAIL_PASS),
    "another server's word": (GMAIL_PASS.replace("mx.google.com", "mx.forger.test"),),
}


def _trust_shop(client, mailbox) -> None:
    first = deliver(mailbox, subject="Promo 1", sender=SHOP,
                    html_body=PIXEL.format(name="first"), received=(GMAIL_PASS,))
    assert post(client, f"/u/0/m/{first.id}/trust-sender").status_code == 302


@pytest.mark.parametrize("received", FORGED.values(), ids=FORGED.keys())
def test_a_forged_trusted_sender_gets_no_images_and_the_reader_is_told_why(
        signed_in, mailbox, received):
    _trust_shop(signed_in, mailbox)
    forged = deliver(mailbox, subject="Promo 2", sender=SHOP,
                     html_body=PIXEL.format(name="forged"), received=received)
    page = signed_in.get(f"/u/0/t/{forged.thread_id}").get_data(as_text=True)
    assert "1 remote image was blocked" in page
    assert WITHHELD in page
    assert "Always show images from this sender" not in page  # already chosen
    frame = signed_in.get(f"/u/0/m/{forged.id}/frame")
    assert "tracker.shop.test" not in frame.get_data(as_text=True)
    assert "https:" not in frame.headers["Content-Security-Policy"]
    asked = signed_in.get(f"/u/0/m/{forged.id}/frame?images=1").get_data(as_text=True)
    assert "https://tracker.shop.test/forged.gif" in asked  # asking again still works


def test_a_confirmed_trusted_sender_still_gets_its_images(signed_in, mailbox):
    _trust_shop(signed_in, mailbox)
    real = deliver(mailbox, subject="Promo 3", sender=SHOP,
                   html_body=PIXEL.format(name="real"), received=(GMAIL_PASS,))
    page = signed_in.get(f"/u/0/t/{real.thread_id}").get_data(as_text=True)
    assert "remote image was blocked" not in page and WITHHELD not in page
    frame = signed_in.get(f"/u/0/m/{real.id}/frame").get_data(as_text=True)
    assert "https://tracker.shop.test/real.gif" in frame


def test_the_reason_is_given_in_indonesian(signed_in, mailbox):
    _trust_shop(signed_in, mailbox)
    forged = deliver(mailbox, subject="Promo 4", sender=SHOP,
                     html_body=PIXEL.format(name="forged"))
    post(signed_in, "/language", {"lang": "id"})
    try:
        page = signed_in.get(f"/u/0/t/{forged.thread_id}").get_data(as_text=True)
        assert WITHHELD_ID in page
        answer = post(signed_in, f"/u/0/m/{forged.id}/trust-sender", follow_redirects=True)
        assert "Pesan ini tidak dapat dipastikan" in answer.get_data(as_text=True)
    finally:
        post(signed_in, "/language", {"lang": "en"})


def test_trusting_from_an_unconfirmed_message_says_it_applies_only_to_confirmed_mail(
        signed_in, mailbox):
    unconfirmed = deliver(mailbox, subject="Promo 5", sender="Toko <news@toko.test>",
                          html_body=PIXEL.format(name="toko"))
    answer = post(signed_in, f"/u/0/m/{unconfirmed.id}/trust-sender", follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "This message could not be confirmed, so its images stay hidden." in text
    assert "Images from this sender will always be shown." not in text
    assert "https://tracker.shop.test/toko.gif" not in signed_in.get(
        f"/u/0/m/{unconfirmed.id}/frame").get_data(as_text=True)
