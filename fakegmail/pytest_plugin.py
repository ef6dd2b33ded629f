"""Pytest fixtures for testing Gmail integrations against the emulator.

Installed as the ``fakegmail`` pytest plugin (a ``pytest11`` entry point), so any project
that has MailGuard installed gets these fixtures without importing anything:

``fake_gmail``
    A running ``EmulatorServer`` on a free loopback port, shared by the whole session.
    ``fake_gmail.url`` is its base URL; ``fake_gmail.state`` its ``EmulatorState``.

``fake_gmail_account``
    A fresh account (a new address per test) with a full-scope (``https://mail.google.com/``)
    access token: ``.email``, ``.token``, ``.refresh_token``, ``.state``, ``.mailbox``,
    ``.url``.

``fake_gmail_service_account``
    A fresh service account with a generated key, delegated every Gmail scope for the
    domain of ``fake_gmail_account``'s addresses (``fakegmail.test``): ``.key_file`` (the
    JSON key file, ``token_uri`` at the emulator), ``.credentials(scopes, subject=...)``
    (google-auth's ``service_account.Credentials``, ``with_subject`` applied) and
    ``.gmail(subject, scopes)``. Other delegations: ``new_service_account(state, url,
    {"example.com": [scopes]})``.

``gmail_service``
    A google-api-python-client Gmail service for ``fake_gmail_account``, built from the
    bundled discovery document with its ``rootUrl`` aimed at the emulator, so batch and
    upload calls reach the emulator too.

``gmail_responses``
    A ``responses.RequestsMock`` (wrapped; its methods such as ``add`` and ``calls`` are
    offered directly) that routes every ``requests`` call to Google's Gmail and
    OAuth hosts (``https://gmail.googleapis.com``, ``https://www.googleapis.com``,
    ``https://oauth2.googleapis.com``, ``https://accounts.google.com``,
    ``https://openidconnect.googleapis.com``) into an in-process emulator: no socket, no
    server. Its ``.state`` is the emulator state, ``.add_account(email)`` returns a
    ready access token and ``.add_service_account(delegation)`` a key file whose
    ``token_uri`` is Google's. Calls to loopback addresses pass through untouched; any other host
    fails as ``responses`` makes it fail. It does not intercept httplib2, which
    google-api-python-client uses by default: use ``gmail_service`` for that client.

``outbound_mail(state, account=None)``
    The mail the emulator sent to addresses outside it (``messages.send``/``drafts.send``,
    filter forwards, auto-forwarding, vacation replies), oldest first, as
    ``fakegmail.outbound.OutboundMail`` records (``.recipients``, ``.message_id``,
    ``.reason``, ``.raw``, ...); also ``fake_gmail_account.outbound()`` and
    ``gmail_responses.outbound(account)``. Over HTTP: ``GET /_emulator/outbound``.

Example::

    def test_lists_inbox(gmail_responses):
        token = gmail_responses.add_account("alice@example.com")
        answer = requests.get(
            "https://gmail.googleapis.com/gmail/v1/users/me/labels",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from requests import PreparedRequest

from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root, gmail_document
from fakegmail.mailbox import Mailbox
from fakegmail.outbound import OutboundMail
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState

GOOGLE_HOSTS = (
    "gmail.googleapis.com",
    "www.googleapis.com",
    "oauth2.googleapis.com",
    "accounts.google.com",
    "openidconnect.googleapis.com",
)
GOOGLE_URL = re.compile(
    r"^https://(?:" + "|".join(re.escape(h) for h in GOOGLE_HOSTS) + r")(?::443)?/.*$"
)
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_account_numbers = itertools.count(1)
ACCOUNT_DOMAIN = "fakegmail.test"
#: Every scope Gmail's methods accept, as the discovery document lists them.
GMAIL_SCOPES = tuple(sorted(gmail_document()["auth"]["oauth2"]["scopes"]))


@dataclass(frozen=True, slots=True)
class FakeGmailAccount:
    """An emulator account with a live full-scope token."""

    email: str
    token: str
    refresh_token: str
    state: EmulatorState
    mailbox: Mailbox
    url: str

    def outbound(self) -> list[OutboundMail]:
        """Return the mail this account sent outside the emulator, oldest first."""
        return outbound_mail(self.state, self.email)


def outbound_mail(state: EmulatorState, account: str | None = None) -> list[OutboundMail]:
    """Return the mail that left the emulator for outside addresses (from ``account``
    only, when given), oldest first; reset clears it. See :mod:`fakegmail.outbound`."""
    return state.outbound.entries(account)


def new_account(state: EmulatorState, url: str, email: str | None = None,
                scopes: Iterable[str] = (GMAIL_SCOPE_FULL,), *,
                domain_wide_delegation: bool = False) -> FakeGmailAccount:
    """Create (or reuse) an account in ``state`` and mint it a token for ``scopes``.

    With ``domain_wide_delegation`` the token stands for a service account with
    domain-wide authority acting as the account, which the settings methods Gmail keeps
    to such clients (send-as aliases, forwarding addresses, auto-forwarding) require.
    """
    address = email or f"user{next(_account_numbers)}@{ACCOUNT_DOMAIN}"
    account = state.ensure_account(address, scopes=tuple(scopes))
    grant = state.tokens.mint(account.email, scopes, delegated=domain_wide_delegation)
    return FakeGmailAccount(email=account.email, token=grant.access_token,
                            refresh_token=grant.refresh_token, state=state,
                            mailbox=account.mailbox, url=url)


@dataclass(frozen=True, slots=True)
class FakeServiceAccount:
    """A service account on the emulator and its JSON key file."""

    client_email: str
    key_file: dict[str, Any]
    url: str

    def credentials(self, scopes: Iterable[str] = (GMAIL_SCOPE_FULL,),
                    subject: str | None = None) -> Any:
        """Return google-auth's ``service_account.Credentials`` for the key file, acting as
        ``subject`` (domain-wide delegation) when given."""
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_info(
            self.key_file, scopes=list(scopes))
        return credentials.with_subject(subject) if subject else credentials

    def gmail(self, subject: str | None, scopes: Iterable[str] = (GMAIL_SCOPE_FULL,)) -> Any:
        """Return a googleapiclient Gmail service with :meth:`credentials`."""
        from googleapiclient.discovery import build_from_document

        return build_from_document(document_with_root(self.url),
                                   credentials=self.credentials(scopes, subject))


def new_service_account(state: EmulatorState, url: str,
                        delegation: Mapping[str, Iterable[str]] | None = None, *,
                        client_email: str | None = None) -> FakeServiceAccount:
    """Create a service account with a generated key in ``state``; its key file's
    ``token_uri`` is ``url``'s. ``delegation`` maps a Workspace domain to the scopes its
    admin delegated (domain-wide delegation); without it the account acts only as itself.
    """
    issued = state.service_accounts.add_key(
        client_email=client_email,
        delegation={d: list(s) for d, s in delegation.items()} if delegation else None)
    return FakeServiceAccount(client_email=issued.account.client_email,
                              key_file=issued.key_file(url), url=url)


@pytest.fixture(scope="session")
def fake_gmail() -> Iterator[EmulatorServer]:
    """Run one emulator on a free loopback port for the whole test session."""
    with EmulatorServer(host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def fake_gmail_account(fake_gmail: EmulatorServer) -> FakeGmailAccount:
    """Return a fresh account with a full-scope access token on the session emulator."""
    return new_account(fake_gmail.state, fake_gmail.url)


@pytest.fixture
def fake_gmail_service_account(fake_gmail: EmulatorServer) -> FakeServiceAccount:
    """Return a fresh service account delegated every Gmail scope for ``fakegmail.test``."""
    return new_service_account(fake_gmail.state, fake_gmail.url,
                               {ACCOUNT_DOMAIN: GMAIL_SCOPES})


@pytest.fixture
def gmail_service(fake_gmail_account: FakeGmailAccount) -> Any:
    """Return a googleapiclient Gmail service acting as ``fake_gmail_account``."""
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build_from_document

    return build_from_document(document_with_root(fake_gmail_account.url),
                               credentials=Credentials(fake_gmail_account.token))


class GmailResponsesMock:
    """Route ``requests`` calls for Google's hosts into an in-process emulator app."""

    def __init__(self, state: EmulatorState | None = None) -> None:
        import responses

        from fakegmail.app import create_app

        self.state = state if state is not None else EmulatorState()
        self.app = create_app(self.state)
        self._client = self.app.test_client()
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
            self.mock.add_callback(method, GOOGLE_URL, callback=self._forward,
                                   content_type=None)
        self.mock.add_passthru(re.compile(r"^https?://(?:127\.0\.0\.1|localhost|\[::1\])[:/]"))

    def add_account(self, email: str, scopes: Iterable[str] = (GMAIL_SCOPE_FULL,)) -> str:
        """Create ``email`` in the in-process emulator and return an access token for it."""
        return new_account(self.state, "https://gmail.googleapis.com/", email, scopes).token

    def add_service_account(self, delegation: Mapping[str, Iterable[str]] | None = None
                            ) -> dict[str, Any]:
        """Create a service account in the in-process emulator; return its key file, whose
        ``token_uri`` is Google's (``https://oauth2.googleapis.com/token``)."""
        return new_service_account(self.state, "https://oauth2.googleapis.com/",
                                   delegation).key_file

    def outbound(self, account: str | None = None) -> list[OutboundMail]:
        """Return the mail the in-process emulator sent outside it (see
        :func:`outbound_mail`)."""
        return outbound_mail(self.state, account)

    def __getattr__(self, name: str) -> Any:
        """Offer the rest of ``responses.RequestsMock`` (``calls``, ``add``, ...)."""
        if name == "mock":
            raise AttributeError(name)
        return getattr(self.mock, name)

    def _forward(self, prepared: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = prepared.url or ""
        parts = urlsplit(url if isinstance(url, str) else url.decode("utf-8"))
        body: Any = prepared.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        elif hasattr(body, "read"):
            body = body.read()
        elif not isinstance(body, bytes):
            body = b"".join(body)
        headers = {k: v for k, v in prepared.headers.items() if k.lower() != "host"}
        answer = self._client.open(
            parts.path, base_url=f"{parts.scheme}://{parts.hostname}",
            query_string=parts.query, method=prepared.method, headers=headers,
            data=body,
        )
        out = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        return answer.status_code, out, answer.get_data()

    def __enter__(self) -> GmailResponsesMock:
        self.mock.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mock.stop()
        self.mock.reset()


@pytest.fixture
def gmail_responses() -> Iterator[GmailResponsesMock]:
    """Route requests to Google's Gmail and OAuth hosts into an in-process emulator."""
    with GmailResponsesMock() as routed:
        yield routed
