"""Scope refusals and ``fields`` partial responses through the Gmail client."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import METADATA, READONLY, SEND, b64, gmail_error, make_raw
from tests.fakegmail.conformance import execute_checked


def test_readonly_token_cannot_send(account, service_for):
    users = service_for(account, scopes=[READONLY]).users()
    with pytest.raises(HttpError) as caught:
        users.messages().send(userId="me", body={"raw": b64(make_raw())}).execute()
    assert caught.value.resp.status == 403
    assert gmail_error(caught.value)["errors"][0]["reason"] == "insufficientPermissions"


def test_send_scope_can_send_but_not_read(account, service_for):
    users = service_for(account, scopes=[SEND]).users()
    sent = users.messages().send(userId="me", body={"raw": b64(make_raw())}).execute()
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id=sent["id"]).execute()
    assert caught.value.resp.status == 403


@pytest.mark.parametrize("fmt", ["full", "raw"])
def test_metadata_scope_refuses_content_formats(account, service_for, fmt):
    message = account.mailbox.add_message(make_raw())
    users = service_for(account, scopes=[METADATA]).users()
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id=message.id, format=fmt).execute()
    assert caught.value.resp.status == 403
    assert gmail_error(caught.value)["message"] == (
        f"Metadata scope doesn't allow format {fmt.upper()}")


def test_metadata_scope_reads_headers_and_lists_without_q(account, service_for):
    message = account.mailbox.add_message(make_raw(subject="Visible"))
    users = service_for(account, scopes=[METADATA]).users()
    got = users.messages().get(userId="me", id=message.id, format="metadata").execute()
    assert any(h["value"] == "Visible" for h in got["payload"]["headers"])
    assert users.messages().list(userId="me").execute()["resultSizeEstimate"] == 1
    with pytest.raises(HttpError) as caught:
        users.messages().list(userId="me", q="Visible").execute()
    assert caught.value.resp.status == 403
    assert gmail_error(caught.value)["message"] == (
        "Metadata scope does not support 'q' parameter")


def test_metadata_scope_with_readonly_reads_everything(account, service_for):
    message = account.mailbox.add_message(make_raw())
    users = service_for(account, scopes=[METADATA, READONLY]).users()
    assert "payload" in users.messages().get(userId="me", id=message.id).execute()


def test_send_as_lists_the_primary_address(users, account):
    listed = execute_checked(users.settings().sendAs().list(userId="me"))
    assert listed["sendAs"][0]["sendAsEmail"] == account.email
    assert listed["sendAs"][0]["isDefault"] is True
    got = users.settings().sendAs().get(userId="me", sendAsEmail=account.email).execute()
    assert got["isPrimary"] is True
    with pytest.raises(HttpError) as caught:
        users.settings().sendAs().get(userId="me", sendAsEmail="alias@example.org").execute()
    assert caught.value.resp.status == 404


def test_fields_on_a_list(users, account):
    for i in range(3):
        account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i)
    answer = users.messages().list(userId="me", maxResults=2,
                                   fields="messages(id),nextPageToken").execute()
    assert set(answer) == {"messages", "nextPageToken"}
    assert all(set(m) == {"id"} for m in answer["messages"])


def test_fields_with_paths_and_nested_selections(users, account):
    message = account.mailbox.add_message(make_raw(subject="Fielded"))
    answer = users.messages().get(userId="me", id=message.id, format="metadata",
                                  fields="id,payload/headers(name),labelIds").execute()
    assert set(answer) == {"id", "payload", "labelIds"}
    assert set(answer["payload"]) == {"headers"}
    assert {"name"} == set(answer["payload"]["headers"][0])


def test_fields_on_a_thread(users, account):
    message = account.mailbox.add_message(make_raw())
    answer = users.threads().get(userId="me", id=message.thread_id,
                                 fields="messages(id,threadId)").execute()
    assert answer == {"messages": [{"id": message.id, "threadId": message.thread_id}]}


@pytest.mark.parametrize("fields", ["nosuchfield", "messages(id", "messages(bogus)"])
def test_invalid_fields_are_400(users, fields):
    with pytest.raises(HttpError) as caught:
        users.messages().list(userId="me", fields=fields).execute()
    assert caught.value.resp.status == 400


def test_unknown_token_is_401_in_gmails_shape(fake_gmail):
    import httplib2

    response, content = httplib2.Http().request(
        fake_gmail.url + "gmail/v1/users/me/profile",
        headers={"Authorization": "Bearer ya29.unknown"})
    assert response.status == 401
    assert "invalid_token" in response["www-authenticate"]
    assert gmail_error(HttpError(response, content))["errors"][0]["reason"] == "authError"


@pytest.mark.parametrize(("authorization", "reason", "item"), [
    ({"Authorization": "Bearer ya29.unknown"}, "authError", "Invalid Credentials"),
    ({}, "required", "Login Required."),
], ids=["unknown-token", "no-token"])
def test_a_401_names_the_authorization_header_as_google_does(fake_gmail, authorization,
                                                              reason, item):
    import httplib2

    response, content = httplib2.Http().request(
        fake_gmail.url + "gmail/v1/users/me/profile", headers=authorization)
    error = gmail_error(HttpError(response, content))
    assert response.status == 401
    assert error["status"] == "UNAUTHENTICATED"
    assert error["message"].endswith(
        "See https://developers.google.com/identity/sign-in/web/devconsole-project.")
    assert error["errors"] == [{"message": item, "domain": "global", "reason": reason,
                                "location": "Authorization", "locationType": "header"}]


def test_aliases_added_through_the_control_api_are_listed_and_got(fake_gmail, users, account):
    import requests

    added = requests.post(fake_gmail.url + "_emulator/accounts", timeout=10, json={
        "email": account.email,
        "send_as": [{"email": "Sales@Example.org", "name": "Toko Sales"},
                    {"email": account.email, "name": "ignored: the own address"}]})
    assert added.status_code == 201
    listed = execute_checked(users.settings().sendAs().list(userId="me"))
    assert [(s["sendAsEmail"], s["isDefault"]) for s in listed["sendAs"]] == [
        (account.email, True), ("sales@example.org", False)]
    alias = execute_checked(users.settings().sendAs().get(userId="me",
                                                          sendAsEmail="sales@example.org"))
    assert alias["displayName"] == "Toko Sales"
    assert (alias["isPrimary"], alias["verificationStatus"]) == (False, "accepted")


@pytest.mark.parametrize("send_as", [
    "sales@example.org", [{"email": "not-an-address"}], [{"email": "a@b.test", "name": 3}],
    [{"email": "a@b.test", "colour": "red"}]])
def test_malformed_aliases_are_refused_naming_the_field(fake_gmail, account, send_as):
    import requests

    answer = requests.post(fake_gmail.url + "_emulator/accounts", timeout=10,
                           json={"email": account.email, "send_as": send_as})
    assert answer.status_code == 400
    assert "email" in answer.json()["error"]["message"]
