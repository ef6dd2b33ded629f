"""Gmail methods the emulator does not serve answer a clear Gmail-shaped 501."""

from __future__ import annotations

import json

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import gmail_error


@pytest.mark.parametrize(("call", "method_id"), [
    (lambda u: u.settings().delegates().list(userId="me"),
     "gmail.users.settings.delegates.list"),
    (lambda u: u.settings().delegates().create(userId="me",
                                               body={"delegateEmail": "a@b.test"}),
     "gmail.users.settings.delegates.create"),
    (lambda u: u.settings().sendAs().smimeInfo().list(userId="me", sendAsEmail="a@b.test"),
     "gmail.users.settings.sendAs.smimeInfo.list"),
    (lambda u: u.settings().cse().identities().list(userId="me"),
     "gmail.users.settings.cse.identities.list"),
])
def test_unimplemented_method_is_a_gmail_shaped_501_naming_it(users, call, method_id):
    with pytest.raises(HttpError) as caught:
        call(users).execute()
    assert caught.value.resp.status == 501
    assert caught.value.resp["content-type"].startswith("application/json")
    error = gmail_error(caught.value)
    assert (error["code"], error["status"]) == (501, "UNIMPLEMENTED")
    assert method_id in error["message"]
    assert error["errors"][0]["reason"] == "notImplemented"


def test_unimplemented_method_in_a_batch_fails_only_its_part(gmail, users):
    outcomes = {}

    def record(request_id, response, exception):
        outcomes[request_id] = exception or response

    batch = gmail.new_batch_http_request(callback=record)
    batch.add(users.getProfile(userId="me"), request_id="profile")
    batch.add(users.settings().delegates().list(userId="me"), request_id="delegates")
    batch.execute()
    assert "emailAddress" in outcomes["profile"]
    assert outcomes["delegates"].resp.status == 501
    assert "delegates.list" in json.loads(outcomes["delegates"].content)["error"]["message"]
