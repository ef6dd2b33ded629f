"""Gmail's per-user rate limit names the moment it lifts, as an ISO 8601 UTC timestamp.

Gmail's 429 for a user over 250 units per second reads
``User-rate limit exceeded.  Retry after 2024-11-12T11:16:42.247Z`` (two spaces, UTC with
milliseconds), and integrators parse that timestamp to know how long to wait. The emulator
said "Retry after 1 second", which no such parser reads.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState

NOW = 1_800_000_000.25  # 2027-01-15T08:00:00.250Z
RETRY_AFTER = re.compile(
    r"User-rate limit exceeded\.  Retry after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")


def _limited_answer() -> tuple[int, dict[str, object]]:
    with EmulatorServer(EmulatorState(clock=lambda: NOW)) as server:
        token = server.state.tokens.mint("limited@example.test", [GMAIL_SCOPE_FULL])
        server.state.ensure_account("limited@example.test")
        gmail = build_from_document(document_with_root(server.url),
                                    credentials=Credentials(token.access_token))
        requests.put(server.url + "_emulator/quota", json={"per_user_limit": 5}, timeout=5)
        gmail.users().messages().list(userId="me").execute()  # 5 units: the whole second
        with pytest.raises(HttpError) as caught:
            gmail.users().messages().list(userId="me").execute()
    return caught.value.resp.status, json.loads(caught.value.content)["error"]


def test_the_rate_limit_message_names_when_to_retry_as_gmail_writes_it() -> None:
    status, error = _limited_answer()

    assert status == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    found = RETRY_AFTER.fullmatch(str(error["message"]))
    assert found, error["message"]
    retry_at = datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=UTC)
    # The units spent at NOW leave the one-second window at NOW + 1.
    assert retry_at.timestamp() == pytest.approx(NOW + 1, abs=0.001)
    assert error["errors"][0]["message"] == error["message"]  # type: ignore[index]


def test_the_rate_limit_reason_is_the_one_gmail_gives_its_429() -> None:
    """Gmail's per-user 429 says ``rateLimitExceeded`` (domain ``usageLimits``); the
    ``userRateLimitExceeded`` reason belongs to the older 403 form, which clients retry by
    reason, so answering it on a 429 misrepresents what Gmail sends."""
    _, error = _limited_answer()

    assert error["errors"] == [{"message": error["message"], "domain": "usageLimits",
                                "reason": "rateLimitExceeded"}]
