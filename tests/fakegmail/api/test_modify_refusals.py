"""messages.modify and threads.modify refuse what Gmail refuses, in Gmail's words."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import gmail_error, insert, make_raw


@pytest.mark.parametrize("body", [{}, {"addLabelIds": [], "removeLabelIds": []}])
@pytest.mark.parametrize("resource", ["messages", "threads"])
def test_a_modify_that_names_no_label_is_400_in_gmails_words(users, resource, body):
    message_id = insert(users, make_raw())["id"]
    with pytest.raises(HttpError) as caught:
        getattr(users, resource)().modify(userId="me", id=message_id, body=body).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == "No label add or removes specified"
    assert error["errors"][0]["reason"] == "invalidArgument"
    assert error["status"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize("change", ["addLabelIds", "removeLabelIds"])
@pytest.mark.parametrize("label", ["SENT", "DRAFT"])
def test_a_label_modify_cannot_change_is_named_as_gmail_names_it(users, change, label):
    message_id = insert(users, make_raw())["id"]
    with pytest.raises(HttpError) as caught:
        users.messages().modify(userId="me", id=message_id, body={change: [label]}).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == f"Invalid label: {label}"
    assert error["errors"][0]["reason"] == "invalidArgument"
