"""users.settings.forwardingAddresses through the client library."""

from __future__ import annotations

import pytest

from tests.fakegmail.api.conftest import READONLY
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, refused, units_of


def test_an_account_without_forwarding_addresses_lists_none(settings):
    assert execute_checked(settings.forwardingAddresses().list(userId="me")) == {}


def test_create_accepts_the_address_at_once_and_it_is_listed_and_got(
        fake_gmail, account, settings):
    forwarding = settings.forwardingAddresses()
    created = execute_checked(forwarding.create(
        userId="me", body={"forwardingEmail": "Arsip@Example.org"}))
    assert created == {"forwardingEmail": "arsip@example.org", "verificationStatus": "accepted"}
    forwarding.create(userId="me", body={"forwardingEmail": "audit@example.org"}).execute()
    listed = execute_checked(forwarding.list(userId="me"))
    assert [a["forwardingEmail"] for a in listed["forwardingAddresses"]] == [
        "arsip@example.org", "audit@example.org"]
    assert execute_checked(forwarding.get(userId="me",
                                          forwardingEmail="arsip@example.org")) == created
    assert units_of(fake_gmail, account.email) == 100 + 100 + 1 + 1


def test_delete_removes_it_and_unknown_addresses_are_404(settings):
    forwarding = settings.forwardingAddresses()
    forwarding.create(userId="me", body={"forwardingEmail": "arsip@example.org"}).execute()
    assert execute_checked(forwarding.delete(userId="me",
                                             forwardingEmail="arsip@example.org")) == ""
    for request in (forwarding.get(userId="me", forwardingEmail="arsip@example.org"),
                    forwarding.delete(userId="me", forwardingEmail="arsip@example.org")):
        status, error = refused(request)
        assert (status, error["status"]) == (404, "NOT_FOUND")


def test_an_address_added_twice_is_409(settings):
    forwarding = settings.forwardingAddresses()
    forwarding.create(userId="me", body={"forwardingEmail": "arsip@example.org"}).execute()
    status, error = refused(forwarding.create(
        userId="me", body={"forwardingEmail": "ARSIP@example.org"}))
    assert (status, error["message"]) == (409, "Forwarding address already exists")


@pytest.mark.parametrize("address", [None, "", "arsip", "arsip@", "Ana <ana@example.org>"])
def test_an_address_that_is_no_address_is_400(settings, address):
    body = {} if address is None else {"forwardingEmail": address}
    status, error = refused(settings.forwardingAddresses().create(userId="me", body=body))
    assert status == 400 and "forwardingEmail" in error["message"]


def test_the_accounts_own_address_cannot_be_a_forwarding_address(account, settings):
    status, error = refused(settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": account.email}))
    assert status == 400 and "own address" in error["message"]


def test_changing_forwarding_addresses_takes_the_sharing_scope(account, service_for):
    basic = service_for(account, scopes=[BASIC]).users().settings().forwardingAddresses()
    status, error = refused(basic.create(userId="me",
                                         body={"forwardingEmail": "arsip@example.org"}))
    assert (status, error["errors"][0]["reason"]) == (403, "insufficientPermissions")
    assert execute_checked(basic.list(userId="me")) == {}  # reading needs only basic
    readonly = service_for(account, scopes=[READONLY]).users().settings()
    status, _ = refused(readonly.forwardingAddresses().delete(
        userId="me", forwardingEmail="arsip@example.org"))
    assert status == 403
