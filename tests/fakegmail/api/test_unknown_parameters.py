"""A query parameter Gmail does not define is refused, as Google's front end refuses it.

Google binds each query parameter to a field of the method's request message; a name it
cannot bind is a 400 INVALID_ARGUMENT that names it ("Unknown name "foo": Cannot bind query
parameter ..."). The emulator ignored such names, so a typo (``maxResult=5``,
``labelId=INBOX`` on messages.list) passed silently against it and failed against Gmail.
Google's standard parameters and every parameter the discovery document lists stay
accepted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import insert, make_raw


def _refusal(request: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        request.execute()
    return caught.value.resp.status, json.loads(caught.value.content)["error"]


def _with_query(request: Any, extra: str) -> Any:
    request.uri += ("&" if "?" in request.uri else "?") + extra
    return request


@pytest.mark.parametrize(("extra", "name"), [
    ("foo=bar", "foo"),
    ("maxResult=5", "maxResult"),
    ("labelId=INBOX", "labelId"),  # history.list's name, not messages.list's
    ("format=minimal", "format"),
])
def test_an_unknown_query_parameter_is_refused_by_name(users: Any, extra: str,
                                                       name: str) -> None:
    status, error = _refusal(_with_query(users.messages().list(userId="me"), extra))

    message = (f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
               f"parameter. Field '{name}' could not be found in request message.")
    assert status == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == message
    assert error["errors"] == [{"message": message, "reason": "invalid"}]
    assert error["details"] == [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                                 "fieldViolations": [{"description": message}]}]


def test_unknown_parameters_are_refused_on_writes_and_inside_batches(users: Any,
                                                                     gmail: Any) -> None:
    status, _ = _refusal(_with_query(
        users.labels().create(userId="me", body={"name": "Typo"}), "colour=red"))
    assert status == 400
    assert "Typo" not in {label["name"] for label in
                          users.labels().list(userId="me").execute()["labels"]}

    answers: dict[str, Any] = {}
    batch = gmail.new_batch_http_request(
        callback=lambda rid, response, error: answers.update({rid: error}))
    batch.add(_with_query(users.labels().list(userId="me"), "bogus=1"), request_id="bad")
    batch.add(users.labels().list(userId="me"), request_id="good")
    batch.execute()
    assert answers["good"] is None
    assert answers["bad"].resp.status == 400


@pytest.mark.parametrize("extra", [
    "fields=resultSizeEstimate", "prettyPrint=false", "alt=json", "key=AIzaExample",
    "quotaUser=tenant-7", "userIp=192.0.2.1", "upload_protocol=raw", "%24.xgafv=2",
    "callback=", "uploadType=media",
])
def test_google_standard_parameters_stay_accepted(users: Any, extra: str) -> None:
    insert(users, make_raw())
    answer = _with_query(users.messages().list(userId="me"), extra).execute()
    assert answer["resultSizeEstimate"] == 1


def test_every_parameter_the_discovery_document_lists_is_accepted(users: Any) -> None:
    message = insert(users, make_raw())
    users.messages().list(userId="me", maxResults=5, pageToken=None, q="numbers",
                          labelIds=["INBOX"], includeSpamTrash=False).execute()
    users.messages().get(userId="me", id=message["id"], format="metadata",
                         metadataHeaders=["Subject"]).execute()
    users.threads().list(userId="me", maxResults=1, includeSpamTrash=True).execute()
    users.history().list(userId="me", startHistoryId="1", labelId="INBOX",
                         historyTypes=["messageAdded"], maxResults=10).execute()
    users.drafts().list(userId="me", includeSpamTrash=False, q="x", maxResults=3).execute()
    assert _with_query(users.messages().get(userId="me", id=message["id"]),
                       "access_token=&oauth_token=").execute()["id"] == message["id"]


@pytest.mark.parametrize(("method", "extra", "message", "field"), [
    ("messages", "maxResults=-1", "Invalid value at 'max_results' (TYPE_UINT32), \"-1\"",
     "max_results"),
    ("threads", "maxResults=ten", "Invalid value at 'max_results' (TYPE_UINT32), \"ten\"",
     "max_results"),
    ("messages", "maxResults=4294967296",
     "Invalid value at 'max_results' (TYPE_UINT32), \"4294967296\"", "max_results"),
    ("messages", "includeSpamTrash=yes",
     "Invalid value at 'include_spam_trash' (TYPE_BOOL), \"yes\"", "include_spam_trash"),
    ("history", "startHistoryId=abc",
     "Invalid value at 'start_history_id' (TYPE_UINT64), \"abc\"", "start_history_id"),
    ("history", "startHistoryId=-5",
     "Invalid value at 'start_history_id' (TYPE_UINT64), \"-5\"", "start_history_id"),
])
def test_a_value_that_is_not_of_the_fields_type_is_refused_naming_the_field(
        users: Any, method: str, extra: str, message: str, field: str) -> None:
    request = getattr(users, method)().list(userId="me")
    status, error = _refusal(_with_query(request, extra))

    assert status == 400
    assert error["message"] == message
    assert error["errors"] == [{"message": message, "reason": "invalid"}]
    assert error["details"][0]["fieldViolations"] == [{"field": field,
                                                       "description": message}]


def test_a_parameter_also_binds_by_its_proto_name(users: Any) -> None:
    for _ in range(3):
        insert(users, make_raw())
    answer = _with_query(users.messages().list(userId="me"),
                         "max_results=2&include_spam_trash=false").execute()
    assert len(answer["messages"]) == 2
    assert "nextPageToken" in answer
