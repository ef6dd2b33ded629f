"""What the control API changes, as the real Gmail client library sees it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState


class FrozenClock:
    """A clock that stands still, so quota windows never slide during a test."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorState(clock=FrozenClock())) as server:
        yield server


def control(server: EmulatorServer, verb: str, path: str, body: Any = None) -> Any:
    answer = requests.request(verb, server.url + "_emulator/" + path, json=body, timeout=10)
    assert answer.status_code < 300, answer.text
    return answer.json()


def service_for(server: EmulatorServer, credentials: Credentials) -> Any:
    return build_from_document(document_with_root(server.url), credentials=credentials)


def account(server: EmulatorServer, email: str = "ayu@example.com") -> dict[str, Any]:
    return control(server, "POST", "accounts", {"email": email})


def test_seeded_mailbox_is_what_the_client_lists(emulator: EmulatorServer) -> None:
    token = account(emulator)["access_token"]
    control(emulator, "POST", "seed", {"email": "ayu@example.com", "messages": 25})

    gmail = service_for(emulator, Credentials(token))
    profile = gmail.users().getProfile(userId="me").execute()
    listed = gmail.users().messages().list(userId="me", includeSpamTrash=True,
                                           maxResults=100).execute()
    labels = gmail.users().labels().list(userId="me").execute()["labels"]

    assert profile["messagesTotal"] == 25
    assert len(listed["messages"]) == 25
    assert any(label["type"] == "user" for label in labels)


def test_injected_fault_fails_the_next_call_only(emulator: EmulatorServer) -> None:
    gmail = service_for(emulator, Credentials(account(emulator)["access_token"]))
    control(emulator, "POST", "faults", {"method": "users.getProfile", "status": 503,
                                         "count": 1, "retry_after": 2})

    with pytest.raises(HttpError) as failed:
        gmail.users().getProfile(userId="me").execute()
    assert failed.value.status_code == 503
    assert failed.value.resp["retry-after"] == "2"
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == "ayu@example.com"
    stats = control(emulator, "GET", "stats")["methods"]["gmail.users.getProfile"]
    assert stats["calls"] == 2 and stats["errors"] == {"503": 1}


def test_quota_limit_answers_429_over_the_limit(emulator: EmulatorServer) -> None:
    gmail = service_for(emulator, Credentials(account(emulator)["access_token"]))
    control(emulator, "PUT", "quota", {"per_user_limit": 2})

    gmail.users().getProfile(userId="me").execute()
    gmail.users().getProfile(userId="me").execute()
    with pytest.raises(HttpError) as limited:
        gmail.users().getProfile(userId="me").execute()

    assert limited.value.status_code == 429
    reason = json.loads(limited.value.content)["error"]["errors"][0]["reason"]
    assert reason == "rateLimitExceeded"
    control(emulator, "PUT", "quota", {"per_user_limit": None})
    assert gmail.users().getProfile(userId="me").execute()


def test_stats_count_client_calls_and_quota_units(emulator: EmulatorServer) -> None:
    gmail = service_for(emulator, Credentials(account(emulator)["access_token"]))
    for _ in range(3):
        gmail.users().labels().list(userId="me").execute()

    stats = control(emulator, "GET", "stats")

    assert stats["methods"]["gmail.users.labels.list"] == {"calls": 3, "errors": {},
                                                            "quota_units": 3}
    assert stats["quota_units_by_user"] == {"ayu@example.com": 3}
    assert control(emulator, "DELETE", "stats")["total_calls"] == 0


def test_expired_token_is_refreshed_by_the_client_library(emulator: EmulatorServer) -> None:
    minted = account(emulator)
    credentials = Credentials(minted["access_token"], refresh_token=minted["refresh_token"],
                              token_uri=emulator.url + "token", client_id="integrator",
                              client_secret="unused")
    gmail = service_for(emulator, credentials)
    gmail.users().getProfile(userId="me").execute()

    control(emulator, "POST", "tokens/expire", {"email": "ayu@example.com"})

    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == "ayu@example.com"
    assert credentials.token != minted["access_token"]
    bare = service_for(emulator, Credentials(minted["access_token"]))
    with pytest.raises(RefreshError):  # 401, and nothing to refresh with
        bare.users().getProfile(userId="me").execute()


def test_reset_makes_old_tokens_fail(emulator: EmulatorServer) -> None:
    token = account(emulator)["access_token"]
    gmail = service_for(emulator, Credentials(token))
    control(emulator, "POST", "reset")
    with pytest.raises(RefreshError):  # 401, and nothing to refresh with
        gmail.users().getProfile(userId="me").execute()
    assert requests.get(emulator.url + "gmail/v1/users/me/profile", timeout=10, headers={
        "Authorization": "Bearer " + token}).status_code == 401
