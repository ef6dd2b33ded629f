"""The authorization-code flow end to end, driven by google-auth-oauthlib's own Flow."""

from __future__ import annotations

import google.auth.transport.requests
import pytest
import requests
from google.oauth2 import id_token
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from tests.fakegmail.oauth.browser import open_consent, press
from tests.fakegmail.oauth.conftest import (
    GMAIL_MODIFY,
    GMAIL_READONLY,
    REDIRECT_URI,
    client_config,
)

OPENID = ["openid", "email", "profile"]
USERINFO_EMAIL = "https://www.googleapis.com/auth/userinfo.email"
USERINFO_PROFILE = "https://www.googleapis.com/auth/userinfo.profile"


def new_flow(server: EmulatorServer, scopes: list[str], **config: str) -> Flow:
    flow = Flow.from_client_config(client_config(server.url, **config), scopes=scopes)
    flow.redirect_uri = REDIRECT_URI
    return flow


def sign_in(server: EmulatorServer, scopes: list[str], account: str = "alice@example.com",
            **auth_kwargs: str) -> Flow:
    flow = new_flow(server, scopes)
    auth_url, state = flow.authorization_url(**auth_kwargs)
    back = press(auth_url, "allow", account=account)
    assert back.url.startswith(REDIRECT_URI)
    assert back.params["state"] == state
    flow.fetch_token(code=back.params["code"])
    return flow


def userinfo(server: EmulatorServer, token: str) -> requests.Response:
    return requests.get(server.url + "oauth2/v3/userinfo",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_consent_page_lists_accounts_and_scopes_in_plain_words(emulator: EmulatorServer) -> None:
    flow = new_flow(emulator, [GMAIL_READONLY, "openid"])
    auth_url, _ = flow.authorization_url(login_hint="bob@gmail.com")

    page, form = open_consent(auth_url)

    assert page.status_code == 200
    assert form.accounts == ["alice@example.com", "bob@gmail.com"]
    assert form.checked == "bob@gmail.com"
    assert "View your email messages and settings" in form.scope_words
    assert "Allow" in page.text and "Cancel" in page.text


def test_flow_yields_credentials_that_identify_the_chosen_account(
        emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, [GMAIL_READONLY] + OPENID)

    creds = flow.credentials
    assert creds.token.startswith("ya29.")
    assert creds.refresh_token
    assert set(creds.granted_scopes or creds.scopes) == {
        GMAIL_READONLY, "openid", USERINFO_EMAIL, USERINFO_PROFILE}
    profile = userinfo(emulator, creds.token).json()
    assert profile["email"] == "alice@example.com"
    assert profile["name"] == "Alice Example"
    assert profile["email_verified"] is True
    assert profile["sub"].isdigit()
    assert emulator.state.tokens.lookup(creds.token).scopes == {GMAIL_READONLY, *OPENID}
    gmail = build_from_document(document_with_root(emulator.url), credentials=creds)
    assert gmail.users().getProfile(userId="me").execute()["emailAddress"] == "alice@example.com"
    with pytest.raises(HttpError) as refused:  # readonly scope: no sending
        gmail.users().messages().send(userId="me", body={"raw": "U3ViamVjdDogaGkKCmhp"}).execute()
    assert refused.value.status_code == 403


def test_id_token_verifies_against_the_emulator_certs(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, OPENID, nonce="n-0S6_WzA2Mj")

    request = google.auth.transport.requests.Request()
    claims = id_token.verify_token(flow.oauth2session.token["id_token"], request,
                                   audience="test-client.apps.googleusercontent.com",
                                   certs_url=emulator.url + "oauth2/v3/certs")

    assert claims["iss"] == emulator.url.rstrip("/")
    assert claims["email"] == "alice@example.com"
    assert claims["name"] == "Alice Example"
    assert claims["hd"] == "example.com"
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["sub"] == userinfo(emulator, flow.credentials.token).json()["sub"]


def test_consumer_account_id_token_has_no_hosted_domain(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, OPENID, account="bob@gmail.com")
    claims = id_token.verify_token(flow.oauth2session.token["id_token"],
                                   google.auth.transport.requests.Request(),
                                   audience="test-client.apps.googleusercontent.com",
                                   certs_url=emulator.url + "oauth2/v3/certs")
    assert "hd" not in claims
    assert claims["email"] == "bob@gmail.com"


def test_id_token_verifies_against_the_pem_certificates_google_auth_reads_by_default(
        emulator: EmulatorServer) -> None:
    """``/oauth2/v1/certs``: the form ``verify_oauth2_token`` and Node's ``verifyIdToken`` read."""
    flow = sign_in(emulator, OPENID)
    answer = requests.get(emulator.url + "oauth2/v1/certs", timeout=10)
    jwks = requests.get(emulator.url + "oauth2/v3/certs", timeout=10).json()

    claims = id_token.verify_token(flow.oauth2session.token["id_token"],
                                   google.auth.transport.requests.Request(),
                                   audience="test-client.apps.googleusercontent.com",
                                   certs_url=emulator.url + "oauth2/v1/certs")

    assert claims["email"] == "alice@example.com"
    assert list(answer.json()) == [key["kid"] for key in jwks["keys"]]
    assert "max-age=" in answer.headers["Cache-Control"]
    assert requests.get(emulator.url + "oauth2/v1/certs", timeout=10).json() == answer.json()


def test_id_token_from_another_emulator_fails_verification(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, OPENID)
    with EmulatorServer() as other:
        with pytest.raises(Exception, match="(?i)signing key|signature"):
            id_token.verify_token(flow.oauth2session.token["id_token"],
                                  google.auth.transport.requests.Request(),
                                  certs_url=other.url + "oauth2/v3/certs")
        with pytest.raises(ValueError, match="(?i)key id .* not found|signature"):
            id_token.verify_token(flow.oauth2session.token["id_token"],
                                  google.auth.transport.requests.Request(),
                                  certs_url=other.url + "oauth2/v1/certs")


def test_no_id_token_without_openid_scope(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, [GMAIL_READONLY])
    assert "id_token" not in flow.oauth2session.token


def test_refresh_through_google_auth_after_the_access_token_expires(
        emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, [GMAIL_READONLY])
    old = flow.credentials
    requests.post(emulator.url + "_emulator/tokens/expire", json={}, timeout=10)
    assert userinfo(emulator, old.token).status_code == 401

    creds = Credentials(None, refresh_token=old.refresh_token, token_uri=emulator.url + "token",
                        client_id=old.client_id, client_secret=old.client_secret)
    creds.refresh(google.auth.transport.requests.Request())

    assert creds.token and creds.token != old.token
    assert userinfo(emulator, creds.token).json()["email"] == "alice@example.com"
    assert creds.expiry is not None


def test_revoked_refresh_token_no_longer_refreshes(emulator: EmulatorServer) -> None:
    import google.auth.exceptions

    old = sign_in(emulator, [GMAIL_READONLY]).credentials
    answer = requests.post(emulator.url + "revoke", data={"token": old.refresh_token},
                           timeout=10)
    assert answer.status_code == 200
    assert userinfo(emulator, old.token).status_code == 401

    creds = Credentials(None, refresh_token=old.refresh_token, token_uri=emulator.url + "token",
                        client_id=old.client_id, client_secret=old.client_secret)
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        creds.refresh(google.auth.transport.requests.Request())
    again = requests.post(emulator.url + "o/oauth2/revoke", params={"token": old.refresh_token},
                          timeout=10)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"


def test_cancel_redirects_back_with_access_denied(emulator: EmulatorServer) -> None:
    flow = new_flow(emulator, [GMAIL_READONLY])
    auth_url, state = flow.authorization_url()

    back = press(auth_url, "cancel")

    assert back.params == {"error": "access_denied", "state": state}


def test_online_access_gets_no_refresh_token(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, [GMAIL_READONLY], access_type="online")
    assert "refresh_token" not in flow.oauth2session.token
    assert flow.oauth2session.token["access_token"]


def test_unticked_scope_is_missing_from_the_grant_and_oauthlib_notices(
        emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTHLIB_RELAX_TOKEN_SCOPE")
    requests.post(emulator.url + "_emulator/accounts",
                  json={"email": "alice@example.com", "grant_scopes": [GMAIL_READONLY]},
                  timeout=10).raise_for_status()
    flow = new_flow(emulator, [GMAIL_READONLY, GMAIL_MODIFY])
    auth_url, _ = flow.authorization_url()
    back = press(auth_url, "allow")

    assert back.params["scope"] == GMAIL_READONLY
    with pytest.raises(Warning, match="Scope has changed"):
        flow.fetch_token(code=back.params["code"])


def test_include_granted_scopes_adds_earlier_grants(emulator: EmulatorServer) -> None:
    sign_in(emulator, [GMAIL_READONLY])
    flow = new_flow(emulator, [GMAIL_MODIFY])
    auth_url, _ = flow.authorization_url(include_granted_scopes="true")
    back = press(auth_url, "allow")
    assert set(back.params["scope"].split()) == {GMAIL_READONLY, GMAIL_MODIFY}


def test_new_account_can_be_entered_on_the_consent_page(emulator: EmulatorServer) -> None:
    flow = new_flow(emulator, [GMAIL_READONLY])
    auth_url, _ = flow.authorization_url()
    back = press(auth_url, "allow", other_email="carol@example.org")
    flow.fetch_token(code=back.params["code"])
    assert userinfo(emulator, flow.credentials.token).json()["email"] == "carol@example.org"
    assert emulator.state.account("carol@example.org") is not None


def test_prompt_none_needs_interaction(emulator: EmulatorServer) -> None:
    flow = new_flow(emulator, [GMAIL_READONLY])
    auth_url, state = flow.authorization_url(prompt="none")
    answer = requests.get(auth_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert "error=interaction_required" in answer.headers["Location"]


def test_revoking_the_access_token_also_revokes_its_refresh_token(
        emulator: EmulatorServer) -> None:
    import google.auth.exceptions

    old = sign_in(emulator, [GMAIL_READONLY]).credentials
    answer = requests.post(emulator.url + "revoke", data={"token": old.token}, timeout=10)
    assert answer.status_code == 200

    creds = Credentials(None, refresh_token=old.refresh_token, token_uri=emulator.url + "token",
                        client_id=old.client_id, client_secret=old.client_secret)
    with pytest.raises(google.auth.exceptions.RefreshError, match="invalid_grant"):
        creds.refresh(google.auth.transport.requests.Request())


def test_refresh_token_comes_only_with_consent_as_with_google(emulator: EmulatorServer) -> None:
    first = sign_in(emulator, [GMAIL_READONLY])
    assert first.oauth2session.token["refresh_token"]

    again = sign_in(emulator, [GMAIL_READONLY])  # same scopes, consent already given
    assert "refresh_token" not in again.oauth2session.token
    assert again.oauth2session.token["access_token"]

    forced = sign_in(emulator, [GMAIL_READONLY], prompt="consent")
    assert forced.oauth2session.token["refresh_token"]
    wider = sign_in(emulator, [GMAIL_READONLY, GMAIL_MODIFY])  # a new scope needs consent
    assert wider.oauth2session.token["refresh_token"]

    requests.post(emulator.url + "revoke", data={"token": wider.credentials.refresh_token},
                  timeout=10).raise_for_status()
    after_revoke = sign_in(emulator, [GMAIL_READONLY])
    assert after_revoke.oauth2session.token["refresh_token"]


@pytest.mark.parametrize(("scopes", "present", "absent"), [
    (["openid"], set(), {"email", "email_verified", "name", "given_name"}),
    (["openid", "email"], {"email", "email_verified"}, {"name", "given_name"}),
    (["openid", "profile"], {"name", "given_name", "family_name"}, {"email"}),
])
def test_id_token_carries_only_the_claims_its_scopes_allow(
        emulator: EmulatorServer, scopes: list[str], present: set[str],
        absent: set[str]) -> None:
    flow = sign_in(emulator, scopes)
    claims = id_token.verify_token(flow.oauth2session.token["id_token"],
                                   google.auth.transport.requests.Request(),
                                   audience="test-client.apps.googleusercontent.com",
                                   certs_url=emulator.url + "oauth2/v3/certs")
    assert {"iss", "aud", "azp", "sub", "at_hash", "iat", "exp"} <= set(claims)
    assert present <= set(claims)
    assert not absent & set(claims)


def test_tokeninfo_describes_live_tokens_as_google_does(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, [GMAIL_READONLY, "openid", "email"])
    token = flow.oauth2session.token

    for path in ("tokeninfo", "oauth2/v3/tokeninfo"):
        info = requests.get(emulator.url + path, params={"access_token": token["access_token"]},
                            timeout=10)
        assert info.status_code == 200
        body = info.json()
        assert body["aud"] == body["azp"] == "test-client.apps.googleusercontent.com"
        assert set(body["scope"].split()) == {GMAIL_READONLY, "openid", USERINFO_EMAIL}
        assert body["email"] == "alice@example.com" and body["email_verified"] == "true"
        assert body["sub"] == userinfo(emulator, token["access_token"]).json()["sub"]
        assert 0 < int(body["expires_in"]) <= 3600

    bearer = requests.post(emulator.url + "tokeninfo", timeout=10,  # as Node's getTokenInfo
                           headers={"Authorization": f"Bearer {token['access_token']}"})
    assert bearer.status_code == 200 and bearer.json()["email"] == "alice@example.com"

    claims = requests.post(emulator.url + "tokeninfo", data={"id_token": token["id_token"]},
                           timeout=10).json()
    assert claims["email"] == "alice@example.com" and claims["email_verified"] == "true"
    assert claims["alg"] == "RS256" and claims["kid"]

    requests.post(emulator.url + "revoke", data={"token": token["access_token"]},
                  timeout=10).raise_for_status()
    for params in ({"access_token": token["access_token"]}, {"id_token": "not.a.jwt"}, {}):
        dead = requests.get(emulator.url + "tokeninfo", params=params, timeout=10)
        assert dead.status_code == 400
        assert dead.json() == {"error": "invalid_token", "error_description": "Invalid Value"}
    for header in (f"Bearer {token['access_token']}", "Bearer ", "Basic x"):
        dead = requests.post(emulator.url + "tokeninfo", headers={"Authorization": header},
                             timeout=10)
        assert dead.status_code == 400
        assert dead.json() == {"error": "invalid_token", "error_description": "Invalid Value"}


def test_userinfo_v2_through_the_oauth2_client_library(emulator: EmulatorServer) -> None:
    from googleapiclient.discovery import build

    creds = sign_in(emulator, [GMAIL_READONLY] + OPENID).credentials
    oauth2 = build("oauth2", "v2", credentials=creds, static_discovery=True,
                   client_options={"api_endpoint": emulator.url})

    me = oauth2.userinfo().get().execute()

    assert me["email"] == "alice@example.com" and me["verified_email"] is True
    assert me["id"] == userinfo(emulator, creds.token).json()["sub"]
    assert me["given_name"] == "Alice" and me["family_name"] == "Example"


def test_userinfo_refuses_a_dead_token_with_googles_challenge(emulator: EmulatorServer) -> None:
    creds = sign_in(emulator, [GMAIL_READONLY] + OPENID).credentials
    requests.post(emulator.url + "revoke", data={"token": creds.token},
                  timeout=10).raise_for_status()

    for path in ("oauth2/v3/userinfo", "v1/userinfo", "oauth2/v2/userinfo"):
        dead = requests.get(emulator.url + path, timeout=10,
                            headers={"Authorization": f"Bearer {creds.token}"})
        assert dead.status_code == 401
        assert dead.json() == {"error": "invalid_request",
                               "error_description": "Invalid Credentials"}
        assert dead.headers["WWW-Authenticate"] == (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"')
    missing = requests.get(emulator.url + "oauth2/v3/userinfo", timeout=10)
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="https://accounts.google.com/"'


def test_revoke_by_get_with_the_token_in_the_query(emulator: EmulatorServer) -> None:
    creds = sign_in(emulator, [GMAIL_READONLY]).credentials
    answer = requests.get(emulator.url + "o/oauth2/revoke", params={"token": creds.token},
                          timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {}
    assert userinfo(emulator, creds.token).status_code == 401


def test_discovery_lists_every_claim_an_id_token_carries(emulator: EmulatorServer) -> None:
    flow = sign_in(emulator, OPENID, nonce="n-1")
    config = requests.get(emulator.url + ".well-known/openid-configuration", timeout=10).json()
    claims = id_token.verify_token(flow.oauth2session.token["id_token"],
                                   google.auth.transport.requests.Request(),
                                   audience="test-client.apps.googleusercontent.com",
                                   certs_url=config["jwks_uri"])
    assert set(claims) - {"azp", "at_hash"} <= set(config["claims_supported"])


def test_email_and_profile_come_back_as_their_userinfo_urls(
        emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # As with Google: the token answer names the scopes by URL, so oauthlib, comparing
    # them with what was asked for, refuses the answer unless told to accept the change.
    monkeypatch.delenv("OAUTHLIB_RELAX_TOKEN_SCOPE")
    with pytest.raises(Warning, match="Scope has changed"):
        sign_in(emulator, [GMAIL_READONLY, *OPENID])
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    flow = sign_in(emulator, [GMAIL_READONLY, *OPENID])
    assert set(flow.oauth2session.token["scope"]) == {
        GMAIL_READONLY, "openid", USERINFO_EMAIL, USERINFO_PROFILE}
