"""Headers built to break a parser cost nothing: address comments nested thousands deep,
dates past any calendar.

Python's address parser (``email.utils``) reads a nested comment by calling itself, so a
From, To or Cc of 3,000 ``(`` raised RecursionError: the message's sender could make the
conversation, and the inbox page that lists it, fail for the reader.
"""

from __future__ import annotations

import email
import email.policy

import pytest

from guard.mail_headers import address_list, display_name, header_date, message_headers
from guard.retry import retry_after_seconds
from tests.webclient.conftest import post

DEEP = "(" * 3000
HOSTILE_VALUES = [DEEP, f"ann@example.org {DEEP}", f'"Ann" <{DEEP}>', f"{DEEP} <ann@example.org>",
                  f"Ann <ann@example.org>, {DEEP}", "(a" * 3000 + "<ann@example.org>"]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=range(len(HOSTILE_VALUES)))
@pytest.mark.parametrize("header", ["from", "to", "cc", "bcc", "reply-to"])
def test_a_deeply_nested_comment_in_an_address_header_parses(header: str, value: str) -> None:
    headers = message_headers({"headers": [{"name": header, "value": value},
                                           {"name": "subject", "value": "Hi"}]})
    assert headers.subject == "Hi"
    display_name(value)
    assert all("\n" not in entry for entry in address_list(value))


def test_the_addresses_around_a_hostile_comment_are_still_read() -> None:
    assert address_list(f"Ann <ann@example.org>, {DEEP}")[0] == "Ann <ann@example.org>"
    assert display_name(f"{DEEP} <ann@example.org>")


def raw_message(sender: str, to: str) -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nCc: {DEEP}\r\nSubject: Nested\r\n"
            "Date: Sat, 01 Mar 2025 10:00:00 +0000\r\nMessage-ID: <deep@example.org>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nHello.\r\n").encode()


def test_the_inbox_and_the_conversation_show_a_message_with_hostile_addresses(
        signed_in, mailbox) -> None:
    stored = mailbox.state.add_message(raw_message(DEEP, f"{mailbox.email}, {DEEP}"),
                                       label_ids=["INBOX", "UNREAD"])
    inbox = signed_in.get("/u/0/f/inbox")
    assert inbox.status_code == 200
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200
    assert "Hello." in page.get_data(as_text=True)
    for mode in ("reply", "reply_all", "forward"):
        answer = signed_in.get(f"/u/0/compose?mode={mode}&message={stored.id}")
        assert answer.status_code == 200, mode


def test_a_typed_recipient_with_a_deeply_nested_comment_goes_to_its_address(
        signed_in, mailbox) -> None:
    answer = post(signed_in, "/u/0/compose", {"action": "send", "to": f"bob@example.org {DEEP}",
                                              "subject": "Plan", "body": "Kept words."})
    assert answer.status_code == 302
    sent = mailbox.state.list_messages(label_ids=["SENT"])[0]
    assert email.message_from_bytes(sent.raw, policy=email.policy.default)["To"] == (
        "bob@example.org")


@pytest.mark.parametrize("value", ["1 Jan 99999999999 00:00:00 +0000",
                                   "Mon, 99 Foo 99999 99:99:99 +9999"])
def test_a_date_no_calendar_holds_reads_as_no_date(value: str) -> None:
    # A year past datetime's range raised OverflowError: the conversation answered 500.
    assert header_date(value) is None
    assert retry_after_seconds(value.replace("+0000", "GMT"), now=0.0) is None


def test_the_conversation_of_a_message_dated_past_any_calendar_opens(signed_in, mailbox):
    raw = (b"From: Ann <ann@example.org>\r\nTo: " + mailbox.email.encode() +
           b"\r\nSubject: Far future\r\nDate: 1 Jan 99999999999 00:00:00 +0000\r\n"
           b"Message-ID: <future@example.org>\r\n\r\nHello from later.\r\n")
    stored = mailbox.state.add_message(raw, label_ids=["INBOX"])
    assert signed_in.get("/u/0/f/inbox").status_code == 200
    page = signed_in.get(f"/u/0/t/{stored.thread_id}")
    assert page.status_code == 200
    assert "Hello from later." in page.get_data(as_text=True)
