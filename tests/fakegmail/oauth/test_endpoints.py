"""Authorization, token and discovery endpoints: every refusal Google would give, in-process."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fakegmail.app import create_app
from fakegmail.state import EmulatorState
from tests.fakegmail.oauth.browser import read_consent
from tests.fakegmail.oauth.conftest import GMAIL_READONLY, REDIRECT_URI, FakeClock

CLIENT = "client-1.apps.googleusercontent.com"
VERIFIER = "v" * 20 + "-._~" + "0123456789abcdefghijklmnop"  # 50 unreserved characters


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


@pytest.fixture
def app(clock: FakeClock) -> Flask:
    state = EmulatorState(clock=clock)
    state.ensure_account("alice@example.com", "Alice Example")
    return create_app(state)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def auth_params(**overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "client_id": CLIENT, "redirect_uri": REDIRECT_URI, "response_type": "code",
        "scope": f"{GMAIL_READONLY} openid", "state": "xyz", "access_type": "offline",
        "code_challenge": s256(VERIFIER), "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def allow(client: FlaskClient, **overrides: str | None) -> dict[str, str]:
    page = client.get("/o/oauth2/v2/auth?" + urlencode(auth_params(**overrides)))
    assert page.status_code == 200, page.text
    form = read_consent(page.text)
    answer = client.post(form.action, data=dict(form.hidden, action="allow",
                                                account="alice@example.com"))
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    return {k: v[0] for k, v in query.items()}


def exchange(client: FlaskClient, auth_code: str, **overrides: str | None) -> Any:
    form: dict[str, str | None] = {
        "grant_type": "authorization_code", "code": auth_code, "client_id": CLIENT,
        "client_secret": "anything", "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER,
    }
    form.update(overrides)
    return client.post("/token", data={k: v for k, v in form.items() if v is not None})


@pytest.mark.parametrize(("overrides", "error", "words"), [
    ({"client_id": None}, "invalid_request", "client_id"),
    ({"redirect_uri": None}, "invalid_request", "redirect_uri"),
    ({"redirect_uri": "http://example.com/cb"}, "invalid_request", "loopback"),
    ({"redirect_uri": "https://app.example/cb#frag"}, "invalid_request", "fragment"),
    ({"response_type": "token"}, "unsupported_response_type", "code"),
    ({"scope": ""}, "invalid_request", "scope"),
    ({"scope": "https://evil.example/scope"}, "invalid_scope", "invalid"),
    ({"code_challenge": "short"}, "invalid_request", "S256 expects 43"),
    ({"code_challenge_method": "S512"}, "invalid_request", "S256 or plain"),
    ({"code_challenge": None}, "invalid_request", "without code_challenge"),
    ({"state": "s" * 3000}, "invalid_request", "state"),
])
def test_invalid_authorization_request_shows_the_error_page(
        client: FlaskClient, overrides: dict[str, str | None], error: str, words: str) -> None:
    page = client.get("/o/oauth2/auth?" + urlencode(auth_params(**overrides)))
    assert page.status_code == 400
    assert error in page.text
    assert words in page.text
    assert "Allow" not in page.text


def test_code_exchange_answers_like_google(client: FlaskClient, clock: FakeClock) -> None:
    back = allow(client)
    assert back["state"] == "xyz"
    assert back["scope"] == f"{GMAIL_READONLY} openid"

    answer = exchange(client, back["code"])

    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type", "refresh_token",
                         "id_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert answer.headers["Cache-Control"].startswith("no-cache")


@pytest.mark.parametrize(("overrides", "error", "words"), [
    ({"code_verifier": "w" * 50}, "invalid_grant", "Invalid code verifier"),
    ({"code_verifier": None}, "invalid_grant", "Missing code verifier"),
    ({"code_verifier": "bad!"}, "invalid_grant", "unreserved"),
    ({"redirect_uri": "http://127.0.0.1:9999/other"}, "redirect_uri_mismatch", "redirect_uri"),
    ({"client_id": "someone-else"}, "invalid_grant", "another client"),
    ({"client_id": None, "client_secret": None}, "invalid_request", "client ID"),
    ({"grant_type": "password"}, "unsupported_grant_type", "Invalid grant_type: password"),
    ({"code": "4/0emu-made-up"}, "invalid_grant", "Malformed auth code"),
    ({"code": None}, "invalid_request", "Missing required parameter: code"),
    ({"redirect_uri": None}, "invalid_request", "Missing required parameter: redirect_uri"),
])
def test_bad_code_exchange_is_refused(client: FlaskClient, overrides: dict[str, str | None],
                                      error: str, words: str) -> None:
    code = allow(client)["code"]
    answer = exchange(client, code, **overrides)
    assert answer.status_code == 400
    assert answer.get_json()["error"] == error
    assert words in answer.get_json()["error_description"]


def test_code_is_single_use(client: FlaskClient) -> None:
    code = allow(client)["code"]
    assert exchange(client, code).status_code == 200
    again = exchange(client, code)
    assert again.status_code == 400
    assert again.get_json()["error"] == "invalid_grant"


def test_code_expires_after_ten_minutes(client: FlaskClient, clock: FakeClock) -> None:
    fresh, stale = allow(client)["code"], allow(client)["code"]
    clock.advance(599)
    assert exchange(client, fresh).status_code == 200
    clock.advance(2)
    answer = exchange(client, stale)
    assert answer.status_code == 400
    assert "expired" in answer.get_json()["error_description"]


def test_plain_pkce_and_no_pkce_both_work(client: FlaskClient) -> None:
    plain = allow(client, code_challenge=VERIFIER, code_challenge_method="plain")["code"]
    assert exchange(client, plain).status_code == 200
    none = allow(client, code_challenge=None, code_challenge_method=None)["code"]
    assert exchange(client, none, code_verifier=None).status_code == 200


def test_consent_request_cannot_be_replayed(client: FlaskClient) -> None:
    page = client.get("/o/oauth2/auth?" + urlencode(auth_params()))
    form = read_consent(page.text)
    data = dict(form.hidden, action="allow", account="alice@example.com")
    assert client.post(form.action, data=data).status_code == 302
    replay = client.post(form.action, data=data)
    assert replay.status_code == 400
    assert "unknown or has expired" in replay.text


def test_registered_clients_make_the_emulator_strict(client: FlaskClient) -> None:
    registered = client.post("/_emulator/clients",
                             json={"redirect_uris": ["http://127.0.0.1/callback"]}).get_json()
    cid, secret = registered["client_id"], registered["client_secret"]
    assert cid.endswith(".apps.googleusercontent.com")

    unknown = client.get("/o/oauth2/auth?" + urlencode(auth_params()))
    assert unknown.status_code == 401 and "invalid_client" in unknown.text
    wrong_uri = client.get("/o/oauth2/auth?" + urlencode(
        auth_params(client_id=cid, redirect_uri="http://127.0.0.1/elsewhere")))
    assert wrong_uri.status_code == 400 and "redirect_uri_mismatch" in wrong_uri.text

    any_port = "http://127.0.0.1:43210/callback"  # registered without a port: any port
    code = allow(client, client_id=cid, redirect_uri=any_port)["code"]
    wrong_secret = exchange(client, code, client_id=cid, client_secret="nope",
                            redirect_uri=any_port)
    assert wrong_secret.status_code == 401
    assert wrong_secret.get_json() == {"error": "invalid_client",
                                       "error_description": "Unauthorized"}
    no_secret = exchange(client, code, client_id=cid, client_secret=None, redirect_uri=any_port)
    assert no_secret.status_code == 400
    assert no_secret.get_json() == {"error": "invalid_request",
                                    "error_description": "client_secret is missing."}

    code = allow(client, client_id=cid, redirect_uri=any_port)["code"]
    basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    ok = client.post("/o/oauth2/token", headers={"Authorization": f"Basic {basic}"}, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": any_port,
        "code_verifier": VERIFIER})
    assert ok.status_code == 200, ok.get_json()


def test_a_loopback_uri_registered_with_a_port_needs_that_port(client: FlaskClient) -> None:
    registered = client.post("/_emulator/clients", json={
        "redirect_uris": ["http://localhost:8765/oauth/callback"]}).get_json()
    cid = registered["client_id"]
    same = client.get("/o/oauth2/auth?" + urlencode(
        auth_params(client_id=cid, redirect_uri="http://localhost:8765/oauth/callback")))
    assert same.status_code == 200
    for other in ("http://localhost:9876/oauth/callback", "http://localhost/oauth/callback"):
        refused = client.get("/o/oauth2/auth?" + urlencode(
            auth_params(client_id=cid, redirect_uri=other)))
        assert refused.status_code == 400 and "redirect_uri_mismatch" in refused.text


def test_refresh_narrows_scopes_and_stays_with_its_client(client: FlaskClient) -> None:
    tokens = exchange(client, allow(client)["code"]).get_json()
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": CLIENT}

    narrowed = client.post("/token", data=dict(form, scope=GMAIL_READONLY)).get_json()
    assert narrowed["scope"] == GMAIL_READONLY
    assert "id_token" not in narrowed and "refresh_token" not in narrowed
    wider = client.post("/token", data=dict(form, scope="https://mail.google.com/"))
    assert wider.get_json()["error"] == "invalid_scope"
    other = client.post("/token", data=dict(form, client_id="other-client"))
    assert other.status_code == 401
    assert other.get_json() == {"error": "unauthorized_client", "error_description": "Unauthorized"}
    full = client.post("/token", data=form).get_json()
    assert "id_token" in full


def test_control_minted_refresh_token_works_for_any_client(client: FlaskClient) -> None:
    minted = client.post("/_emulator/accounts", json={"email": "dave@example.com"}).get_json()
    answer = client.post("/token", data={"grant_type": "refresh_token", "client_id": "mine",
                                         "refresh_token": minted["refresh_token"]})
    assert answer.status_code == 200
    assert answer.get_json()["scope"] == "https://mail.google.com/"


def test_userinfo_needs_a_live_bearer_token(client: FlaskClient) -> None:
    assert client.get("/v1/userinfo").status_code == 401
    denied = client.get("/v1/userinfo", headers={"Authorization": "Bearer ya29.unknown"})
    assert denied.status_code == 401
    assert "WWW-Authenticate" in denied.headers


def test_openid_configuration_points_at_the_emulator(client: FlaskClient) -> None:
    config = client.get("/.well-known/openid-configuration",
                        base_url="http://127.0.0.1:5555").get_json()
    assert config["issuer"] == "http://127.0.0.1:5555"
    assert config["token_endpoint"] == "http://127.0.0.1:5555/token"
    assert config["jwks_uri"] == "http://127.0.0.1:5555/oauth2/v3/certs"
    assert "S256" in config["code_challenge_methods_supported"]
    google = client.get("/.well-known/openid-configuration",
                        base_url="https://accounts.google.com").get_json()
    assert google["issuer"] == "https://accounts.google.com"


def test_jwks_publishes_one_rs256_signing_key(client: FlaskClient) -> None:
    keys = client.get("/oauth2/v3/certs").get_json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    assert keys[0]["kid"]
