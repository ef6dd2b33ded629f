"""A ``fields`` selection Google cannot honour is refused the way Google refuses it.

Google names the unknown field in "Invalid field selection <field>" and marks the error
as the ``fields`` query parameter's: reason ``invalidParameter``, location ``fields``,
locationType ``parameter`` (the emulator said ``invalidArgument`` with no location, so a
client that reports which parameter was wrong had nothing to name).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import insert, make_raw


def _refusal(request: Any) -> dict[str, Any]:
    with pytest.raises(HttpError) as caught:
        request.execute()
    assert caught.value.resp.status == 400
    return json.loads(caught.value.content)["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("fields", "named"), [
    ("nosuchfield", "nosuchfield"),
    ("messages(id,bogus)", "messages/bogus"),
    ("messages/bogus", "messages/bogus"),
    ("nextPageToken,payload", "payload"),
])
def test_an_unknown_field_is_named_as_the_fields_parameters_error(
        users: Any, fields: str, named: str) -> None:
    error = _refusal(users.messages().list(userId="me", fields=fields))

    assert error["message"] == f"Invalid field selection {named}"
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["errors"] == [{"message": error["message"], "domain": "global",
                                "reason": "invalidParameter", "location": "fields",
                                "locationType": "parameter"}]


@pytest.mark.parametrize("fields", ["messages(id", "id,,threadId", "payload()"])
def test_a_selection_that_cannot_be_parsed_is_the_fields_parameters_error(
        users: Any, fields: str) -> None:
    message_id = insert(users, make_raw())["id"]

    error = _refusal(users.messages().get(userId="me", id=message_id, fields=fields))

    assert error["message"].startswith("Invalid field selection")
    detail = error["errors"][0]
    assert (detail["reason"], detail["location"], detail["locationType"]) == (
        "invalidParameter", "fields", "parameter")
