"""The control API: accounts, tokens, OAuth clients, faults, quota, stats and reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fakegmail.app import create_app
from fakegmail.state import EmulatorState

FULL = "https://mail.google.com/"
READONLY = "https://www.googleapis.com/auth/gmail.readonly"


@pytest.fixture
def state() -> EmulatorState:
    return EmulatorState()


@pytest.fixture
def app(state: EmulatorState) -> Flask:
    return create_app(state)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_account_creation_mints_a_working_token(client: FlaskClient,
                                                state: EmulatorState) -> None:
    answer = client.post("/_emulator/accounts",
                         json={"email": "Alice@Example.com", "name": "Alice", "scopes": [READONLY]})

    assert answer.status_code == 201
    body = answer.get_json()
    assert body["email"] == "alice@example.com"
    assert body["scopes"] == [READONLY]
    assert body["expires_in"] == 3600
    assert body["refresh_token"].startswith("1//")
    grant = state.tokens.lookup(body["access_token"])
    assert grant is not None and grant.email == "alice@example.com"
    me = client.get("/oauth2/v3/userinfo", headers=bearer(body["access_token"])).get_json()
    assert me["email"] == "alice@example.com" and me["name"] == "Alice"


def test_account_defaults_to_the_full_gmail_scope(client: FlaskClient) -> None:
    body = client.post("/_emulator/accounts", json={"email": "bob@example.com"}).get_json()
    assert body["scopes"] == [FULL]


def test_posting_an_account_twice_keeps_one_account_and_mints_two_tokens(
        client: FlaskClient) -> None:
    first = client.post("/_emulator/accounts", json={"email": "c@example.com"}).get_json()
    second = client.post("/_emulator/accounts", json={"email": "c@example.com"}).get_json()
    assert first["access_token"] != second["access_token"]
    listed = client.get("/_emulator/accounts").get_json()["accounts"]
    assert [a["email"] for a in listed] == ["c@example.com"]
    assert listed[0]["messages_total"] == 0


@pytest.mark.parametrize(("body", "words"), [
    ({}, "'email' must be an email address"),
    ({"email": "not-an-address"}, "'email' must be an email address"),
    ({"email": "a@example.com", "scopes": "https://mail.google.com/"}, "'scopes' must be a list"),
    ({"email": "a@example.com", "colour": "red"}, "Unknown fields ['colour']"),
    ({"email": "a@example.com", "name": 7}, "'name' must be a string"),
])
def test_bad_account_requests_are_refused_with_a_clear_message(
        client: FlaskClient, body: dict[str, object], words: str) -> None:
    answer = client.post("/_emulator/accounts", json=body)
    assert answer.status_code == 400
    assert words in answer.get_json()["error"]["message"]


def test_non_json_body_is_refused(client: FlaskClient) -> None:
    answer = client.post("/_emulator/accounts", data="email=a@example.com",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    assert "JSON object" in answer.get_json()["error"]["message"]


def test_expiring_tokens_makes_them_fail_until_refreshed(client: FlaskClient) -> None:
    alice = client.post("/_emulator/accounts", json={"email": "alice@example.com"}).get_json()
    bob = client.post("/_emulator/accounts", json={"email": "bob@example.com"}).get_json()

    expired = client.post("/_emulator/tokens/expire", json={"email": "alice@example.com"})

    assert expired.get_json() == {"expired": 1}
    assert client.get("/v1/userinfo", headers=bearer(alice["access_token"])).status_code == 401
    assert client.get("/v1/userinfo", headers=bearer(bob["access_token"])).status_code == 200
    refreshed = client.post("/token", data={"grant_type": "refresh_token", "client_id": "any",
                                            "refresh_token": alice["refresh_token"]}).get_json()
    assert client.get("/v1/userinfo",
                      headers=bearer(refreshed["access_token"])).status_code == 200
    assert client.post("/_emulator/tokens/expire").get_json() == {"expired": 3}


def test_fault_rules_are_added_listed_and_cleared(client: FlaskClient) -> None:
    added = client.post("/_emulator/faults", json={"method": "messages.get", "status": 503,
                                                   "count": 2})
    assert added.status_code == 201
    rule = added.get_json()
    assert rule["id"] >= 1 and rule["status"] == 503 and rule["count"] == 2
    client.post("/_emulator/faults", json={"method": "messages.list", "latency_ms": 5})

    listed = client.get("/_emulator/faults").get_json()["faults"]
    assert [r["method"] for r in listed] == ["messages.get", "messages.list"]
    assert client.delete("/_emulator/faults?method=messages.get").get_json() == {"removed": 1}
    assert client.delete("/_emulator/faults").get_json() == {"removed": 1}
    assert client.get("/_emulator/faults").get_json() == {"faults": []}


@pytest.mark.parametrize(("body", "words"), [
    ({"status": 200}, "status must be an HTTP error status"),
    ({"latency_ms": -1}, "latency_ms"),
    ({"probability": 2}, "probability"),
    ({"explode": True}, "Unknown fields"),
])
def test_bad_fault_rules_are_refused(client: FlaskClient, body: dict[str, object],
                                     words: str) -> None:
    answer = client.post("/_emulator/faults", json=body)
    assert answer.status_code == 400
    assert words in answer.get_json()["error"]["message"]


def test_quota_limit_is_set_and_lifted(client: FlaskClient, state: EmulatorState) -> None:
    assert client.put("/_emulator/quota", json={"per_user_limit": 10}).get_json() == {
        "per_user_limit": 10}
    assert state.quota.per_user_limit == 10
    assert client.put("/_emulator/quota", json={"per_user_limit": None}).status_code == 200
    assert state.quota.per_user_limit is None
    for bad in ({"per_user_limit": 0}, {"per_user_limit": "many"}, {}):
        answer = client.put("/_emulator/quota", json=bad)
        assert answer.status_code == 400
        assert "per_user_limit" in answer.get_json()["error"]["message"]


def test_stats_are_shown_and_reset(client: FlaskClient, state: EmulatorState) -> None:
    state.stats.record("gmail.users.messages.get", 200)
    state.stats.record("gmail.users.messages.get", 503)
    state.quota.charge("a@example.com", "gmail.users.messages.get")

    shown = client.get("/_emulator/stats").get_json()

    assert shown["total_calls"] == 2
    assert shown["methods"]["gmail.users.messages.get"] == {
        "calls": 2, "errors": {"503": 1}, "quota_units": 5}
    assert shown["quota_units_by_user"] == {"a@example.com": 5}
    cleared = client.delete("/_emulator/stats").get_json()
    assert cleared == {"total_calls": 0, "methods": {}, "quota_units_by_user": {},
                       "peak_in_flight": 0}


def test_oauth_clients_are_registered_and_listed(client: FlaskClient) -> None:
    made = client.post("/_emulator/clients", json={
        "client_id": "mine.apps.googleusercontent.com", "client_secret": "s3cret",
        "redirect_uris": ["https://app.example/cb"]})
    assert made.status_code == 201
    assert made.get_json() == {"client_id": "mine.apps.googleusercontent.com",
                               "client_secret": "s3cret",
                               "redirect_uris": ["https://app.example/cb"]}
    assert client.get("/_emulator/clients").get_json() == {"clients": [
        {"client_id": "mine.apps.googleusercontent.com",
         "redirect_uris": ["https://app.example/cb"]}]}
    insecure = client.post("/_emulator/clients", json={"redirect_uris": ["http://app.example/"]})
    assert insecure.status_code == 400
    assert "https" in insecure.get_json()["error"]["message"]
    assert client.post("/_emulator/clients", json={}).status_code == 400


def test_reset_drops_everything(client: FlaskClient, state: EmulatorState) -> None:
    token = client.post("/_emulator/accounts",
                        json={"email": "a@example.com"}).get_json()["access_token"]
    client.post("/_emulator/faults", json={"status": 500})
    client.put("/_emulator/quota", json={"per_user_limit": 5})
    client.post("/_emulator/clients", json={"redirect_uris": ["http://127.0.0.1/cb"]})
    state.stats.record("gmail.users.getProfile", 200)

    assert client.post("/_emulator/reset").status_code == 200

    assert client.get("/_emulator/accounts").get_json() == {"accounts": []}
    assert client.get("/v1/userinfo", headers=bearer(token)).status_code == 401
    assert client.get("/_emulator/faults").get_json() == {"faults": []}
    assert client.get("/_emulator/clients").get_json() == {"clients": []}
    assert client.get("/_emulator/stats").get_json()["total_calls"] == 0
    assert state.quota.per_user_limit is None


def test_control_routes_need_no_gmail_authentication(client: FlaskClient) -> None:
    for path in ("/_emulator/accounts", "/_emulator/faults", "/_emulator/stats",
                 "/_emulator/clients"):
        assert client.get(path).status_code == 200, path


def test_unknown_control_route_is_a_json_404(client: FlaskClient) -> None:
    answer = client.get("/_emulator/nothing-here")
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == 404
