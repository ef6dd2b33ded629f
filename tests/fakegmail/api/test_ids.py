"""An id that cannot be a Gmail id is 400 "Invalid id value"; a well-formed unknown one 404.

Gmail reads message and thread ids as hex numbers before looking them up: ``nosuchmessage``
or a draft id passed as a message id get 400 "Invalid id value", while ``abc123`` (hex,
but naming nothing) gets 404 "Requested entity was not found.". Driven through the client.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import insert, make_raw

Call = Callable[[Any, str], Any]
MESSAGE_CALLS: dict[str, Call] = {
    "messages.get": lambda users, i: users.messages().get(userId="me", id=i),
    "messages.modify": lambda users, i: users.messages().modify(
        userId="me", id=i, body={"addLabelIds": ["STARRED"]}),
    "messages.trash": lambda users, i: users.messages().trash(userId="me", id=i),
    "messages.untrash": lambda users, i: users.messages().untrash(userId="me", id=i),
    "messages.delete": lambda users, i: users.messages().delete(userId="me", id=i),
    "attachments.get": lambda users, i: users.messages().attachments().get(
        userId="me", messageId=i, id="ANGjdJ8"),
    "threads.get": lambda users, i: users.threads().get(userId="me", id=i),
    "threads.modify": lambda users, i: users.threads().modify(
        userId="me", id=i, body={"addLabelIds": ["STARRED"]}),
    "threads.trash": lambda users, i: users.threads().trash(userId="me", id=i),
    "threads.untrash": lambda users, i: users.threads().untrash(userId="me", id=i),
    "threads.delete": lambda users, i: users.threads().delete(userId="me", id=i),
}


def _error(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value.resp.status, json.loads(caught.value.content)["error"]


@pytest.mark.parametrize("method", sorted(MESSAGE_CALLS))
@pytest.mark.parametrize("bad_id", ["nosuchmessage", "r-1184333689291609288",
                                    "18c9a1b2c3d4e5f6aa", "#msg-a:r-1"])
def test_an_id_that_cannot_be_a_gmail_id_is_invalid_argument(
        users: Any, method: str, bad_id: str) -> None:
    status, error = _error(MESSAGE_CALLS[method](users, bad_id))

    assert status == 400
    assert error["message"] == "Invalid id value"
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["errors"][0]["reason"] == "invalidArgument"


@pytest.mark.parametrize("method", sorted(MESSAGE_CALLS))
@pytest.mark.parametrize("unknown_id", ["abc123", "1", "18c9a1b2c3d4e5f6"])
def test_a_well_formed_id_that_names_nothing_is_not_found(
        users: Any, method: str, unknown_id: str) -> None:
    status, error = _error(MESSAGE_CALLS[method](users, unknown_id))

    assert status == 404
    assert error["message"] == "Requested entity was not found."


def test_the_ids_the_emulator_hands_out_pass_the_check(users: Any) -> None:
    stored = insert(users, make_raw())

    got = users.messages().get(userId="me", id=stored["id"], format="minimal").execute()

    assert got["id"] == stored["id"]
    assert users.threads().get(userId="me", id=stored["threadId"]).execute()["id"] == (
        stored["threadId"])
