"""The access token may come as the ``access_token`` query parameter, as Google accepts.

Google's standard query parameters include ``access_token`` (and the older
``oauth_token``); tools that cannot set headers (a browser link, curl one-liners, some
webhook relays) authenticate that way, to Gmail and to the userinfo endpoint alike.
"""

from __future__ import annotations

import pytest
import requests

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer


@pytest.mark.parametrize("parameter", ["access_token", "oauth_token"])
def test_gmail_takes_the_token_from_the_query(
        fake_gmail: EmulatorServer, account: FakeGmailAccount, parameter: str) -> None:
    answer = requests.get(fake_gmail.url + "gmail/v1/users/me/profile",
                          params={parameter: account.token}, timeout=10)

    assert answer.status_code == 200
    assert answer.json()["emailAddress"] == account.email


def test_a_dead_token_in_the_query_is_invalid_credentials(
        fake_gmail: EmulatorServer, account: FakeGmailAccount) -> None:
    answer = requests.get(fake_gmail.url + "gmail/v1/users/me/profile",
                          params={"access_token": "ya29.not-a-token"}, timeout=10)

    assert answer.status_code == 401
    assert answer.json()["error"]["errors"][0]["message"] == "Invalid Credentials"


def test_the_header_wins_over_the_query(
        fake_gmail: EmulatorServer, account: FakeGmailAccount) -> None:
    answer = requests.get(fake_gmail.url + "gmail/v1/users/me/profile",
                          params={"access_token": "ya29.not-a-token"},
                          headers={"Authorization": f"Bearer {account.token}"}, timeout=10)

    assert answer.status_code == 200


def test_userinfo_takes_the_token_from_the_query(
        fake_gmail: EmulatorServer, account: FakeGmailAccount) -> None:
    answer = requests.get(fake_gmail.url + "oauth2/v3/userinfo",
                          params={"access_token": account.token}, timeout=10)

    assert answer.status_code == 200
    assert answer.json()["email"] == account.email
