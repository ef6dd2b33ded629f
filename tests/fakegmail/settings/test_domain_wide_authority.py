"""Settings methods Gmail keeps to service accounts with domain-wide authority."""

from __future__ import annotations

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import document_with_root
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, SHARING, refused

ALIAS = "penjualan@luar.example"
ARCHIVE = "arsip@luar.example"
DOMAIN_WIDE_ONLY = ("Access restricted to service accounts that have been delegated "
                    "domain-wide authority")


def _setup(users):
    """Give the account an alias and a forwarding address (as a service account)."""
    settings = users.settings()
    settings.sendAs().create(userId="me", body={"sendAsEmail": ALIAS}).execute()
    settings.forwardingAddresses().create(userId="me",
                                          body={"forwardingEmail": ARCHIVE}).execute()


CALLS = {
    "sendAs.create": lambda s: s.sendAs().create(userId="me",
                                                 body={"sendAsEmail": "baru@luar.example"}),
    "sendAs.update": lambda s: s.sendAs().update(userId="me", sendAsEmail=ALIAS,
                                                 body={"displayName": "Toko"}),
    "sendAs.patch": lambda s: s.sendAs().patch(userId="me", sendAsEmail=ALIAS,
                                               body={"displayName": "Toko"}),
    "sendAs.verify": lambda s: s.sendAs().verify(userId="me", sendAsEmail=ALIAS),
    "sendAs.delete": lambda s: s.sendAs().delete(userId="me", sendAsEmail=ALIAS),
    "forwardingAddresses.create": lambda s: s.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": "lain@luar.example"}),
    "forwardingAddresses.delete": lambda s: s.forwardingAddresses().delete(
        userId="me", forwardingEmail=ARCHIVE),
    "updateAutoForwarding": lambda s: s.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": ARCHIVE, "disposition": "archive"}),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_persons_token_is_refused_with_gmails_403_and_nothing_changes(
        users, person, call):
    _setup(users)
    before = (users.settings().sendAs().list(userId="me").execute(),
              users.settings().forwardingAddresses().list(userId="me").execute(),
              users.settings().getAutoForwarding(userId="me").execute())
    status, error = refused(call(person.settings()))
    assert (status, error["status"], error["message"]) == (403, "PERMISSION_DENIED",
                                                           DOMAIN_WIDE_ONLY)
    assert error["errors"] == [{"message": DOMAIN_WIDE_ONLY, "domain": "global",
                                "reason": "forbidden"}]
    assert (users.settings().sendAs().list(userId="me").execute(),
            users.settings().forwardingAddresses().list(userId="me").execute(),
            users.settings().getAutoForwarding(userId="me").execute()) == before


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_service_account_with_domain_wide_authority_may(users, call):
    _setup(users)
    call(users.settings()).execute()


def test_a_person_still_renames_and_signs_their_primary_address(account, person):
    send_as = person.settings().sendAs()
    changed = execute_checked(send_as.patch(userId="me", sendAsEmail=account.email,
                                            body={"signature": "Salam, Ayu"}))
    assert changed["signature"] == "Salam, Ayu"


def test_a_person_without_the_scope_hears_about_the_scope_first(account, service_for):
    status, error = refused(service_for(account, scopes=[BASIC]).users().settings()
                            .forwardingAddresses().create(
                                userId="me", body={"forwardingEmail": ARCHIVE}))
    assert (status, error["message"]) == (403, "Request had insufficient authentication "
                                               "scopes.")


def test_the_control_api_mints_a_service_account_token(fake_gmail):
    answer = requests.post(f"{fake_gmail.url}/_emulator/accounts", json={
        "email": "admin-target@perusahaan.example",
        "scopes": ["https://mail.google.com/", SHARING],
        "domain_wide_delegation": True}, timeout=10).json()
    assert answer["domain_wide_delegation"] is True
    gmail = build_from_document(document_with_root(fake_gmail.url),
                                credentials=Credentials(answer["access_token"]))
    created = execute_checked(gmail.users().settings().forwardingAddresses().create(
        userId="me", body={"forwardingEmail": ARCHIVE}))
    assert created == {"forwardingEmail": ARCHIVE, "verificationStatus": "accepted"}
    person = requests.post(f"{fake_gmail.url}/_emulator/accounts", json={
        "email": "admin-target@perusahaan.example"}, timeout=10).json()
    assert person["domain_wide_delegation"] is False


def test_the_control_api_refuses_a_domain_wide_delegation_that_is_no_boolean(fake_gmail):
    answer = requests.post(f"{fake_gmail.url}/_emulator/accounts", json={
        "email": "x@perusahaan.example", "domain_wide_delegation": "yes"}, timeout=10)
    assert answer.status_code == 400
    assert "domain_wide_delegation" in answer.json()["error"]["message"]
