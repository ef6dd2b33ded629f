"""The id_token checks of the staff sign-in, against tokens the emulator really issued."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.webclient.conftest import CLIENT_ID, CLIENT_SECRET, consent
from tests.webclient.staff.conftest import STAFF_REDIRECT_URI, SUPPORT
from webclient.config import emulator_oauth_client
from webclient.staff import oidc


@pytest.fixture
def issued(web_emulator) -> tuple[str, oidc.PendingStaffSignIn, object]:
    """Return an id_token for SUPPORT, the sign-in it belongs to, and the client."""
    client = emulator_oauth_client(web_emulator.url, CLIENT_ID, CLIENT_SECRET)
    url, pending = oidc.start(client, STAFF_REDIRECT_URI, domain="qontak.com")
    code = parse_qs(urlsplit(consent(web_emulator, url, SUPPORT)).query)["code"][0]
    answer = requests.post(client.token_uri, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": STAFF_REDIRECT_URI,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "code_verifier": pending.code_verifier}, timeout=10)
    return answer.json()["id_token"], pending, client


def test_a_genuine_token_gives_the_identity(issued):
    token, pending, client = issued
    identity = oidc.verify(client, token, nonce=pending.nonce, domain="qontak.com")
    assert identity.email == SUPPORT and identity.hosted_domain == "qontak.com"


def test_a_token_of_another_sign_in_is_refused(issued):
    token, _pending, client = issued
    with pytest.raises(oidc.StaffSignInError) as caught:
        oidc.verify(client, token, nonce="another-sign-in", domain="qontak.com")
    assert caught.value.code == "nonce"


def test_a_token_for_another_client_is_refused(issued):
    token, pending, client = issued
    other = replace(client, client_id="someone-else.apps.googleusercontent.com")
    with pytest.raises(oidc.StaffSignInError) as caught:
        oidc.verify(other, token, nonce=pending.nonce, domain="qontak.com")
    assert caught.value.code == "token"


def test_a_token_from_another_issuer_is_refused(issued):
    token, pending, client = issued
    elsewhere = replace(client, auth_uri="https://login.elsewhere.test/auth")
    with pytest.raises(oidc.StaffSignInError) as caught:
        oidc.verify(elsewhere, token, nonce=pending.nonce, domain="qontak.com")
    assert caught.value.code == "issuer"


def test_a_tampered_token_is_refused(issued):
    token, pending, client = issued
    header, payload, signature = token.split(".")
    forged = ".".join((header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"),
                       signature))
    with pytest.raises(oidc.StaffSignInError) as caught:
        oidc.verify(client, forged, nonce=pending.nonce, domain="qontak.com")
    assert caught.value.code == "token"


def test_another_workspace_domain_is_refused(issued):
    token, pending, client = issued
    with pytest.raises(oidc.StaffSignInError) as caught:
        oidc.verify(client, token, nonce=pending.nonce, domain="partner.test")
    assert caught.value.code == "domain"


def test_google_is_the_issuer_in_production():
    client = emulator_oauth_client("https://accounts.google.com/", "id", "secret")
    assert oidc.expected_issuers(client) == {"accounts.google.com",
                                             "https://accounts.google.com"}
