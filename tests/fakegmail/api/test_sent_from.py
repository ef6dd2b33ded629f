"""messages.send and drafts.send send only as the account or a verified send-as alias.

Gmail replaces a From address the account does not own with its primary address, keeps
the display name written, and answers success; the account's own address (any case) and
a verified alias stay as written. Every copy shows the From as sent: the sender's SENT
copy (raw and parsed), the recipient's copy and its Authentication-Results.
"""

from __future__ import annotations

import base64
from email import message_from_bytes
from typing import Any

import pytest

from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import ServiceFactory, b64
from tests.fakegmail.conformance import execute_checked

BASIC = "https://www.googleapis.com/auth/gmail.settings.basic"
SHARING = "https://www.googleapis.com/auth/gmail.settings.sharing"
FULL = "https://mail.google.com/"


@pytest.fixture
def reader(fake_gmail: EmulatorServer) -> FakeGmailAccount:
    return new_account(fake_gmail.state, fake_gmail.url)


@pytest.fixture
def writer(account: FakeGmailAccount, service_for: ServiceFactory) -> Any:
    # aliases are created by a service account with domain-wide authority, as in Gmail
    return service_for(account, scopes=[FULL, BASIC, SHARING], delegated=True).users()


def _raw(from_: str, to: str, subject: str, **headers: str) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (f"From: {from_}\r\nTo: {to}\r\nSubject: {subject}\r\n{extra}\r\n"
            "Isi pesan.\r\n").encode()


def _headers(users: Any, message_id: str) -> dict[str, list[str]]:
    message = execute_checked(users.messages().get(userId="me", id=message_id))
    found: dict[str, list[str]] = {}
    for header in message["payload"]["headers"]:
        found.setdefault(header["name"], []).append(header["value"])
    return found


def _raw_from(users: Any, message_id: str) -> list[str]:
    answer = execute_checked(users.messages().get(userId="me", id=message_id, format="raw"))
    stored = base64.urlsafe_b64decode(answer["raw"] + "==")
    return [str(v) for v in message_from_bytes(stored).get_all("From", [])]


def _received(service: Any, subject: str) -> str:
    found = service.users().messages().list(userId="me", q=f"subject:{subject}").execute()
    (only,) = found["messages"]
    return str(only["id"])


def _send(users: Any, raw: bytes) -> str:
    return str(execute_checked(users.messages().send(userId="me",
                                                     body={"raw": b64(raw)}))["id"])


@pytest.mark.parametrize(("written", "expected"), [
    ("Bank <security@bank.example>", "Bank <{me}>"),
    ('"Santoso, Ana" <ana@elsewhere.example>', '"Santoso, Ana" <{me}>'),
    ("=?utf-8?q?Santoso=2C_Ana?= <ana@elsewhere.example>",
     "=?utf-8?q?Santoso=2C_Ana?= <{me}>"),
    ("security@bank.example", "{me}"),
])
def test_a_from_the_account_does_not_own_is_sent_as_its_primary_address(
        account, reader, writer, service_for, written, expected):
    want = expected.format(me=account.email)
    sent_id = _send(writer, _raw(written, reader.email, "Verifikasi"))

    assert _raw_from(writer, sent_id) == [want]
    sent_headers = _headers(writer, sent_id)
    assert len(sent_headers["From"]) == 1 and account.email in sent_headers["From"][0]
    inbox = service_for(reader).users()
    received_id = _received(service_for(reader), "Verifikasi")
    assert _raw_from(inbox, received_id) == [want]
    received = _headers(inbox, received_id)
    assert received["From"] == sent_headers["From"]
    (results,) = received["Authentication-Results"]
    domain = account.email.rsplit("@", 1)[1]
    assert f"dmarc=pass (p=NONE sp=NONE dis=NONE) header.from={domain}" in results
    assert f"smtp.mailfrom={account.email}" in results
    assert "bank.example" not in results and "elsewhere.example" not in results


def test_the_accounts_own_address_in_any_case_stays_as_written(account, reader, writer,
                                                                service_for):
    written = f"Ana Kasir <{account.email.upper()}>"
    sent_id = _send(writer, _raw(written, reader.email, "Kasir"))
    assert _raw_from(writer, sent_id) == [written]
    received_id = _received(service_for(reader), "Kasir")
    assert _raw_from(service_for(reader).users(), received_id) == [written]


def test_a_verified_alias_stays_and_a_pending_one_is_replaced(account, reader, writer,
                                                              service_for):
    domain = account.email.rsplit("@", 1)[1]
    verified = execute_checked(writer.settings().sendAs().create(userId="me", body={
        "sendAsEmail": f"sales@{domain}", "displayName": "Toko Sales"}))
    pending = execute_checked(writer.settings().sendAs().create(userId="me", body={
        "sendAsEmail": "ana@example.org", "displayName": "Ana"}))
    assert (verified["verificationStatus"], pending["verificationStatus"]) == (
        "accepted", "pending")

    alias_from = f"Toko Sales <SALES@{domain.upper()}>"
    alias_id = _send(writer, _raw(alias_from, reader.email, "Promo"))
    assert _raw_from(writer, alias_id) == [alias_from]
    received = _headers(service_for(reader).users(),
                        _received(service_for(reader), "Promo"))
    assert received["From"] == [alias_from]
    assert "dmarc=pass" in received["Authentication-Results"][0]

    pending_id = _send(writer, _raw("Ana <ana@example.org>", reader.email, "Tertunda"))
    assert _raw_from(writer, pending_id) == [f"Ana <{account.email}>"]

    execute_checked(writer.settings().sendAs().verify(userId="me",
                                                      sendAsEmail="ana@example.org"))
    verified_id = _send(writer, _raw("Ana <ana@example.org>", reader.email, "Terverifikasi"))
    assert _raw_from(writer, verified_id) == ["Ana <ana@example.org>"]


def test_sender_and_reply_to_are_left_as_written(account, reader, writer, service_for):
    raw = _raw("Bank <security@bank.example>", reader.email, "Balas",
               **{"Reply-To": "Bank <help@bank.example>", "Sender": "ops@bank.example"})
    sent_id = _send(writer, raw)
    for users, message_id in ((writer, sent_id),
                              (service_for(reader).users(),
                               _received(service_for(reader), "Balas"))):
        headers = _headers(users, message_id)
        assert headers["From"] == [f"Bank <{account.email}>"]
        assert headers["Reply-To"] == ["Bank <help@bank.example>"]
        assert headers["Sender"] == ["ops@bank.example"]


def test_drafts_send_replaces_it_too_and_the_draft_kept_it_as_written(account, reader,
                                                                      writer, service_for):
    raw = _raw("Bank <security@bank.example>", reader.email, "Konsep")
    draft = execute_checked(writer.drafts().create(userId="me",
                                                   body={"message": {"raw": b64(raw)}}))
    assert _raw_from(writer, draft["message"]["id"]) == ["Bank <security@bank.example>"]
    sent = execute_checked(writer.drafts().send(userId="me", body={"id": draft["id"]}))
    assert _raw_from(writer, sent["id"]) == [f"Bank <{account.email}>"]
    received_id = _received(service_for(reader), "Konsep")
    assert _raw_from(service_for(reader).users(), received_id) == [f"Bank <{account.email}>"]
