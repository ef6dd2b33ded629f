"""Delivered and seeded received mail carries Gmail's Authentication-Results header.

Gmail records SPF, DKIM and DMARC on top of every message it receives, naming itself
(mx.google.com), for the From address as sent.
"""

from __future__ import annotations

from typing import Any

import requests

from fakegmail.pytest_plugin import new_account
from tests.fakegmail.api.conftest import b64


def _received_headers(service: Any, query: str) -> list[dict[str, str]]:
    found = service.users().messages().list(userId="me", q=query).execute()
    message = service.users().messages().get(userId="me", id=found["messages"][0]["id"],
                                              format="metadata").execute()
    return message["payload"]["headers"]  # type: ignore[no-any-return]


def _results(headers: list[dict[str, str]]) -> list[str]:
    return [h["value"] for h in headers if h["name"] == "Authentication-Results"]


def test_mail_between_accounts_is_authenticated_for_the_senders_own_address(
        fake_gmail, account, service_for):
    reader = new_account(fake_gmail.state, fake_gmail.url)
    raw = (f"From: Ana <{account.email}>\r\nTo: {reader.email}\r\nSubject: Halo\r\n\r\n"
           "Apa kabar?\r\n").encode()
    service_for(account).users().messages().send(userId="me", body={"raw": b64(raw)}).execute()
    headers = _received_headers(service_for(reader), "subject:Halo")
    assert headers[0]["name"] == "Authentication-Results"  # on top, as Gmail adds it
    (value,) = _results(headers)
    assert value.startswith("mx.google.com; ")
    assert "dkim=pass header.i=@fakegmail.test" in value
    assert "spf=pass" in value and f"smtp.mailfrom={account.email}" in value
    assert "dmarc=pass" in value and "header.from=fakegmail.test" in value
    # The sender's own copy was not received: Gmail writes no such header on it.
    sent = _received_headers(service_for(account), "in:sent subject:Halo")
    assert _results(sent) == []


def test_a_from_the_sender_does_not_own_is_replaced_before_it_is_authenticated(
        fake_gmail, account, service_for):
    # Gmail does not deliver a forged From: it sends as the account's primary address
    # (keeping the name), and the header describes the From the recipient sees.
    reader = new_account(fake_gmail.state, fake_gmail.url)
    raw = (f"From: Bank <security@bank.example>\r\nTo: {reader.email}\r\n"
           "Subject: Verifikasi\r\n\r\nKlik tautan\r\n").encode()
    service_for(account).users().messages().send(userId="me", body={"raw": b64(raw)}).execute()
    headers = _received_headers(service_for(reader), "subject:Verifikasi")
    (value,) = _results(headers)
    assert [h["value"] for h in headers if h["name"] == "From"] == [f"Bank <{account.email}>"]
    assert "dmarc=pass" in value and "header.from=fakegmail.test" in value
    assert "bank.example" not in value
    assert f"smtp.mailfrom={account.email}" in value and "dkim=pass header.i=@fakegmail.test" \
        in value


def test_seeded_received_mail_is_authenticated_and_seeded_sent_mail_is_not(
        fake_gmail, service_for):
    reader = new_account(fake_gmail.state, fake_gmail.url)
    requests.post(fake_gmail.url + "_emulator/seed", json={"email": reader.email,
                  "messages": 12, "seed": 5}, timeout=10).raise_for_status()
    service = service_for(reader)
    inbox = _received_headers(service, "in:inbox -in:sent")
    (value,) = _results(inbox)
    sender = next(h["value"] for h in inbox if h["name"] == "From")
    domain = sender.rpartition("@")[2].rstrip(">").lower()
    assert "dmarc=pass" in value and f"header.from={domain}" in value
    assert _results(_received_headers(service, "in:sent")) == []


def test_an_encoded_sender_name_with_a_comma_is_one_name(fake_gmail, account, service_for):
    # "=?utf-8?q?Santoso=2C_Ana?=" decodes to "Santoso, Ana": read as decoded text it would
    # look like two addresses, the first of them "santoso".
    reader = new_account(fake_gmail.state, fake_gmail.url)
    raw = (f"From: =?utf-8?q?Santoso=2C_Ana?= <{account.email}>\r\nTo: {reader.email}\r\n"
           "Subject: Koma\r\n\r\nHalo\r\n").encode()
    service_for(account).users().messages().send(userId="me", body={"raw": b64(raw)}).execute()
    (value,) = _results(_received_headers(service_for(reader), "subject:Koma"))
    assert "dmarc=pass" in value and "header.from=fakegmail.test" in value
    assert f"smtp.mailfrom={account.email}" in value
