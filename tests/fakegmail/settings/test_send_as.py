"""users.settings.sendAs create/update/patch/delete/verify beside list/get."""

from __future__ import annotations

import json

import pytest

from tests.fakegmail.api.conftest import insert, make_raw
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, SHARING, refused, units_of


def _domain(account):
    return account.email.rsplit("@", 1)[1]


def test_an_alias_in_the_accounts_domain_is_accepted_at_once(account, settings):
    address = f"sales@{_domain(account)}"
    created = execute_checked(settings.sendAs().create(userId="me", body={
        "sendAsEmail": address, "displayName": "Toko Sales", "replyToAddress":
        "help@example.org", "signature": "<b>Toko</b>"}))
    assert created == {"sendAsEmail": address, "displayName": "Toko Sales",
                       "replyToAddress": "help@example.org", "signature": "<b>Toko</b>",
                       "isPrimary": False, "isDefault": False, "treatAsAlias": True,
                       "verificationStatus": "accepted"}
    listed = execute_checked(settings.sendAs().list(userId="me"))
    assert [s["sendAsEmail"] for s in listed["sendAs"]] == [account.email, address]


def test_an_alias_elsewhere_is_pending_until_verified_and_only_then_sends_as_the_owner(
        account, users, settings):
    send_as = settings.sendAs()
    created = execute_checked(send_as.create(userId="me", body={
        "sendAsEmail": "ana@example.org", "displayName": "Ana"}))
    assert created["verificationStatus"] == "pending"
    # messages.insert files the owner's own mail as SENT; a pending alias is not its own.
    pending_copy = insert(users, make_raw(sender="ana@example.org"), labels=["INBOX"])
    assert "SENT" not in pending_copy["labelIds"]
    assert execute_checked(send_as.verify(userId="me", sendAsEmail="ana@example.org")) == ""
    got = execute_checked(send_as.get(userId="me", sendAsEmail="ana@example.org"))
    assert got["verificationStatus"] == "accepted"
    verified_copy = insert(users, make_raw(sender="ana@example.org"), labels=["INBOX"])
    assert "SENT" in verified_copy["labelIds"]


def test_verify_refuses_what_is_not_pending_and_unknown_addresses_are_404(account, settings):
    send_as = settings.sendAs()
    send_as.create(userId="me", body={"sendAsEmail": f"ops@{_domain(account)}"}).execute()
    for address in (account.email, f"ops@{_domain(account)}"):
        status, error = refused(send_as.verify(userId="me", sendAsEmail=address))
        assert status == 400 and "pending" in error["message"]
    status, _ = refused(send_as.verify(userId="me", sendAsEmail="nobody@example.org"))
    assert status == 404


def test_deleting_the_primary_address_is_400(account, settings):
    status, error = refused(settings.sendAs().delete(userId="me", sendAsEmail=account.email))
    assert (status, error["status"], error["errors"][0]["reason"]) == (
        400, "INVALID_ARGUMENT", "invalidArgument")
    assert "primary" in error["message"]
    listed = settings.sendAs().list(userId="me").execute()
    assert [s["sendAsEmail"] for s in listed["sendAs"]] == [account.email]


def test_delete_an_alias_and_the_default_returns_to_the_primary(account, settings):
    send_as = settings.sendAs()
    address = f"sales@{_domain(account)}"
    send_as.create(userId="me", body={"sendAsEmail": address}).execute()
    made_default = execute_checked(send_as.patch(userId="me", sendAsEmail=address,
                                                 body={"isDefault": True}))
    assert made_default["isDefault"] is True
    primary = send_as.get(userId="me", sendAsEmail=account.email).execute()
    assert primary["isDefault"] is False
    assert execute_checked(send_as.delete(userId="me", sendAsEmail=address)) == ""
    assert send_as.get(userId="me", sendAsEmail=account.email).execute()["isDefault"] is True
    status, _ = refused(send_as.delete(userId="me", sendAsEmail=address))
    assert status == 404


def test_update_replaces_and_patch_changes_only_what_it_names(account, settings):
    send_as = settings.sendAs()
    address = f"sales@{_domain(account)}"
    send_as.create(userId="me", body={"sendAsEmail": address, "displayName": "Sales",
                                      "signature": "Salam", "treatAsAlias": False}).execute()
    patched = execute_checked(send_as.patch(userId="me", sendAsEmail=address,
                                            body={"replyToAddress": "cs@example.org"}))
    assert (patched["displayName"], patched["signature"], patched["treatAsAlias"],
            patched["replyToAddress"]) == ("Sales", "Salam", False, "cs@example.org")
    replaced = execute_checked(send_as.update(userId="me", sendAsEmail=address,
                                              body={"displayName": "Penjualan"}))
    assert (replaced["displayName"], replaced["signature"], replaced["replyToAddress"],
            replaced["treatAsAlias"]) == ("Penjualan", "", "", True)


def test_the_primary_address_takes_a_name_and_signature_and_ignores_read_only_fields(
        account, settings):
    updated = execute_checked(settings.sendAs().update(
        userId="me", sendAsEmail=account.email,
        body={"displayName": "Ana Santoso", "signature": "-- Ana", "isPrimary": False,
              "sendAsEmail": "other@example.org", "verificationStatus": "pending"}))
    assert (updated["sendAsEmail"], updated["displayName"], updated["signature"],
            updated["isPrimary"]) == (account.email, "Ana Santoso", "-- Ana", True)
    assert "verificationStatus" not in updated


def test_smtp_relay_credentials_are_written_but_never_answered(account, settings):
    relay = {"host": "smtp.example.org", "port": 587, "securityMode": "starttls",
             "username": "relay-user", "password": "relay-secret"}
    created = execute_checked(settings.sendAs().create(userId="me", body={
        "sendAsEmail": f"relay@{_domain(account)}", "smtpMsa": relay}))
    assert created["smtpMsa"] == {"host": "smtp.example.org", "port": 587,
                                  "securityMode": "starttls"}
    for answer in (settings.sendAs().list(userId="me").execute(),
                   settings.sendAs().get(userId="me",
                                         sendAsEmail=f"relay@{_domain(account)}").execute()):
        assert "relay-secret" not in json.dumps(answer)
        assert "relay-user" not in json.dumps(answer)
    address = f"relay@{_domain(account)}"
    settings.sendAs().update(userId="me", sendAsEmail=address, body={
        "smtpMsa": created["smtpMsa"]}).execute()  # written back as read
    book = account.state.account(account.email).settings.send_as
    assert book.extras[address]["smtpMsa"]["password"] == "relay-secret"


@pytest.mark.parametrize(("body", "status", "words"), [
    ({}, 400, "sendAsEmail"),
    ({"sendAsEmail": "not an address"}, 400, "sendAsEmail"),
    ({"sendAsEmail": "a@example.org", "replyToAddress": "nobody"}, 400, "replyToAddress"),
    ({"sendAsEmail": "a@example.org", "smtpMsa": {"host": "smtp.example.org"}}, 400,
     "smtpMsa"),
    ({"sendAsEmail": "a@example.org", "isDefault": True}, 400, "verified"),
])
def test_create_refusals(settings, body, status, words):
    got, error = refused(settings.sendAs().create(userId="me", body=body))
    assert got == status and words in error["message"]


def test_an_address_the_account_already_sends_as_is_409(account, settings):
    settings.sendAs().create(userId="me", body={"sendAsEmail": "ana@example.org"}).execute()
    for address in (account.email, "ANA@example.org"):
        status, error = refused(settings.sendAs().create(userId="me",
                                                         body={"sendAsEmail": address}))
        assert (status, error["message"]) == (409, "Send-as alias already exists")


def test_a_pending_alias_cannot_be_the_default_and_the_default_cannot_be_unset(
        account, settings):
    send_as = settings.sendAs()
    send_as.create(userId="me", body={"sendAsEmail": "ana@example.org"}).execute()
    status, error = refused(send_as.patch(userId="me", sendAsEmail="ana@example.org",
                                          body={"isDefault": True}))
    assert status == 400 and "verified" in error["message"]
    status, error = refused(send_as.patch(userId="me", sendAsEmail=account.email,
                                          body={"isDefault": False}))
    assert status == 400 and "only true" in error["message"]


@pytest.mark.parametrize("call", [
    lambda s: s.create(userId="me", body={"sendAsEmail": "x@example.org"}),
    lambda s: s.delete(userId="me", sendAsEmail="x@example.org"),
    lambda s: s.verify(userId="me", sendAsEmail="x@example.org"),
])
def test_create_delete_and_verify_take_the_sharing_scope(account, service_for, call):
    send_as = service_for(account, scopes=[BASIC]).users().settings().sendAs()
    status, error = refused(call(send_as))
    assert (status, error["errors"][0]["reason"]) == (403, "insufficientPermissions")


def test_the_sharing_scope_alone_creates_verifies_and_deletes(account, service_for):
    send_as = service_for(account, scopes=[SHARING], delegated=True).users().settings().sendAs()
    execute_checked(send_as.create(userId="me", body={"sendAsEmail": "x@example.org"}))
    execute_checked(send_as.verify(userId="me", sendAsEmail="x@example.org"))
    execute_checked(send_as.delete(userId="me", sendAsEmail="x@example.org"))


@pytest.mark.parametrize("scope", [BASIC, SHARING])
def test_update_and_patch_take_either_settings_scope(account, service_for, scope):
    send_as = service_for(account, scopes=[scope]).users().settings().sendAs()
    execute_checked(send_as.patch(userId="me", sendAsEmail=account.email,
                                  body={"signature": "-- Ana"}))
    execute_checked(send_as.update(userId="me", sendAsEmail=account.email,
                                   body={"signature": "-- A"}))


def test_update_without_a_settings_scope_is_403(account, service_for):
    send_as = service_for(account).users().settings().sendAs()  # full scope only
    status, error = refused(send_as.patch(userId="me", sendAsEmail=account.email, body={}))
    assert (status, error["errors"][0]["reason"]) == (403, "insufficientPermissions")


def test_send_as_calls_cost_gmails_units(fake_gmail, account, settings):
    address = f"sales@{_domain(account)}"
    settings.sendAs().create(userId="me", body={"sendAsEmail": address}).execute()  # 100
    settings.sendAs().patch(userId="me", sendAsEmail=address, body={}).execute()  # 100
    settings.sendAs().get(userId="me", sendAsEmail=address).execute()  # 1
    settings.sendAs().delete(userId="me", sendAsEmail=address).execute()  # 5
    assert units_of(fake_gmail, account.email) == 100 + 100 + 1 + 5
