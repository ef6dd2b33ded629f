"""Gmail's JSON leaves out a list field that is empty instead of sending ``[]``."""

from __future__ import annotations

from tests.fakegmail.api.conftest import insert, make_raw
from tests.fakegmail.conformance import execute_checked


def test_a_message_inserted_without_labels_is_answered_without_label_ids(users):
    answer = insert(users, make_raw(), labels=())
    assert set(answer) == {"id", "threadId"}


def test_a_modify_that_leaves_no_label_answers_without_label_ids(users):
    message_id = insert(users, make_raw(), labels=("INBOX",))["id"]
    answer = execute_checked(users.messages().modify(
        userId="me", id=message_id, body={"removeLabelIds": ["INBOX"]}))
    assert answer == {"id": message_id, "threadId": message_id}


def test_metadata_headers_that_match_nothing_leave_out_the_headers_list(users):
    message_id = insert(users, make_raw())["id"]
    message = execute_checked(users.messages().get(
        userId="me", id=message_id, format="metadata", metadataHeaders=["X-Not-There"]))
    assert message["payload"] == {"mimeType": "text/plain"}
