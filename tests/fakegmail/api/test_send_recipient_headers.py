"""messages.send and drafts.send refuse a recipient field that holds no address."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import b64, gmail_error


def raw_with(field: str, value: str) -> bytes:
    to = "" if field == "To" else "To: bob@example.org\r\n"
    return (f"From: me@example.org\r\n{to}{field}: {value}\r\nSubject: s\r\n\r\nBody\r\n"
            .encode())


@pytest.mark.parametrize("value", ["not an address", "Bob <bob@example.org>, carol",
                                   "@example.org"])
@pytest.mark.parametrize("field", ["To", "Cc", "Bcc"])
def test_a_recipient_field_with_something_not_an_address_is_400(users, field, value):
    with pytest.raises(HttpError) as caught:
        users.messages().send(userId="me", body={"raw": b64(raw_with(field, value))}).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == f"Invalid {field} header"
    assert error["errors"][0]["reason"] == "invalidArgument"
    assert users.messages().list(userId="me", labelIds=["SENT"]).execute() == {
        "resultSizeEstimate": 0}


def test_a_draft_may_hold_a_bad_recipient_but_is_not_sent_with_it(users):
    draft = users.drafts().create(userId="me", body={"message": {
        "raw": b64(raw_with("To", "carol"))}}).execute()
    with pytest.raises(HttpError) as caught:
        users.drafts().send(userId="me", body={"id": draft["id"]}).execute()
    assert gmail_error(caught.value)["message"] == "Invalid To header"
    assert users.drafts().get(userId="me", id=draft["id"]).execute()["id"] == draft["id"]


@pytest.mark.parametrize("value", [
    '"Santoso, Budi" <budi@example.co.id>', "=?utf-8?q?Jos=C3=A9?= <jose@example.org>",
    "=?utf-8?q?Santoso=2C_Budi?= <budi@example.co.id>",
    "a@example.org, b@example.org,", "user@[192.0.2.1]", "Team: a@example.org, b@example.org;",
])
def test_well_formed_recipient_fields_are_sent(users, value):
    sent = users.messages().send(userId="me", body={"raw": b64(raw_with("To", value))}).execute()
    assert sent["labelIds"] == ["SENT"]


DEEP_COMMENT = "(" * 3000


@pytest.mark.parametrize("field", ["From", "To", "Cc"])
def test_a_comment_nested_thousands_deep_is_read_not_a_server_error(users, field):
    # Python's address parser calls itself per nested comment: this was a 500.
    raw = (f"From: me@example.org {DEEP_COMMENT if field == 'From' else ''}\r\n"
           f"To: bob@example.org {DEEP_COMMENT if field == 'To' else ''}\r\n"
           f"Cc: carol@example.org {DEEP_COMMENT if field == 'Cc' else ''}\r\n"
           "Subject: s\r\n\r\nBody\r\n").encode()
    inserted = users.messages().insert(userId="me", body={"raw": b64(raw)}).execute()
    sent = users.messages().send(userId="me", body={"raw": b64(raw)}).execute()
    assert sent["labelIds"] == ["SENT"]
    found = users.messages().list(userId="me", q="cc:carol@example.org").execute()
    assert {m["id"] for m in found["messages"]} >= {inserted["id"], sent["id"]}
