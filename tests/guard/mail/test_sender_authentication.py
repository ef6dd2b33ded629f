"""Which Authentication-Results headers vouch for a message's From domain."""

from __future__ import annotations

import pytest

from guard.mail_headers import message_headers
from guard.sender_authentication import sender_authenticated

FROM = "news@shop.test"
CASES = {
    "dmarc pass": ("mx.google.com; dmarc=pass (p=REJECT sp=REJECT dis=NONE) "
                   "header.from=shop.test", True),
    "dkim pass, aligned": ("mx.google.com; dkim=pass header.i=@shop.test header.s=s1", True),
    "dkim pass, a subdomain": ("mx.google.com; dkim=pass header.d=mail.shop.test",
                                 True),
    "spf pass, aligned, with Gmail's comment": (
        "mx.google.com; spf=pass (google.com: domain of news@shop.test designates 192.0.2.1 "
        "as permitted sender) smtp.mailfrom=news@shop.test", True),
    "dmarc pass for another domain": ("mx.google.com; dmarc=pass header.from=forger.test",
                                      False),
    "dkim pass for another domain": ("mx.google.com; dkim=pass header.i=@forger.test", False),
    "dkim pass for a top-level domain": ("mx.google.com; dkim=pass header.d=test", False),
    "dkim for a lookalike domain": ("mx.google.com; dkim=pass header.d=evilshop.test", False),
    "everything failed": ("mx.google.com; dkim=fail header.i=@shop.test; "
                          "spf=softfail smtp.mailfrom=news@shop.test; dmarc=fail "
                          "header.from=shop.test", False),
    "spf pass for the helo only": ("mx.google.com; spf=pass smtp.helo=shop.test", False),
    "another server": ("mx.forger.test; dmarc=pass header.from=shop.test", False),
    "a pass hidden in a comment": ("mx.google.com; dkim=none (dmarc=pass "
                                   "header.from=shop.test)", False),
    "empty": ("", False),
}


@pytest.mark.parametrize(("value", "expected"), CASES.values(), ids=CASES.keys())
def test_only_gmails_pass_for_the_from_domain_authenticates(value, expected):
    assert sender_authenticated(value, FROM) is expected


def test_the_topmost_header_is_gmails_and_the_only_one_read():
    payload = {"headers": [
        {"name": "Authentication-Results", "value": "mx.google.com; dmarc=fail "
                                                    "header.from=shop.test"},
        {"name": "From", "value": "Shop <news@shop.test>"},
        {"name": "Authentication-Results", "value": "mx.google.com; dmarc=pass "
                                                    "header.from=shop.test"}]}
    assert message_headers(payload).sender_authenticated is False
    payload["headers"] = payload["headers"][1:]
    assert message_headers(payload).sender_authenticated is True


def test_a_from_without_an_address_is_not_authenticated():
    payload = {"headers": [
        {"name": "Authentication-Results", "value": "mx.google.com; dmarc=pass "
                                                    "header.from=shop.test"},
        {"name": "From", "value": "Shop"}]}
    assert message_headers(payload).sender_authenticated is False
