"""Service accounts through google-auth's own ``service_account.Credentials``: the key file
the control API hands out, the JWT-bearer grant at the token endpoint, domain-wide
delegation, and Gmail's answers to the tokens it issues."""

from __future__ import annotations

import json
import time
from typing import Any

import google.auth.crypt
import google.auth.jwt
import google.auth.transport.requests
import google.oauth2.id_token
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from fakegmail.discovery import GMAIL_SCOPE_FULL
from fakegmail.pytest_plugin import (
    FakeGmailAccount,
    FakeServiceAccount,
    new_account,
    new_service_account,
)
from fakegmail.server import EmulatorServer

READONLY = "https://www.googleapis.com/auth/gmail.readonly"
SHARING = "https://www.googleapis.com/auth/gmail.settings.sharing"
DOMAIN = "toko-sa.example"
SIGNATURE = "Invalid JWT Signature."
LIFETIME = ("Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
            "reasonable timeframe. Check your iat and exp values in the JWT claim.")
NOT_DELEGATED = ("Client is unauthorized to retrieve access tokens using this method, or "
                 "client not authorized for any of the scopes requested.")


class RecordingRequest(google.auth.transport.requests.Request):
    """google-auth's requests transport, remembering the token endpoint's last answer."""

    status: int | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        response = super().__call__(*args, **kwargs)
        self.status = response.status
        return response


@pytest.fixture
def user(fake_gmail: EmulatorServer) -> FakeGmailAccount:
    """A person in the delegating Workspace domain, with one message in the inbox."""
    person = new_account(fake_gmail.state, fake_gmail.url,
                         f"ana{time.monotonic_ns()}@{DOMAIN}")
    person.mailbox.add_message(b"From: budi@luar.example\r\nTo: " + person.email.encode()
                               + b"\r\nSubject: Pesanan\r\n\r\nHalo\r\n",
                               label_ids=["INBOX", "UNREAD"])
    return person


@pytest.fixture
def robot(fake_gmail: EmulatorServer) -> FakeServiceAccount:
    """A service account the domain's admin delegated the full and sharing scopes."""
    return new_service_account(fake_gmail.state, fake_gmail.url,
                               {DOMAIN: [GMAIL_SCOPE_FULL, SHARING]})


def refused(credentials: Any) -> tuple[int | None, dict[str, Any]]:
    """Ask the token endpoint for ``credentials``' token, which must be refused; return the
    status and the error body."""
    transport = RecordingRequest()
    with pytest.raises(RefreshError) as caught:
        credentials.refresh(transport)
    body = caught.value.args[1]
    assert isinstance(body, dict)
    return transport.status, body


def test_the_control_api_returns_a_complete_key_file_aimed_at_the_emulator(fake_gmail):
    answer = requests.post(fake_gmail.url + "_emulator/service_accounts", json={
        "project_id": "qontak-crm-test",
        "domain_wide_delegation": {"Toko.Example": [GMAIL_SCOPE_FULL]}}, timeout=10)
    assert answer.status_code == 201
    body = answer.json()
    key_file = body["key_file"]
    assert list(key_file) == ["type", "project_id", "private_key_id", "private_key",
                              "client_email", "client_id", "auth_uri", "token_uri",
                              "auth_provider_x509_cert_url", "client_x509_cert_url",
                              "universe_domain"]
    assert key_file["auth_provider_x509_cert_url"] == fake_gmail.url + "oauth2/v1/certs"
    assert key_file["client_x509_cert_url"] == (
        fake_gmail.url + "robot/v1/metadata/x509/" + key_file["client_email"].replace("@", "%40"))
    assert key_file["type"] == "service_account"
    assert key_file["token_uri"] == fake_gmail.url + "token"
    assert key_file["private_key_id"] == body["key_id"]
    assert key_file["client_email"].endswith("@qontak-crm-test.iam.gserviceaccount.com")
    assert key_file["client_id"].isdigit() and len(key_file["client_id"]) == 21
    key = serialization.load_pem_private_key(key_file["private_key"].encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert body["domain_wide_delegation"] == {"toko.example": [GMAIL_SCOPE_FULL]}
    listed = requests.get(fake_gmail.url + "_emulator/service_accounts", timeout=10).json()
    shown = next(a for a in listed["service_accounts"]
                 if a["client_email"] == key_file["client_email"])
    assert shown["key_ids"] == [body["key_id"]]
    assert "PRIVATE KEY" not in json.dumps(listed)


def test_the_control_api_refuses_a_consumer_domain_and_a_weak_key(fake_gmail):
    url = fake_gmail.url + "_emulator/service_accounts"
    consumer = requests.post(url, json={"domain_wide_delegation": {
        "gmail.com": [GMAIL_SCOPE_FULL]}}, timeout=10)
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    pem = weak.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    small = requests.post(url, json={"public_key": pem}, timeout=10)
    assert (consumer.status_code, small.status_code) == (400, 400)
    assert "Workspace domain" in consumer.json()["error"]["message"]
    assert "2048 bits" in small.json()["error"]["message"]


def test_a_delegated_token_lists_the_users_messages_and_creates_a_send_as_alias(
        robot, user):
    gmail = robot.gmail(user.email, [GMAIL_SCOPE_FULL, SHARING])
    listed = gmail.users().messages().list(userId="me").execute()
    message = gmail.users().messages().get(userId="me", id=listed["messages"][0]["id"],
                                           format="metadata").execute()
    assert len(listed["messages"]) == 1
    assert {"name": "Subject", "value": "Pesanan"} in message["payload"]["headers"]
    created = gmail.users().settings().sendAs().create(
        userId="me", body={"sendAsEmail": "penjualan@" + DOMAIN,
                           "displayName": "Penjualan"}).execute()
    assert (created["sendAsEmail"], created["verificationStatus"]) == (
        "penjualan@" + DOMAIN, "accepted")


def test_a_supplied_public_key_verifies_assertions_signed_with_its_private_key(
        fake_gmail, user):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    answer = requests.post(fake_gmail.url + "_emulator/service_accounts", json={
        "public_key": public_pem, "key_id": "kunci-sendiri",
        "domain_wide_delegation": {DOMAIN: [READONLY]}}, timeout=10).json()
    key_file = answer["key_file"]
    assert "private_key" not in key_file and key_file["private_key_id"] == "kunci-sendiri"
    key_file["private_key"] = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    own = FakeServiceAccount(key_file["client_email"], key_file, fake_gmail.url)
    profile = own.gmail(user.email, [READONLY]).users().getProfile(userId="me").execute()
    assert profile["emailAddress"] == user.email


def test_the_service_accounts_own_token_is_refused_by_gmail_as_gmail_does(robot):
    credentials = robot.credentials([GMAIL_SCOPE_FULL])
    credentials.refresh(google.auth.transport.requests.Request())
    assert credentials.token and credentials.expiry is not None
    with pytest.raises(HttpError) as caught:
        robot.gmail(None).users().messages().list(userId="me").execute()
    error = json.loads(caught.value.content)["error"]
    assert (caught.value.resp.status, error["status"], error["message"]) == (
        400, "FAILED_PRECONDITION", "Precondition check failed.")
    assert error["errors"][0]["reason"] == "failedPrecondition"


def test_a_forged_signature_is_invalid_grant(robot, user):
    forged = dict(robot.key_file)
    forged["private_key"] = rsa.generate_private_key(
        public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    impostor = FakeServiceAccount(robot.client_email, forged, robot.url)
    status, body = refused(impostor.credentials(subject=user.email))
    assert (status, body) == (400, {"error": "invalid_grant", "error_description": SIGNATURE})


@pytest.mark.parametrize("times", [
    {"iat": -7200, "exp": -3600},  # expired an hour ago
    {"iat": 0, "exp": 7200},  # lives two hours
    {"iat": 600, "exp": 1200},  # issued in ten minutes
], ids=["expired", "too-long", "issued-later"])
def test_an_assertion_outside_its_hour_is_invalid_grant(robot, user, times):
    now = int(time.time())
    credentials = robot.credentials(subject=user.email).with_claims(
        {name: now + offset for name, offset in times.items()})
    status, body = refused(credentials)
    assert (status, body) == (400, {"error": "invalid_grant", "error_description": LIFETIME})


def test_a_wrong_audience_is_invalid_grant(robot, user):
    credentials = robot.credentials(subject=user.email).with_claims(
        {"aud": "https://oauth2.example.com/token"})
    status, body = refused(credentials)
    assert (status, body["error"]) == (400, "invalid_grant")
    assert body["error_description"].startswith("Invalid JWT: Failed audience check.")


def test_a_subject_outside_the_delegated_domain_is_unauthorized_client(
        fake_gmail, robot):
    outsider = new_account(fake_gmail.state, fake_gmail.url,
                           f"sari{time.monotonic_ns()}@lain.example")
    status, body = refused(robot.credentials(subject=outsider.email))
    assert (status, body) == (401, {"error": "unauthorized_client",
                                    "error_description": NOT_DELEGATED})


def test_a_scope_beyond_the_delegated_ones_is_unauthorized_client(robot, user):
    status, body = refused(robot.credentials(
        [GMAIL_SCOPE_FULL, "https://www.googleapis.com/auth/calendar"], user.email))
    assert (status, body) == (401, {"error": "unauthorized_client",
                                    "error_description": NOT_DELEGATED})


def test_a_delegated_token_reaches_only_its_scopes_at_gmail(fake_gmail, user):
    reader = new_service_account(fake_gmail.state, fake_gmail.url, {DOMAIN: [READONLY]})
    gmail = reader.gmail(user.email, [READONLY])
    assert gmail.users().messages().list(userId="me").execute()["resultSizeEstimate"] == 1
    with pytest.raises(HttpError) as caught:
        gmail.users().settings().sendAs().create(
            userId="me", body={"sendAsEmail": "penjualan@" + DOMAIN}).execute()
    error = json.loads(caught.value.content)["error"]
    assert (caught.value.resp.status, error["errors"][0]["reason"]) == (
        403, "insufficientPermissions")


def test_an_unknown_user_in_the_delegated_domain_is_invalid_grant(robot):
    status, body = refused(robot.credentials(subject="tidak-ada@" + DOMAIN))
    assert (status, body) == (400, {"error": "invalid_grant",
                                    "error_description": "Invalid email or User ID"})


def test_a_key_file_of_an_unknown_service_account_is_invalid_grant(fake_gmail, robot):
    stranger = dict(robot.key_file, client_email="hilang@fakegmail-test.iam.gserviceaccount.com")
    status, body = refused(FakeServiceAccount(stranger["client_email"], stranger,
                                              fake_gmail.url).credentials())
    assert (status, body["error"]) == (400, "invalid_grant")


def test_the_pytest_fixture_is_delegated_for_the_plugins_accounts(
        fake_gmail_service_account, fake_gmail_account):
    gmail = fake_gmail_service_account.gmail(fake_gmail_account.email)
    profile = gmail.users().getProfile(userId="me").execute()
    assert profile["emailAddress"] == fake_gmail_account.email


def test_the_in_process_mock_serves_service_accounts_at_googles_token_url(gmail_responses):
    gmail_responses.add_account("ana@" + DOMAIN)
    key_file = gmail_responses.add_service_account({DOMAIN: [READONLY]})
    assert key_file["token_uri"] == "https://oauth2.googleapis.com/token"
    credentials = FakeServiceAccount(key_file["client_email"], key_file,
                                     "https://gmail.googleapis.com/").credentials(
        [READONLY], "ana@" + DOMAIN)
    credentials.refresh(google.auth.transport.requests.Request())
    answer = requests.get("https://gmail.googleapis.com/gmail/v1/users/me/profile",
                          headers={"Authorization": f"Bearer {credentials.token}"},
                          timeout=10)
    assert (answer.status_code, answer.json()["emailAddress"]) == (200, "ana@" + DOMAIN)


def _self_signed_jwt(key_file: dict[str, Any], audience: str) -> bytes:
    """Return a JWT the service account signs with its own key, as for a push endpoint."""
    signer = google.auth.crypt.RSASigner.from_service_account_info(key_file)
    now = int(time.time())
    return google.auth.jwt.encode(signer, {
        "iss": key_file["client_email"], "sub": key_file["client_email"],
        "aud": audience, "iat": now, "exp": now + 600})


@pytest.mark.parametrize("form", ["x509", "jwk"])
def test_a_jwt_the_service_account_signs_verifies_against_its_published_keys(
        robot: FakeServiceAccount, form: str) -> None:
    certs_url = robot.key_file["client_x509_cert_url"].replace("/x509/", f"/{form}/")
    token = _self_signed_jwt(robot.key_file, "https://crm.example/push")

    claims = google.oauth2.id_token.verify_token(
        token, google.auth.transport.requests.Request(), audience="https://crm.example/push",
        certs_url=certs_url)

    assert claims["iss"] == robot.key_file["client_email"]


def test_a_supplied_public_key_is_published_as_a_certificate_holding_it(
        fake_gmail: EmulatorServer) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    created = requests.post(fake_gmail.url + "_emulator/service_accounts",
                            json={"public_key": pem, "key_id": "uploaded-key-1"},
                            timeout=10).json()

    published = requests.get(created["key_file"]["client_x509_cert_url"], timeout=10).json()

    certificate = x509.load_pem_x509_certificate(published["uploaded-key-1"].encode())
    assert certificate.public_key().public_numbers() == private.public_key().public_numbers()
    assert list(published) == ["uploaded-key-1"]


def test_the_keys_of_an_unknown_service_account_are_not_found(fake_gmail: EmulatorServer) -> None:
    for form in ("x509", "jwk"):
        answer = requests.get(fake_gmail.url + f"robot/v1/metadata/{form}/"
                              "nobody%40qontak-crm-test.iam.gserviceaccount.com", timeout=10)
        assert answer.status_code == 404
        assert answer.json()["error"]["status"] == "NOT_FOUND"
