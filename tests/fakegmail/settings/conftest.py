"""Fixtures for the settings, filter, forwarding, send-as and watch methods.

Gmail's settings updates need the ``gmail.settings.basic`` or ``gmail.settings.sharing``
scope; the full ``https://mail.google.com/`` scope alone does not reach them, so the
default client here carries all three. Send-as aliases, forwarding addresses and
auto-forwarding are changed only by a service account with domain-wide authority, so the
default client is one; ``person`` is the same scopes on the person's own token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from fakegmail.discovery import GMAIL_SCOPE_FULL
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import ServiceFactory, account, service_for

__all__ = ["account", "service_for"]

BASIC = "https://www.googleapis.com/auth/gmail.settings.basic"
SHARING = "https://www.googleapis.com/auth/gmail.settings.sharing"


@pytest.fixture
def users(account: FakeGmailAccount, service_for: ServiceFactory) -> Any:
    """Return ``users()`` of a service account with domain-wide authority acting as
    ``account``, with the full and both settings scopes."""
    return service_for(account, scopes=[GMAIL_SCOPE_FULL, BASIC, SHARING],
                       delegated=True).users()


@pytest.fixture
def person(account: FakeGmailAccount, service_for: ServiceFactory) -> Any:
    """Return ``users()`` of the person's own token with the same three scopes."""
    return service_for(account, scopes=[GMAIL_SCOPE_FULL, BASIC, SHARING]).users()


@pytest.fixture
def settings(users: Any) -> Any:
    """Return ``users().settings()``."""
    return users.settings()


def refused(request: Any) -> tuple[int, dict[str, Any]]:
    """Execute ``request``, which must fail; return its status and Gmail's error object."""
    with pytest.raises(HttpError) as caught:
        request.execute()
    return caught.value.resp.status, json.loads(caught.value.content)["error"]


def units_of(server: EmulatorServer, email: str) -> int:
    """Return the quota units charged to ``email`` so far."""
    snapshot = server.state.stats.snapshot(server.state.quota)
    units: int = snapshot["quota_units_by_user"].get(email, 0)
    return units
