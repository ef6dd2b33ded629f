"""A draft's message keeps DRAFT alone: modify refuses to label it, threads.modify skips it."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import b64, gmail_error, make_raw
from tests.fakegmail.conformance import execute_checked

WORDS = "Draft messages cannot have any label other than DRAFT"


@pytest.fixture
def draft(users):
    """Return the message of a new draft that replies on a received message's thread."""
    received = users.messages().import_(userId="me", body={"raw": b64(make_raw(
        subject="Penawaran", message_id="<penawaran@toko.example>"))}).execute()
    reply = make_raw(subject="Re: Penawaran",
                     headers={"In-Reply-To": "<penawaran@toko.example>"})
    made = users.drafts().create(userId="me", body={"message": {
        "raw": b64(reply), "threadId": received["threadId"]}}).execute()
    return made["message"]


@pytest.mark.parametrize("label", ["STARRED", "INBOX", "IMPORTANT", "user"])
def test_adding_a_label_to_a_drafts_message_is_400_and_changes_nothing(users, draft, label):
    if label == "user":
        label = users.labels().create(userId="me", body={"name": "Proyek"}).execute()["id"]
    for request in (
        users.messages().modify(userId="me", id=draft["id"], body={"addLabelIds": [label]}),
        users.messages().batchModify(userId="me", body={"ids": [draft["id"]],
                                                        "addLabelIds": [label]}),
    ):
        with pytest.raises(HttpError) as caught:
            request.execute()
        error = gmail_error(caught.value)
        assert (caught.value.resp.status, error["status"], error["errors"][0]["reason"]) == (
            400, "INVALID_ARGUMENT", "invalidArgument")
        assert error["message"].startswith(WORDS)
    got = users.messages().get(userId="me", id=draft["id"], format="minimal").execute()
    assert got["labelIds"] == ["DRAFT"]


def test_labelling_the_thread_leaves_its_draft_alone(users, draft):
    thread = execute_checked(users.threads().modify(
        userId="me", id=draft["threadId"],
        body={"addLabelIds": ["STARRED"], "removeLabelIds": ["INBOX"]}))
    labels = {m["id"]: m.get("labelIds", []) for m in thread["messages"]}
    assert labels.pop(draft["id"]) == ["DRAFT"]
    assert [sorted(v) for v in labels.values()] == [["STARRED", "UNREAD"]]


def test_removing_a_label_a_draft_lacks_is_a_no_op(users, draft):
    got = execute_checked(users.messages().modify(userId="me", id=draft["id"],
                                                  body={"removeLabelIds": ["UNREAD"]}))
    assert got["labelIds"] == ["DRAFT"]
