"""users.settings.filters through the client library."""

from __future__ import annotations

import pytest

from tests.fakegmail.api.conftest import MODIFY, READONLY
from tests.fakegmail.conformance import execute_checked
from tests.fakegmail.settings.conftest import BASIC, SHARING, refused, units_of

NEWSLETTERS = {"criteria": {"from": "news@toko.example", "hasAttachment": False},
               "action": {"addLabelIds": ["CATEGORY_PROMOTIONS"], "removeLabelIds": ["INBOX"]}}


def test_an_account_without_filters_lists_an_empty_object(settings):
    assert execute_checked(settings.filters().list(userId="me")) == {}


def test_create_get_list_and_delete(fake_gmail, account, users, settings):
    label = users.labels().create(userId="me", body={"name": "Tagihan"}).execute()
    filters = settings.filters()
    created = execute_checked(filters.create(userId="me", body=NEWSLETTERS))
    assert created["criteria"] == {"from": "news@toko.example"}
    assert created["action"] == NEWSLETTERS["action"]
    second = execute_checked(filters.create(userId="me", body={
        "criteria": {"subject": "  invoice   due ", "size": 1000, "sizeComparison": "larger"},
        "action": {"addLabelIds": [label["id"], "STARRED"]}}))
    assert second["criteria"] == {"subject": "invoice due", "size": 1000,
                                  "sizeComparison": "larger"}
    assert created["id"] != second["id"]
    assert execute_checked(filters.get(userId="me", id=created["id"])) == created
    listed = execute_checked(filters.list(userId="me"))
    assert listed == {"filter": [created, second]}
    assert execute_checked(filters.delete(userId="me", id=created["id"])) == ""
    assert execute_checked(filters.list(userId="me")) == {"filter": [second]}
    assert units_of(fake_gmail, account.email) == 5 + 5 + 5 + 1 + 1 + 5 + 1  # label first


def test_an_unknown_filter_id_is_404(settings):
    for request in (settings.filters().get(userId="me", id="ANe1BmNoSuchFilter"),
                    settings.filters().delete(userId="me", id="ANe1BmNoSuchFilter")):
        status, error = refused(request)
        assert (status, error["status"], error["errors"][0]["reason"]) == (
            404, "NOT_FOUND", "notFound")


@pytest.mark.parametrize(("body", "words"), [
    ({"action": {"addLabelIds": ["STARRED"]}}, "Filter doesn't have any criteria"),
    ({"criteria": {"from": "   "}, "action": {"addLabelIds": ["STARRED"]}},
     "Filter doesn't have any criteria"),
    ({"criteria": {"from": "a@example.org"}}, "Filter doesn't have any actions"),
    ({"criteria": {"from": "a@example.org"}, "action": {"addLabelIds": ["Label_404"]}},
     "Invalid label: Label_404"),
    ({"criteria": {"from": "a@example.org"}, "action": {"addLabelIds": ["SENT"]}},
     "Invalid label: SENT"),
    ({"criteria": {"from": "a@example.org"}, "action": {"forward": "x@example.org"}},
     "verified forwarding address"),
    ({"criteria": {"size": 10}, "action": {"addLabelIds": ["STARRED"]}}, "sizeComparison"),
    ({"criteria": {"sizeComparison": "larger"}, "action": {"addLabelIds": ["STARRED"]}},
     "sizeComparison"),
])
def test_create_refusals(settings, body, words):
    status, error = refused(settings.filters().create(userId="me", body=body))
    assert (status, error["status"]) == (400, "INVALID_ARGUMENT")
    assert words in error["message"]


def test_a_filter_that_exists_already_is_400(settings):
    settings.filters().create(userId="me", body=NEWSLETTERS).execute()
    status, error = refused(settings.filters().create(userId="me", body=NEWSLETTERS))
    assert (status, error["message"]) == (400, "Filter already exists")


def test_a_filter_forwards_to_a_verified_forwarding_address(settings):
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": "arsip@example.org"}).execute()
    created = execute_checked(settings.filters().create(userId="me", body={
        "criteria": {"query": "has:attachment invoice"},
        "action": {"forward": "Arsip@example.org"}}))
    assert created["action"] == {"forward": "arsip@example.org"}


def test_an_unknown_field_in_a_filter_is_refused_by_the_front_end(settings):
    status, error = refused(settings.filters().create(userId="me", body={
        "criteria": {"sender": "a@example.org"}, "action": {"addLabelIds": ["STARRED"]}}))
    assert status == 400
    assert 'Unknown name "sender" at \'filter.criteria\'' in error["message"]


@pytest.mark.parametrize("scope", [READONLY, MODIFY, SHARING])
def test_creating_a_filter_takes_the_basic_settings_scope(account, service_for, scope):
    filters = service_for(account, scopes=[scope]).users().settings().filters()
    status, error = refused(filters.create(userId="me", body=NEWSLETTERS))
    assert (status, error["errors"][0]["reason"]) == (403, "insufficientPermissions")
    status, _ = refused(filters.delete(userId="me", id="ANe1BmNoSuchFilter"))
    assert status == 403


def test_fields_select_parts_of_the_filter_list(settings):
    created = settings.filters().create(userId="me", body=NEWSLETTERS).execute()
    assert settings.filters().list(userId="me", fields="filter(id)").execute() == {
        "filter": [{"id": created["id"]}]}


def test_filters_created_at_once_from_many_threads_all_land_with_distinct_ids(
        account, service_for):
    from concurrent.futures import ThreadPoolExecutor

    def create(number: int) -> str:
        filters = service_for(account, scopes=[BASIC]).users().settings().filters()
        created = filters.create(userId="me", body={
            "criteria": {"from": f"sender{number}@example.org"},
            "action": {"addLabelIds": ["STARRED"]}}).execute()
        return str(created["id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(24)))
    assert len(set(ids)) == 24
    listed = service_for(account, scopes=[BASIC]).users().settings().filters().list(
        userId="me").execute()
    assert sorted(f["id"] for f in listed["filter"]) == sorted(ids)
