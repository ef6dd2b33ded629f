"""Riding out rate limits, and what happens when Google refuses the refresh token."""

from __future__ import annotations

import pytest

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.errors import GmailAuthError
from guard.policy import Actor
from guard.retry import GmailRateLimited
from guard.service import Guard
from tests.guard.mail.conftest import Sleeps, add_message, calls, control


@pytest.fixture
def clean_faults(emulator: EmulatorServer):  # type: ignore[no-untyped-def]
    yield
    control(emulator, "DELETE", "faults")


def test_a_429_storm_is_ridden_out_honouring_retry_after(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps, clean_faults: None) -> None:
    stored = add_message(account, subject="Through the storm")
    control(emulator, "POST", "faults", {"method": "messages.get", "status": 429,
                                          "retry_after": 7, "count": 4})
    message = guard.mail.get_message(actor=owner, mailbox=account.email,
                                     purpose="email.read", message_id=stored.id)
    assert message.headers.subject == "Through the storm"
    assert len(sleeps.waits) == 4
    assert all(wait >= 7 for wait in sleeps.waits)
    errors = control(emulator, "GET", "stats")["methods"]["gmail.users.messages.get"]["errors"]
    assert errors.get("429", 0) >= 4


def test_batch_parts_that_hit_rate_limits_are_retried(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps, clean_faults: None) -> None:
    for n in range(4):
        add_message(account, subject=f"Batch {n}")
    control(emulator, "POST", "faults", {"method": "threads.get", "status": 429,
                                          "retry_after": 2, "count": 3})
    page = guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                                   label_ids=["INBOX"], query="Batch")
    assert sorted(t.subject for t in page.threads) == [f"Batch {n}" for n in range(4)]
    assert sleeps.waits and min(sleeps.waits) >= 2


def test_an_endless_storm_ends_in_a_clear_error(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps, clean_faults: None) -> None:
    stored = add_message(account, subject="Never")
    control(emulator, "POST", "faults", {"method": "messages.get", "status": 403,
                                          "reason": "userRateLimitExceeded"})
    with pytest.raises(GmailRateLimited, match="retry later"):
        guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                               message_id=stored.id)
    assert len(sleeps.waits) == 5  # six attempts, five waits


def test_refreshed_tokens_are_written_back_to_the_vault(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    stored_before = guard.vault.get(account.email)
    assert stored_before is not None and stored_before.access_token == account.token
    control(emulator, "POST", "tokens/expire", {"email": account.email})
    guard.mail.profile(actor=owner, mailbox=account.email, purpose="email.read")
    stored_after = guard.vault.get(account.email)
    assert stored_after is not None
    assert stored_after.access_token and stored_after.access_token != account.token
    assert stored_after.refresh_token == account.refresh_token


def test_invalid_grant_asks_the_user_to_reconnect(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    # The user revoked MailGuard's access at Google: the refresh token is dead.
    emulator.state.tokens.revoke(account.refresh_token)
    control(emulator, "POST", "tokens/expire", {"email": account.email})
    with pytest.raises(GmailAuthError, match="reconnect"):
        guard.mail.profile(actor=owner, mailbox=account.email, purpose="email.read")
    assert guard.accounts.needs_reconnect(account.email)
    [connected] = guard.accounts.list_for("qontak:" + account.email)
    assert connected.needs_reconnect
    before = calls(emulator)
    with pytest.raises(GmailAuthError):
        guard.mail.profile(actor=owner, mailbox=account.email, purpose="email.read")
    assert calls(emulator) == before


def test_disconnect_revokes_at_google_and_forgets_the_tokens(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    user = "qontak:" + account.email
    assert guard.accounts.disconnect(user, account.email)
    assert guard.vault.get(account.email) is None
    assert guard.accounts.list_for(user) == ()
    assert emulator.state.tokens.revoke(account.refresh_token) is False
    with pytest.raises(Exception) as raised:
        guard.accounts.actor_for(user, account.email)
    assert getattr(raised.value, "rule_id", "") == "account.not_connected"
