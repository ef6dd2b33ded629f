"""The guard's errors carry no mail data in their chain, where a traceback prints it.

Reproduces: a Gmail call that could not connect raised ``GmailUnavailable`` chained to the
``requests`` error, whose text holds the request's URL, so any traceback (a crash report,
``logger.exception``) printed a search's words and addresses; and an address whose
internationalised domain is invalid raised ``InvalidMessage`` chained to the IDNA error,
which quotes the domain. The guard's own message never held them; its cause did.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.errors import GmailUnavailable, InvalidMessage
from guard.mail_values import OutgoingMessage
from guard.outgoing import build_message
from guard.retry import Retrier, RetryPolicy
from guard.service import Guard
from tests.guard.mail.conftest import GMAIL_FULL_SCOPE, credentials_of, settings_for

#: What the user searched for and wrote to; named here so no traceback line quotes them.
SEARCH = "from:whistle.blower@example.org severance"
UNDELIVERABLE = "ann@payroll\U0001f600.example"


def _printed(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


@pytest.fixture
def unreachable_gmail(emulator: EmulatorServer, tmp_path: Path) -> Iterator[Guard]:
    """A guard whose Gmail root refuses connections (port 9, discard, nobody listening)."""
    settings = settings_for(emulator, tmp_path, gmail_root_url="http://127.0.0.1:9/")
    retrier = Retrier(RetryPolicy(max_attempts=2), sleep=lambda _s: None)
    with Guard.open(settings, retrier=retrier) as guard:
        yield guard


def test_a_search_that_cannot_reach_gmail_prints_no_search_words(
        unreachable_gmail: Guard, emulator: EmulatorServer, account: FakeGmailAccount) -> None:
    guard = unreachable_gmail
    guard.accounts.connect("qontak:owner", email=account.email,
                           credentials=credentials_of(account, emulator),
                           granted_scopes=[GMAIL_FULL_SCOPE])
    actor = guard.accounts.actor_for("qontak:owner", account.email)
    with pytest.raises(GmailUnavailable) as caught:
        guard.mail.list_threads(actor=actor, mailbox=account.email, purpose="email.search",
                                query=SEARCH)
    printed = _printed(caught.value)
    assert "could not be reached" in printed
    for secret in ("whistle", "blower", "severance", "example.org"):
        assert secret not in printed


def test_an_undeliverable_domain_prints_no_part_of_the_address() -> None:
    with pytest.raises(InvalidMessage) as caught:
        build_message(OutgoingMessage(from_="me@example.com", to=(UNDELIVERABLE,),
                                      text_body="hi"))
    printed = _printed(caught.value)
    assert "internationalised domain" in printed
    assert "payroll" not in printed
