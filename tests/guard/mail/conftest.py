"""Fixtures for mailbox access: a Guard on a temporary database, aimed at the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from google.oauth2.credentials import Credentials

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.policy import Actor, ActorKind
from guard.retry import Retrier, RetryPolicy
from guard.service import Guard
from guard.settings import GuardSettings, OAuthClient
from guard.vault import generate_key
from tests.conftest import database_url_for

GMAIL_FULL_SCOPE = "https://mail.google.com/"
CLIENT_ID = "mailguard-test"
CLIENT_SECRET = "mailguard-test-secret"  # noqa: S105 - a test client's secret


@dataclass
class Sleeps:
    """An injected sleep that records the waits instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def settings_for(emulator: EmulatorServer, tmp_path: Path, **overrides: Any) -> GuardSettings:
    """Return guard settings on the test database for ``tmp_path``, aimed at ``emulator``."""
    values: dict[str, Any] = {
        "database_url": database_url_for(tmp_path / "guard.db"),
        "oauth_client": OAuthClient.for_root(emulator.url, client_id=CLIENT_ID,
                                             client_secret=CLIENT_SECRET),
        "token_keys": (generate_key(),),
        "audit_hmac_key": b"audit-hmac-key-for-tests-0123456789",
        "gmail_root_url": emulator.url,
    }
    values.update(overrides)
    return GuardSettings(**values)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def guard(emulator: EmulatorServer, tmp_path: Path, sleeps: Sleeps) -> Iterator[Guard]:
    """Return an open Guard whose retries record their waits instead of sleeping."""
    retrier = Retrier(RetryPolicy(max_attempts=6), sleep=sleeps, random=lambda: 1.0)
    with Guard.open(settings_for(emulator, tmp_path), retrier=retrier) as opened:
        yield opened


def credentials_of(account: FakeGmailAccount, emulator: EmulatorServer) -> Credentials:
    """Return the credentials an OAuth flow would have produced for ``account``."""
    return Credentials(token=account.token, refresh_token=account.refresh_token,
                       token_uri=emulator.url.rstrip("/") + "/token", client_id=CLIENT_ID,
                       client_secret=CLIENT_SECRET, scopes=[GMAIL_FULL_SCOPE])


@pytest.fixture
def owner(guard: Guard, account: FakeGmailAccount, emulator: EmulatorServer) -> Actor:
    """Connect ``account`` for the Qontak user ``qontak:<address>``; return its actor."""
    guard.accounts.connect("qontak:" + account.email, email=account.email,
                           credentials=credentials_of(account, emulator),
                           granted_scopes=[GMAIL_FULL_SCOPE])
    actor = guard.accounts.actor_for("qontak:" + account.email, account.email)
    assert actor == Actor(kind=ActorKind.USER, id=account.email)
    return actor


def stats(emulator: EmulatorServer) -> dict[str, Any]:
    """Return the emulator's call counters."""
    answer = requests.get(emulator.url.rstrip("/") + "/_emulator/stats", timeout=5)
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()
    return data


def calls(emulator: EmulatorServer, method: str | None = None) -> int:
    """Return how many Gmail calls (of ``method``, e.g. ``gmail.users.threads.list``) ran."""
    data = stats(emulator)
    if method is None:
        return int(data["total_calls"])
    return int(data["methods"].get(method, {}).get("calls", 0))


def control(emulator: EmulatorServer, method: str, path: str, body: Any = None) -> Any:
    """Call the emulator's control API."""
    answer = requests.request(method, emulator.url.rstrip("/") + "/_emulator/" + path,
                              json=body, timeout=5)
    answer.raise_for_status()
    return answer.json()


def add_message(account: FakeGmailAccount, *, subject: str, body: str = "Hello there.",
                sender: str = "Ann Sender <ann@example.org>", labels: tuple[str, ...] = (
                    "INBOX", "UNREAD"), extra_headers: str = "") -> Any:
    """Deliver a plain-text message into ``account``'s mailbox; return the stored message."""
    raw = (f"From: {sender}\r\nTo: {account.email}\r\nSubject: {subject}\r\n"
           f"Date: Sat, 01 Mar 2025 10:00:00 +0000\r\n"
           f"Message-ID: <{abs(hash(subject))}.{len(body)}@example.org>\r\n{extra_headers}"
           f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    return account.mailbox.add_message(raw, label_ids=list(labels))
