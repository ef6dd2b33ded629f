"""The web client against the Gmail emulator: a real OAuth flow, the real guard.

``web_emulator`` is this package's own emulator (it registers an OAuth client, which
makes the emulator accept only registered clients, so it is not shared with other suites).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from audit import AuditQuery
from fakegmail.server import EmulatorServer
from guard.retry import Retrier, RetryPolicy
from guard.vault import generate_key
from tests.conftest import database_url_for
from webclient import create_app
from webclient.config import emulator_oauth_client

CLIENT_ID = "mailguard-web-test.apps.googleusercontent.com"
CLIENT_SECRET = "web-test-secret"  # noqa: S105 - the emulator's test client
REDIRECT_URI = "http://localhost/auth/callback"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def web_emulator() -> Iterator[EmulatorServer]:
    """Run an emulator with the web client's OAuth client registered."""
    with EmulatorServer() as server:
        register_web_client(server)
        yield server


def register_web_client(emulator: EmulatorServer) -> None:
    """Register the web client's OAuth client (id, secret, redirect URI) with ``emulator``."""
    control(emulator, "POST", "clients", {"client_id": CLIENT_ID,
                                          "client_secret": CLIENT_SECRET,
                                          "redirect_uris": [REDIRECT_URI]})


def control(emulator: EmulatorServer, method: str, path: str, body: Any = None) -> Any:
    """Call the emulator's control API."""
    answer = requests.request(method, emulator.url + "_emulator/" + path, json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


def app_config(emulator: EmulatorServer, tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    """Return a test configuration aimed at ``emulator`` with state in ``tmp_path``."""
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789abcdef",
        "DATABASE_URL": database_url_for(tmp_path / "mailguard.db"),
        "TOKEN_KEYS": (generate_key(),),
        "AUDIT_HMAC_KEY": b"audit-hmac-key-for-web-tests-0123",
        "AUDIT_SIGNING_KEY_PATH": str(tmp_path / "audit.key"),
        "OAUTH_CLIENT": emulator_oauth_client(emulator.url, CLIENT_ID, CLIENT_SECRET),
        "GMAIL_ROOT_URL": emulator.url,
        "OAUTH_INSECURE_TRANSPORT": True,
        "SESSION_COOKIE_SECURE": False,
        "GUARD_RETRIER": Retrier(RetryPolicy(max_attempts=3), sleep=lambda _s: None,
                                 random=lambda: 0.0),
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(web_emulator: EmulatorServer, tmp_path: Path) -> Iterator[Flask]:
    """Return the web client on a fresh database, wired to the emulator."""
    application = create_app(app_config(web_emulator, tmp_path))
    yield application
    application.extensions["mailguard.guard"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True, slots=True)
class Mailbox:
    """A seeded emulator account."""

    email: str
    emulator: EmulatorServer

    @property
    def state(self) -> Any:
        return self.emulator.state.account(self.email).mailbox


def new_mailbox(emulator: EmulatorServer, messages: int = 30, name: str = "Test User") -> Mailbox:
    """Create and seed a fresh account; return it."""
    email = f"web{next(_numbers)}@qontak-test.test"
    control(emulator, "POST", "seed", {"email": email, "name": name, "messages": messages,
                                       "seed": 7})
    return Mailbox(email=email, emulator=emulator)


@pytest.fixture
def mailbox(web_emulator: EmulatorServer) -> Mailbox:
    """Return a fresh seeded mailbox."""
    return new_mailbox(web_emulator)


def consent(emulator: EmulatorServer, authorize_url: str, email: str, *,
            action: str = "allow") -> str:
    """Play the user on the emulator's consent page; return the redirect back to us."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id is not None
    answer = requests.post(emulator.url + "signin/oauth/consent",
                           data={"request_id": html.unescape(request_id.group(1)),
                                 "account": email, "action": action},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def sign_in(client: FlaskClient, emulator: EmulatorServer, email: str) -> Any:
    """Go through Google's (the emulator's) sign-in for ``email``; return the last answer."""
    start = client.get("/auth/start")
    assert start.status_code == 302
    back = urlsplit(consent(emulator, start.headers["Location"], email))
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def signed_in(client: FlaskClient, web_emulator: EmulatorServer, mailbox: Mailbox) -> FlaskClient:
    """Return a client signed in with ``mailbox`` connected (account 0)."""
    answer = sign_in(client, web_emulator, mailbox.email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def csrf_token(client: FlaskClient, path: str = "/auth/accounts") -> str:
    """Return the CSRF token that pages of this session carry."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found is not None, page[:500]
    return found.group(1)


def audit_entries(app: Flask, **filters: Any) -> list[Any]:
    """Return audit entries matching ``filters`` (see ``audit.AuditQuery``)."""
    return list(app.extensions["mailguard.guard"].audit.query(AuditQuery(**filters)))


def inbox_threads(mailbox: Mailbox) -> list[str]:
    """Return the inbox thread ids of ``mailbox``, newest first (read from the emulator)."""
    answer = requests.get(
        mailbox.emulator.url + "gmail/v1/users/me/threads",
        params={"labelIds": "INBOX", "maxResults": 500},
        headers={"Authorization": "Bearer " + token_for(mailbox)}, timeout=10)
    answer.raise_for_status()
    return [t["id"] for t in answer.json().get("threads", [])]


def token_for(mailbox: Mailbox) -> str:
    """Mint a full-scope access token for reading the emulator directly in assertions."""
    minted = control(mailbox.emulator, "POST", "accounts", {"email": mailbox.email})
    return str(minted["access_token"])


PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def deliver(mailbox: Mailbox, *, subject: str, text: str = "Hello from the tests.",
            html_body: str | None = None, sender: str = "Ann Sender <ann@example.org>",
            to: str | None = None, cc: str | None = None,
            attachments: tuple[tuple[str, str, bytes], ...] = (),
            inline_png: str | None = None,
            labels: tuple[str, ...] = ("INBOX", "UNREAD"), message_id: str | None = None,
            in_reply_to: str | None = None, received: tuple[str, ...] = ()) -> Any:
    """Deliver a MIME message into ``mailbox`` directly; return the stored message.

    :param received: header lines the receiving server adds on top (Gmail's
        ``Authentication-Results: mx.google.com; ...``), topmost first.
    """
    from email.message import EmailMessage
    from email.utils import make_msgid

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to or mailbox.email
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = "Sat, 01 Mar 2025 10:00:00 +0000"
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
        if inline_png:
            html_part = message.get_payload()[1]
            html_part.add_related(PNG_1X1, maintype="image", subtype="png", cid=f"<{inline_png}>",
                                  filename="pixel.png")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    on_top = "".join(f"{line}\r\n" for line in received).encode()
    return mailbox.state.add_message(on_top + message.as_bytes(), label_ids=list(labels))


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with this session's CSRF token."""
    form = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=form, **kwargs)
