from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState

REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
GMAIL_MODIFY = "https://www.googleapis.com/auth/gmail.modify"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[EmulatorServer]:
    state = EmulatorState(clock=clock)
    state.ensure_account("alice@example.com", "Alice Example")
    state.ensure_account("bob@gmail.com", "Bob Gmail")
    with EmulatorServer(state) as server:
        yield server


@pytest.fixture(autouse=True)
def _http_redirects_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    # Google answers ``email`` and ``profile`` as their userinfo URLs, which oauthlib calls
    # a changed scope unless told to accept it: every client of Google sets this.
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


def client_config(url: str, client_id: str = "test-client.apps.googleusercontent.com",
                  client_secret: str = "test-secret") -> dict[str, dict[str, object]]:
    """Return a google-auth-oauthlib "installed app" client config aimed at ``url``."""
    return {
        "installed": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": url + "o/oauth2/auth",
            "token_uri": url + "token",
            "redirect_uris": [REDIRECT_URI],
        }
    }
