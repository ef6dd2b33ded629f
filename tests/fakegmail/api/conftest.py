"""Fixtures for driving the emulated Gmail API through google-api-python-client."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterable
from email.message import EmailMessage
from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer

READONLY = "https://www.googleapis.com/auth/gmail.readonly"
METADATA = "https://www.googleapis.com/auth/gmail.metadata"
MODIFY = "https://www.googleapis.com/auth/gmail.modify"
SEND = "https://www.googleapis.com/auth/gmail.send"

_message_numbers = itertools.count(1)
ServiceFactory = Callable[..., Any]


def make_raw(
    *,
    subject: str = "Quarterly numbers",
    sender: str = "carol@example.org",
    to: str = "someone@example.org",
    body: str = "Hello,\nthe numbers are attached.\n",
    headers: dict[str, str] | None = None,
    attachment: tuple[str, bytes] | None = None,
    message_id: str | None = None,
) -> bytes:
    """Return an RFC 5322 message as bytes."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 03 Jun 2025 10:00:00 +0000"
    message["Message-ID"] = message_id or f"<m{next(_message_numbers)}@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if attachment is not None:
        filename, data = attachment
        message.add_attachment(data, maintype="application", subtype="octet-stream",
                               filename=filename)
    return message.as_bytes()


def b64(raw: bytes) -> str:
    """Return ``raw`` base64url-encoded, as Gmail's ``raw`` field carries it."""
    return base64.urlsafe_b64encode(raw).decode("ascii")


@pytest.fixture
def account(fake_gmail: EmulatorServer) -> FakeGmailAccount:
    """Return a fresh account with a full-scope token."""
    return new_account(fake_gmail.state, fake_gmail.url)


@pytest.fixture
def service_for(fake_gmail: EmulatorServer) -> ServiceFactory:
    """Return a factory: ``service_for(account, scopes=..., delegated=...)`` builds a Gmail
    client (``delegated``: as a service account with domain-wide authority)."""
    def build(acct: FakeGmailAccount, scopes: Iterable[str] = (GMAIL_SCOPE_FULL,), *,
              delegated: bool = False) -> Any:
        token = fake_gmail.state.tokens.mint(acct.email, scopes,
                                             delegated=delegated).access_token
        return build_from_document(document_with_root(fake_gmail.url),
                                   credentials=Credentials(token))
    return build


@pytest.fixture
def gmail(account: FakeGmailAccount, service_for: ServiceFactory) -> Any:
    """Return a full-scope Gmail client for ``account``."""
    return service_for(account)


@pytest.fixture
def users(gmail: Any) -> Any:
    """Return ``gmail.users()``."""
    return gmail.users()


def gmail_error(error: Any) -> dict[str, Any]:
    """Return the ``error`` object of a googleapiclient HttpError's JSON body."""
    import json

    return json.loads(error.content)["error"]  # type: ignore[no-any-return]


def insert(users: Any, raw: bytes, labels: Iterable[str] = ("INBOX", "UNREAD"),
           **body: Any) -> dict[str, Any]:
    """Insert ``raw`` through messages.insert and return the answer."""
    return users.messages().insert(  # type: ignore[no-any-return]
        userId="me", body={"raw": b64(raw), "labelIds": list(labels), **body}).execute()
