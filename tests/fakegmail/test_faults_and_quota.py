"""Injected faults and quota limits reach the real client as Gmail would send them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import google.oauth2.credentials
import httplib2
import pytest
import requests
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState

FULL = "https://mail.google.com/"


@pytest.fixture()
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def service_for(server: EmulatorServer, email: str = "fault@example.test"):  # type: ignore[no-untyped-def]
    answer = requests.post(server.url + "_emulator/accounts",
                           json={"email": email, "name": "Fault", "scopes": [FULL]}, timeout=5)
    answer.raise_for_status()
    creds = google.oauth2.credentials.Credentials(answer.json()["access_token"])
    return build_from_document(document_with_root(server.url), credentials=creds)


def add_fault(server: EmulatorServer, **rule: object) -> dict:
    answer = requests.post(server.url + "_emulator/faults", json=rule, timeout=5)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def error_body(error: HttpError) -> dict:
    return json.loads(error.content)["error"]


@pytest.mark.parametrize(
    ("status", "reason", "grpc_status"),
    [
        (429, "rateLimitExceeded", "RESOURCE_EXHAUSTED"),
        (500, "backendError", "INTERNAL"),
        (503, "backendError", "UNAVAILABLE"),
    ],
)
def test_injected_error_arrives_as_gmail_shaped_http_error(server, status, reason, grpc_status):
    gmail = service_for(server)
    add_fault(server, method="users.getProfile", status=status, count=1)
    with pytest.raises(HttpError) as caught:
        gmail.users().getProfile(userId="me").execute()
    assert caught.value.resp.status == status
    body = error_body(caught.value)
    assert body["code"] == status
    assert body["status"] == grpc_status
    assert body["errors"][0]["reason"] == reason
    # count=1: the next call goes through.
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == "fault@example.test"


def test_retry_after_header_is_sent_with_429(server):
    gmail = service_for(server)
    add_fault(server, method="*", status=429, retry_after=7, count=1)
    with pytest.raises(HttpError) as caught:
        gmail.users().getProfile(userId="me").execute()
    assert caught.value.resp["retry-after"] == "7"


def test_fail_next_n_calls_then_recover(server):
    gmail = service_for(server)
    add_fault(server, method="messages.list", status=503, count=3)
    for _ in range(3):
        with pytest.raises(HttpError):
            gmail.users().messages().list(userId="me").execute()
    assert "resultSizeEstimate" in gmail.users().messages().list(userId="me").execute()
    # Other methods were never affected.
    stats = requests.get(server.url + "_emulator/stats", timeout=5).json()
    assert stats["methods"]["gmail.users.messages.list"]["errors"] == {"503": 3}


def test_client_library_retries_through_a_transient_5xx(server):
    gmail = service_for(server)
    add_fault(server, method="users.getProfile", status=503, count=2)
    request = gmail.users().getProfile(userId="me")
    waits: list[float] = []
    request._sleep = waits.append  # the library's own backoff, recorded instead of slept
    profile = request.execute(num_retries=3)
    assert len(waits) == 2
    assert profile["emailAddress"] == "fault@example.test"


def test_dropped_connection_surfaces_as_a_connection_error(server):
    gmail = service_for(server)
    # httplib2 itself reconnects once after a dropped connection, so drop a few.
    add_fault(server, method="users.getProfile", drop_connection=True, count=3)
    with pytest.raises((ConnectionError, httplib2.HttpLib2Error, OSError)):
        gmail.users().getProfile(userId="me").execute()


def test_clearing_faults_restores_service(server):
    gmail = service_for(server)
    add_fault(server, method="*", status=500)
    with pytest.raises(HttpError):
        gmail.users().getProfile(userId="me").execute()
    assert requests.delete(server.url + "_emulator/faults", timeout=5).status_code == 200
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"]


def test_bad_fault_rule_is_refused_with_a_clear_message(server):
    answer = requests.post(server.url + "_emulator/faults", json={"status": 200}, timeout=5)
    assert answer.status_code == 400
    assert "status" in answer.text


def test_per_user_quota_limit_gives_user_rate_limit_exceeded():
    frozen = EmulatorState(clock=lambda: 1_800_000_000.0)
    with EmulatorServer(frozen) as server:
        check_quota_limit(server)


def check_quota_limit(server: EmulatorServer) -> None:
    gmail = service_for(server)
    assert requests.put(server.url + "_emulator/quota", json={"per_user_limit": 12},
                        timeout=5).status_code == 200
    # The clock stands still, so all calls fall in one second: messages.list costs 5
    # units, two fit in 12 units per second, the third does not.
    gmail.users().messages().list(userId="me").execute()
    gmail.users().messages().list(userId="me").execute()
    with pytest.raises(HttpError) as caught:
        gmail.users().messages().list(userId="me").execute()
    assert caught.value.resp.status == 429
    assert error_body(caught.value)["errors"][0]["reason"] == "rateLimitExceeded"
    stats = requests.get(server.url + "_emulator/stats", timeout=5).json()
    assert stats["quota_units_by_user"]["fault@example.test"] == 10


def test_quota_units_follow_gmail_costs(server):
    gmail = service_for(server)
    gmail.users().getProfile(userId="me").execute()
    gmail.users().labels().list(userId="me").execute()
    gmail.users().messages().list(userId="me").execute()
    methods = requests.get(server.url + "_emulator/stats", timeout=5).json()["methods"]
    assert methods["gmail.users.getProfile"]["quota_units"] == 1
    assert methods["gmail.users.labels.list"]["quota_units"] == 1
    assert methods["gmail.users.messages.list"]["quota_units"] == 5


@pytest.mark.parametrize(("reason", "domain", "message"), [
    ("userRateLimitExceeded", "usageLimits", "User Rate Limit Exceeded"),
    ("rateLimitExceeded", "usageLimits", "Rate Limit Exceeded"),
    ("dailyLimitExceeded", "usageLimits", "Daily Limit Exceeded"),
    ("forbidden", "global", "Forbidden"),
])
def test_an_injected_403_reads_as_gmails_error_for_its_reason(server, reason, domain, message):
    """Gmail's 403s differ by reason: the usage limits (user rate, rate, daily) in domain
    usageLimits with their own words, a refusal in domain global. A fault given a reason
    took its words and domain from the status alone, so an injected userRateLimitExceeded
    read 'Rate Limit Exceeded' and an injected forbidden sat in usageLimits."""
    gmail = service_for(server)
    add_fault(server, method="users.getProfile", status=403, reason=reason, count=1)
    with pytest.raises(HttpError) as caught:
        gmail.users().getProfile(userId="me").execute()
    assert caught.value.resp.status == 403
    body = error_body(caught.value)
    assert body["errors"] == [{"message": f"{message} (injected fault).", "domain": domain,
                               "reason": reason}]
    assert body["message"] == f"{message} (injected fault)."
