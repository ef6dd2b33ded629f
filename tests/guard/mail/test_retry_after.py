"""Retry-After honoured as Gmail (and RFC 9110) may send it: seconds, an HTTP date, too long."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import httplib2
import pytest
from googleapiclient.errors import HttpError

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.errors import GmailRateLimited
from guard.policy import Actor
from guard.retry import Retrier, RetryPolicy, failure_of
from guard.service import Guard
from tests.guard.mail.conftest import Sleeps, add_message, calls, control

NOW = 1_740_830_400.0  # 2025-03-01 12:00:00 UTC
RATE_LIMITED = b'{"error": {"code": 429, "errors": [{"reason": "rateLimitExceeded"}]}}'


@pytest.fixture
def clean_faults(emulator: EmulatorServer) -> Iterator[None]:
    yield
    control(emulator, "DELETE", "faults")


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(NOW + seconds_from_now, usegmt=True)


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0),
    (" 2.5 ", 2.5),
    (http_date(30), 30.0),
    (http_date(-30), 0.0),
    ("nan", None),
    ("inf", None),
    ("soon", None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str,
                                                        seconds: float | None) -> None:
    failure = failure_of(429, {"retry-after": header}, RATE_LIMITED, now=lambda: NOW)
    assert failure.retry_after == seconds


def test_a_client_library_429_with_an_http_date_waits_until_that_date() -> None:
    sleeps = Sleeps()
    retrier = Retrier(RetryPolicy(max_attempts=3), sleep=sleeps, random=lambda: 0.0)
    answers = iter([429, 200])
    date = email.utils.formatdate(time.time() + 30, usegmt=True)

    def call() -> str:
        if next(answers) == 429:
            response = httplib2.Response({"status": 429, "retry-after": date})
            raise HttpError(response, RATE_LIMITED)
        return "done"

    assert retrier.call(call, what="messages.get") == "done"
    [wait] = sleeps.waits
    assert 25 <= wait <= 30


def test_a_retry_after_longer_than_the_guard_waits_is_not_cut_short(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps, clean_faults: None) -> None:
    stored = add_message(account, subject="Come back in ten minutes")
    control(emulator, "POST", "faults", {"method": "messages.get", "status": 429,
                                          "retry_after": 600, "count": 1})
    before = calls(emulator, "gmail.users.messages.get")

    with pytest.raises(GmailRateLimited, match="600 seconds"):
        guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                               message_id=stored.id)

    # Gmail asked for 600 s; the guard waits at most 120 s, so it gives up, not retry early.
    assert sleeps.waits == []
    assert calls(emulator, "gmail.users.messages.get") == before + 1


def test_a_retry_after_within_the_guards_patience_is_waited_out(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps, clean_faults: None) -> None:
    stored = add_message(account, subject="Back in a minute and a half")
    control(emulator, "POST", "faults", {"method": "messages.get", "status": 429,
                                          "retry_after": 90, "count": 1})
    message = guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                                     message_id=stored.id)
    assert message.headers.subject == "Back in a minute and a half"
    assert sleeps.waits == [90]
