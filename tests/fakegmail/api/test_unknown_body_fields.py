"""A JSON body name the method's schema does not define is refused, as Google refuses it.

Google's front end parses a request body into the method's request message; a name with no
field is 400 INVALID_ARGUMENT, "Unknown name "foo" at 'label': Cannot find field.", where
the path is the body's field in the request message (``label``, ``message``,
``draft.message``; none for a request that is the body itself, such as modify). The
emulator ignored such names, so a misspelt ``labelIDs`` silently inserted a message
without its labels. A field's proto name (``label_list_visibility``) binds like its JSON
name.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaInMemoryUpload

from tests.fakegmail.api.conftest import b64, insert, make_raw


def _refusal(request: Any) -> dict[str, Any]:
    with pytest.raises(HttpError) as caught:
        request.execute()
    assert caught.value.resp.status == 400
    error: dict[str, Any] = json.loads(caught.value.content)["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["errors"] == [{"message": error["message"], "reason": "invalid"}]
    return error


def _violations(error: dict[str, Any]) -> list[dict[str, str]]:
    assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    return error["details"][0]["fieldViolations"]  # type: ignore[no-any-return]


def test_an_unknown_label_field_is_refused_at_label(users: Any) -> None:
    error = _refusal(users.labels().create(userId="me", body={"name": "Work", "colour": "x"}))

    message = ('Invalid JSON payload received. Unknown name "colour" at '
               "'label': Cannot find field.")
    assert error["message"] == message
    assert _violations(error) == [{"field": "label", "description": message}]
    names = {label["name"] for label in users.labels().list(userId="me").execute()["labels"]}
    assert "Work" not in names


def test_a_misspelt_message_field_inserts_nothing(users: Any) -> None:
    request = users.messages().insert(userId="me", body={"raw": b64(make_raw()),
                                                         "labelIDs": ["INBOX"]})
    error = _refusal(request)

    assert error["message"] == ('Invalid JSON payload received. Unknown name "labelIDs" at '
                                "'message': Cannot find field.")
    assert users.messages().list(userId="me").execute()["resultSizeEstimate"] == 0


def test_nested_unknown_names_are_each_named_with_their_path(users: Any) -> None:
    body = {"message": {"raw": b64(make_raw()), "payload": {
        "headers": [{"name": "X-A", "value": "1"}, {"name": "X-B", "value": "2", "bad": 1}]},
        "extra": True}}
    error = _refusal(users.drafts().create(userId="me", body=body))

    assert _violations(error) == [
        {"field": "draft.message.payload.headers[1]",
         "description": 'Invalid JSON payload received. Unknown name "bad" at '
                        "'draft.message.payload.headers[1]': Cannot find field."},
        {"field": "draft.message",
         "description": 'Invalid JSON payload received. Unknown name "extra" at '
                        "'draft.message': Cannot find field."},
    ]
    assert error["message"] == "\n".join(v["description"] for v in _violations(error))


@pytest.mark.parametrize("method", ["modify", "batchModify"])
def test_a_request_that_is_the_body_names_no_path(users: Any, method: str) -> None:
    message = insert(users, make_raw())
    body: dict[str, Any] = {"addLabelIds": ["STARRED"], "removeLabels": ["INBOX"]}
    if method == "modify":
        request = users.messages().modify(userId="me", id=message["id"], body=body)
    else:
        request = users.messages().batchModify(userId="me", body={**body,
                                                                  "ids": [message["id"]]})
    error = _refusal(request)

    expected = 'Invalid JSON payload received. Unknown name "removeLabels": Cannot find field.'
    assert error["message"] == expected
    assert _violations(error) == [{"description": expected}]
    got = users.messages().get(userId="me", id=message["id"], format="minimal").execute()
    assert "STARRED" not in got["labelIds"]


def test_upload_metadata_is_bound_like_a_json_body(users: Any) -> None:
    media = MediaInMemoryUpload(make_raw(), mimetype="message/rfc822")
    request = users.messages().insert(userId="me", body={"labelIds": ["INBOX"], "foo": 1},
                                      media_body=media)
    error = _refusal(request)

    assert error["message"] == ('Invalid JSON payload received. Unknown name "foo" at '
                                "'message': Cannot find field.")


def test_a_proto_field_name_binds_like_the_json_name(users: Any) -> None:
    label = users.labels().create(userId="me", body={
        "name": "Quiet", "label_list_visibility": "labelHide"}).execute()
    assert label["labelListVisibility"] == "labelHide"
    message = users.messages().insert(userId="me", body={
        "raw": b64(make_raw()), "label_ids": ["STARRED"]}).execute()
    assert message["labelIds"] == ["STARRED"]


def test_a_value_of_the_wrong_type_is_refused_naming_the_field(users: Any) -> None:
    """A JSON value the field cannot hold (a number for a string, a string for a boolean)
    is refused by Google's front end as "Invalid value at '<field>' (<type>), <value>";
    a list where one value belongs, as "Proto field is not repeating, cannot start list.".
    The emulator passed such values to the method, which answered in its own words or
    stored them."""
    error = _refusal(users.labels().create(userId="me", body={"name": 123}))
    assert error["message"] == "Invalid value at 'label.name' (TYPE_STRING), 123"
    assert _violations(error) == [{"field": "label.name", "description": error["message"]}]

    message = insert(users, make_raw())
    error = _refusal(users.messages().modify(userId="me", id=message["id"], body={
        "addLabelIds": ["STARRED", True]}))
    assert error["message"] == "Invalid value at 'add_label_ids[1]' (TYPE_STRING), true"

    error = _refusal(users.messages().insert(userId="me", body={
        "raw": b64(make_raw()), "threadId": ["a", "b"]}))
    assert error["message"] == ('Invalid JSON payload received. Unknown name "threadId" at '
                                "'message': Proto field is not repeating, cannot start list.")
    assert users.messages().list(userId="me").execute()["resultSizeEstimate"] == 1


@pytest.mark.parametrize("body", [["Work"], "Work", 7])
def test_a_body_that_is_not_an_object_is_refused_in_googles_words(users: Any, body: Any) -> None:
    """Google's front end says a JSON body must be a message (an object) in its own words,
    'Root element must be a message.'; the emulator wrote 'expected an object'."""
    error = _refusal(users.labels().create(userId="me", body=body))

    message = "Invalid JSON payload received. Root element must be a message."
    assert error["message"] == message
    assert _violations(error) == [{"description": message}]
