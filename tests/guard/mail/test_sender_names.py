"""Display names in From, To, Cc and Reply-To: one name per address, kept as text.

Gmail hands header values out with their RFC 2047 words already decoded (as the emulator
does), so a From arrives as ``Santoso, Budi <budi@example.com>``; the encoded forms are
covered too, for values that still hold encoded words.
"""

from __future__ import annotations

from email.utils import getaddresses
from typing import Any

from guard.mail_parsing import message_headers, thread_summary
from guard.mail_values import MessageHeaders

#: "Bank <support@bank.example>" as an RFC 2047 encoded display name.
FAKE_BANK_NAME = "=?utf-8?q?Bank_=3Csupport=40bank=2Eexample=3E?="


def _headers(**values: str) -> MessageHeaders:
    names = {"from_": "From", "to": "To", "cc": "Cc", "reply_to": "Reply-To"}
    return message_headers({"headers": [{"name": names[key], "value": value}
                                        for key, value in values.items()]})


def _participants(*senders: str) -> tuple[str, ...]:
    messages: list[dict[str, Any]] = [
        {"id": f"m{i}", "labelIds": ["INBOX"],
         "payload": {"mimeType": "text/plain",
                     "headers": [{"name": "From", "value": sender}]}}
        for i, sender in enumerate(senders)]
    return thread_summary({"id": "t1", "messages": messages}).participants


def test_an_encoded_sender_name_with_a_comma_stays_one_name():
    from_ = _headers(from_="=?utf-8?q?Santoso=2C_Budi?= <budi@example.com>").from_
    assert from_ == '"Santoso, Budi" <budi@example.com>'
    assert getaddresses([from_]) == [("Santoso, Budi", "budi@example.com")]
    assert _participants("=?utf-8?q?Santoso=2C_Budi?= <budi@example.com>") == (
        "Santoso, Budi",)


def test_a_sender_name_with_a_comma_as_gmail_hands_it_stays_one_name():
    sender = "Santoso, Budi <budi@example.com>"
    assert _headers(from_=sender).from_ == '"Santoso, Budi" <budi@example.com>'
    assert _participants(sender) == ("Santoso, Budi",)


def test_a_base64_encoded_sender_name_with_a_comma_stays_one_name():
    sender = "=?utf-8?b?U2FudG9zbywgQnVkaQ==?= <budi@example.com>"
    assert _headers(from_=sender).from_ == '"Santoso, Budi" <budi@example.com>'
    assert _participants(sender) == ("Santoso, Budi",)


def test_a_quoted_sender_name_with_a_comma_stays_one_name():
    sender = '"Santoso, Budi" <budi@example.com>'
    assert _headers(from_=sender).from_ == '"Santoso, Budi" <budi@example.com>'
    assert _participants(sender) == ("Santoso, Budi",)


def test_a_non_ascii_sender_name_is_text():
    assert _headers(from_="=?utf-8?q?Jos=C3=A9?= <jose@example.com>").from_ == (
        "José <jose@example.com>")
    assert _participants("=?utf-8?q?Jos=C3=A9?= <jose@example.com>",
                         "=?utf-8?q?Ana_Garc=C3=ADa?= <ana@example.com>") == (
        "José", "Ana García")


def test_an_address_in_an_encoded_sender_name_is_never_the_senders_address():
    from_ = _headers(from_=f"{FAKE_BANK_NAME} <attacker@evil.example>").from_
    assert getaddresses([from_]) == [("Bank <support@bank.example>",
                                      "attacker@evil.example")]
    assert from_ == '"Bank <support@bank.example>" <attacker@evil.example>'
    assert _participants(f"{FAKE_BANK_NAME} <attacker@evil.example>") == (
        "Bank <support@bank.example>",)


def test_an_address_in_a_sender_name_gmail_decoded_is_never_the_senders_address():
    # Gmail's value for From: =?utf-8?q?Bank_=3Csupport=40bank=2Eexample=3E?= <attacker@...>
    sender = "Bank <support@bank.example> <attacker@evil.example>"
    from_ = _headers(from_=sender).from_
    assert getaddresses([from_]) == [("Bank <support@bank.example>",
                                      "attacker@evil.example")]
    assert _participants(sender) == ("Bank <support@bank.example>",)


def test_a_quote_in_an_encoded_sender_name_does_not_end_the_name_early():
    # decoded: x" <support@bank.example> "  -- written unescaped, the quotes would pair up
    # around the name's ends and leave the fake address outside them
    sender = "=?utf-8?q?x=22_=3Csupport=40bank=2Eexample=3E_=22?= <attacker@evil.example>"
    for value in (sender, 'x" <support@bank.example> " <attacker@evil.example>'):
        from_ = _headers(from_=value).from_
        assert getaddresses([from_]) == [('x" <support@bank.example> "',
                                          "attacker@evil.example")]


def test_a_sender_without_a_name_is_its_address():
    assert _headers(from_="budi@example.com").from_ == "budi@example.com"
    assert _headers(from_="<budi@example.com>").from_ == "budi@example.com"
    assert _participants("budi@example.com") == ("budi@example.com",)


def test_a_sender_group_without_members_is_given_as_it_came():
    assert _headers(from_="undisclosed-recipients:;").from_ == "undisclosed-recipients:;"
    assert _participants("undisclosed-recipients:;") == ()


def test_recipients_keep_an_encoded_name_with_a_comma_and_the_next_address():
    to = _headers(to="=?utf-8?q?Santoso=2C_Budi?= <budi@example.com>, "
                     "Dewi <dewi@example.com>").to
    assert to == ('"Santoso, Budi" <budi@example.com>', "Dewi <dewi@example.com>")


def test_non_ascii_recipient_names_are_text_in_to_cc_and_reply_to():
    encoded = "=?utf-8?q?Jos=C3=A9?= <jose@example.com>"
    headers = _headers(to=encoded, cc=encoded + ", ana@example.com", reply_to=encoded)
    assert headers.to == ("José <jose@example.com>",)
    assert headers.cc == ("José <jose@example.com>", "ana@example.com")
    assert headers.reply_to == ("José <jose@example.com>",)


def test_an_address_in_an_encoded_recipient_name_is_never_the_recipients_address():
    to = _headers(to=f"{FAKE_BANK_NAME} <attacker@evil.example>").to
    assert to == ('"Bank <support@bank.example>" <attacker@evil.example>',)
    assert getaddresses(list(to)) == [("Bank <support@bank.example>",
                                       "attacker@evil.example")]


def test_recipient_names_with_a_comma_as_gmail_hands_them_stay_one_entry():
    headers = _headers(to="Santoso, Budi <budi@example.com>, Dewi <dewi@example.com>",
                       cc="Lestari, Ayu, S.E. <ayu@example.com>, ana@example.com")
    assert headers.to == ('"Santoso, Budi" <budi@example.com>', "Dewi <dewi@example.com>")
    assert headers.cc == ('"Lestari, Ayu, S.E." <ayu@example.com>', "ana@example.com")
    # what a reply-all writes back parses to the same people, no stray "Santoso" entry
    assert getaddresses(list(headers.to)) == [("Santoso, Budi", "budi@example.com"),
                                             ("Dewi", "dewi@example.com")]


def test_an_address_in_a_recipient_name_gmail_decoded_is_never_the_recipients_address():
    to = _headers(to="Bank <support@bank.example> <attacker@evil.example>, "
                     "dewi@example.com").to
    assert to == ('"Bank <support@bank.example>" <attacker@evil.example>',
                  "dewi@example.com")


def test_commas_in_quotes_and_comments_and_groups_keep_their_meaning():
    headers = _headers(to='"Santoso, Budi" <budi@example.com>, ana@example.com (Ana, HR)',
                       cc="Tim Proyek: ayu@example.com, dewi@example.com;")
    assert headers.to == ('"Santoso, Budi" <budi@example.com>',
                          '"Ana, HR" <ana@example.com>')
    assert headers.cc == ("ayu@example.com", "dewi@example.com")
