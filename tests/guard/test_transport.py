"""The Gmail transport: httplib2's answer shape, bearer tokens, refresh, timeouts, errors."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs

import pytest
import requests
import responses
from google.oauth2.credentials import Credentials
from googleapiclient.http import _retry_request

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard._gmail import build_gmail_service
from guard.errors import GmailAuthError, GmailTimeout, GmailUnavailable
from guard.transport import GmailTransport

API = "https://gmail.googleapis.com/gmail/v1/users/me/profile"
TOKEN_URI = "https://oauth2.googleapis.com/token"


def credentials(token: str | None = "old-token", *, expired: bool = False,
                token_uri: str = TOKEN_URI, refresh_token: str = "refresh-1") -> Credentials:
    """Return user credentials; ``expired`` puts the expiry an hour in the past."""
    expiry = datetime.utcnow() + timedelta(hours=-1 if expired else 1)  # google-auth: naive UTC
    return Credentials(token=token, refresh_token=refresh_token, token_uri=token_uri,
                       client_id="mailguard-test", client_secret="secret", expiry=expiry)


def token_endpoint(rsps: responses.RequestsMock, tokens: list[str]) -> list[str]:
    """Answer refreshes with the next of ``tokens``; return the refresh tokens presented."""
    seen: list[str] = []
    lock = threading.Lock()

    def refresh(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        form = parse_qs(request.body if isinstance(request.body, str)
                        else request.body.decode())
        with lock:
            seen.append(form["refresh_token"][0])
            token = tokens[len(seen) - 1]
        return 200, {}, json.dumps({"access_token": token, "expires_in": 3600,
                                    "token_type": "Bearer"})

    rsps.add_callback(responses.POST, TOKEN_URI, callback=refresh)
    return seen


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_answers_like_httplib2(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.PUT, API, status=308, body=b"",
             headers={"Location": "https://gmail.googleapis.com/upload?id=1",
                      "X-Goog-Thing": "a"})
    transport = GmailTransport(credentials())
    resp, content = transport.request(API, method="PUT", body=b"chunk",
                                      headers={"content-type": "application/octet-stream"})
    assert resp.status == 308
    assert resp["status"] == "308"
    assert resp["location"] == "https://gmail.googleapis.com/upload?id=1"
    assert resp.get("x-goog-thing") == "a"
    assert resp.reason == "Permanent Redirect"
    assert content == b""
    assert len(rsps.calls) == 1, "a 308 must reach the client library, not be followed"


def test_adds_bearer_header_and_keeps_caller_headers(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.GET, API, json={"emailAddress": "a@example.com"})
    transport = GmailTransport(credentials("tok-A"))
    resp, content = transport.request(API, headers={"accept": "application/json"})
    assert resp.status == 200 and resp["content-type"] == "application/json"
    assert json.loads(content) == {"emailAddress": "a@example.com"}
    sent = rsps.calls[0].request.headers
    assert sent["authorization"] == "Bearer tok-A"
    assert sent["accept"] == "application/json"


def test_refreshes_an_expired_token_before_sending(rsps: responses.RequestsMock) -> None:
    seen = token_endpoint(rsps, ["fresh-token"])
    rsps.add(responses.GET, API, json={})
    transport = GmailTransport(credentials("stale", expired=True))
    resp, _ = transport.request(API)
    assert resp.status == 200
    assert seen == ["refresh-1"]
    assert rsps.calls[-1].request.headers["authorization"] == "Bearer fresh-token"


def test_401_refreshes_once_and_retries(rsps: responses.RequestsMock) -> None:
    seen = token_endpoint(rsps, ["fresh-token"])
    rsps.add(responses.GET, API, status=401, json={"error": {"code": 401}})
    rsps.add(responses.GET, API, json={"emailAddress": "a@example.com"})
    transport = GmailTransport(credentials("revoked-token"))
    resp, _ = transport.request(API)
    assert resp.status == 200
    assert seen == ["refresh-1"]
    api_calls = [c for c in rsps.calls if c.request.url == API]
    assert [c.request.headers["authorization"] for c in api_calls] == [
        "Bearer revoked-token", "Bearer fresh-token"]


def test_a_second_401_is_returned_not_retried_again(rsps: responses.RequestsMock) -> None:
    seen = token_endpoint(rsps, ["fresh-1", "fresh-2"])
    rsps.add(responses.GET, API, status=401, json={"error": {"code": 401}})
    transport = GmailTransport(credentials("revoked-token"))
    resp, _ = transport.request(API)
    assert resp.status == 401
    assert seen == ["refresh-1"]
    assert len([c for c in rsps.calls if c.request.url == API]) == 2


def test_refused_refresh_raises_auth_error(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, TOKEN_URI, status=400,
             json={"error": "invalid_grant", "error_description": "Token has been revoked."})
    transport = GmailTransport(credentials("stale", expired=True))
    with pytest.raises(GmailAuthError, match="reconnect") as caught:
        transport.request(API)
    assert "stale" not in str(caught.value) and "refresh-1" not in str(caught.value)


def test_connection_errors_are_retried_by_the_client_library(
        rsps: responses.RequestsMock) -> None:
    attempts: list[int] = []

    def flaky(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        attempts.append(1)
        if len(attempts) < 3:
            raise requests.ConnectionError("connection reset by peer")
        return 200, {}, "{}"

    rsps.add_callback(responses.GET, API, callback=flaky)
    transport = GmailTransport(credentials())
    resp, _ = _retry_request(transport, 3, "request", lambda s: None, lambda: 0.0, API, "GET")
    assert resp.status == 200
    assert len(attempts) == 3


def test_refused_connection_raises_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = GmailTransport(credentials(), connect_timeout=2)
    with pytest.raises(GmailUnavailable) as caught:
        transport.request(f"http://127.0.0.1:{port}/gmail/v1/users/me/profile")
    assert isinstance(caught.value, ConnectionError)
    assert "old-token" not in str(caught.value)


def test_read_timeout_raises_a_socket_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/gmail/v1/users/me/profile"
        transport = GmailTransport(credentials(), connect_timeout=2, read_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(GmailTimeout) as caught:
            transport.request(url)
        elapsed = time.monotonic() - started
    assert isinstance(caught.value, socket.timeout)
    assert 0.2 <= elapsed < 5


def test_concurrent_threads_refresh_once(emulator: EmulatorServer,
                                         account: FakeGmailAccount) -> None:
    creds = credentials("expired-token", expired=True, token_uri=emulator.url + "token",
                        refresh_token=account.refresh_token)
    transport = GmailTransport(creds, pool_size=16)
    start = threading.Barrier(16)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            for _ in range(5):
                resp, _ = transport.request(emulator.url + "oauth2/v3/userinfo")
                statuses.append(resp.status)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [200] * 80
    assert transport.refresh_count == 1


def test_401_from_the_emulator_refreshes_and_the_call_succeeds(
        emulator: EmulatorServer, account: FakeGmailAccount) -> None:
    creds = credentials(account.token, token_uri=emulator.url + "token",
                        refresh_token=account.refresh_token)
    transport = GmailTransport(creds)
    emulator.state.tokens.expire_all(account.email)  # Google-side expiry the client can't see
    resp, content = transport.request(emulator.url + "oauth2/v3/userinfo")
    assert resp.status == 200
    assert json.loads(content)["email"] == account.email
    assert transport.refresh_count == 1
    assert creds.token != account.token


def test_service_call_with_a_revoked_grant_asks_to_reconnect(
        emulator: EmulatorServer, account: FakeGmailAccount) -> None:
    creds = credentials(account.token, token_uri=emulator.url + "token",
                        refresh_token=account.refresh_token)
    emulator.state.tokens.revoke(account.refresh_token)  # the user revoked MailGuard's access
    service = build_gmail_service(root_url=emulator.url, http=GmailTransport(creds))
    with pytest.raises(GmailAuthError, match="reconnect"):
        service.users().getProfile(userId="me").execute()
