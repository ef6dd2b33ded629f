"""The fakegmail pytest plugin, exercised the way an integrator's test suite uses it."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_give_a_shared_server_and_a_fresh_account_per_test(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import requests

        seen = {}

        def test_first(fake_gmail, fake_gmail_account):
            seen["server"] = fake_gmail
            seen["email"] = fake_gmail_account.email
            assert fake_gmail_account.url == fake_gmail.url
            assert fake_gmail_account.state is fake_gmail.state
            assert fake_gmail_account.mailbox is fake_gmail.state.account(
                fake_gmail_account.email).mailbox
            me = requests.get(fake_gmail.url + "oauth2/v3/userinfo", timeout=10,
                              headers={"Authorization": "Bearer " + fake_gmail_account.token})
            assert me.json()["email"] == fake_gmail_account.email

        def test_second(fake_gmail, fake_gmail_account):
            assert fake_gmail is seen["server"]
            assert fake_gmail_account.email != seen["email"]
            grant = fake_gmail.state.tokens.lookup(fake_gmail_account.token)
            assert grant.scopes == {"https://mail.google.com/"}
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_gmail_service_is_aimed_at_the_emulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_service(gmail_service, fake_gmail, fake_gmail_account):
            assert gmail_service._rootDesc["rootUrl"] == fake_gmail.url
            profile = gmail_service.users().getProfile(userId="me").execute()
            assert profile["emailAddress"] == fake_gmail_account.email
            batch = gmail_service.new_batch_http_request()
            batch.add(gmail_service.users().labels().list(userId="me"))
            batch.execute()
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_gmail_responses_routes_google_hosts_into_the_emulator_without_sockets(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import google.auth.transport.requests
        import pytest
        import requests
        from google.oauth2.credentials import Credentials

        def test_oauth_and_userinfo(gmail_responses, monkeypatch):
            import socket

            def no_sockets(*args, **kwargs):
                raise AssertionError("a socket was opened")

            monkeypatch.setattr(socket, "create_connection", no_sockets)
            gmail_responses.add_account("ayu@example.com")
            refresh = gmail_responses.state.tokens.mint(
                "ayu@example.com", ["https://mail.google.com/", "openid"])
            creds = Credentials(None, refresh_token=refresh.refresh_token,
                                token_uri="https://oauth2.googleapis.com/token",
                                client_id="c.apps.googleusercontent.com", client_secret="s")
            creds.refresh(google.auth.transport.requests.Request())
            assert creds.token.startswith("ya29.")
            me = requests.get("https://www.googleapis.com/oauth2/v3/userinfo",
                              headers={"Authorization": "Bearer " + creds.token})
            assert me.status_code == 200
            assert me.json()["email"] == "ayu@example.com"
            assert me.headers["Content-Type"] == "application/json"
            gmail = "https://gmail.googleapis.com/gmail/v1/users/me/"
            auth = {"Authorization": "Bearer " + creds.token}
            made = requests.post(gmail + "labels", json={"name": "Clients"}, headers=auth)
            assert made.status_code == 200, made.text
            listed = requests.get(gmail + "labels", headers=auth).json()["labels"]
            names = [label["name"] for label in listed]
            assert "Clients" in names
            assert len(gmail_responses.calls) == 4

        def test_other_hosts_are_not_reached(gmail_responses):
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.get("https://example.com/")
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
