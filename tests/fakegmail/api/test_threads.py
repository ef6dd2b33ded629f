"""Conversation threading and users.threads.* through the Gmail client."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import insert, make_raw
from tests.fakegmail.conformance import execute_checked


def reply_to(message_id: str, subject: str, **kwargs) -> bytes:
    return make_raw(subject=subject, headers={"In-Reply-To": message_id,
                                              "References": message_id}, **kwargs)


@pytest.mark.parametrize("subject", ["Re: Offsite", "RE: re: Offsite", "Fwd: Offsite",
                                     "AW: Offsite", "Balas: Offsite", "Fw: offsite  "])
def test_replies_with_the_same_subject_join_the_thread(users, subject):
    first = insert(users, make_raw(subject="Offsite", message_id="<offsite@example.org>"))
    reply = insert(users, reply_to("<offsite@example.org>", subject))
    assert reply["threadId"] == first["threadId"]


def test_a_reply_with_a_new_subject_starts_a_thread(users):
    first = insert(users, make_raw(subject="Offsite", message_id="<o2@example.org>"))
    reply = insert(users, reply_to("<o2@example.org>", "Re: Something else"))
    assert reply["threadId"] != first["threadId"]
    assert reply["threadId"] == reply["id"]


def test_same_subject_without_references_starts_a_thread(users):
    first = insert(users, make_raw(subject="Status"))
    second = insert(users, make_raw(subject="Re: Status"))
    assert second["threadId"] != first["threadId"]


def test_explicit_thread_id_needs_references_and_subject(users):
    first = insert(users, make_raw(subject="Hiring"))
    unrelated = insert(users, make_raw(subject="Hiring"), threadId=first["threadId"])
    assert unrelated["threadId"] != first["threadId"]


def test_thread_get_in_each_format(users):
    first = insert(users, make_raw(subject="Trip", message_id="<trip@example.org>"))
    second = insert(users, reply_to("<trip@example.org>", "Re: Trip"))
    thread_id = first["threadId"]
    full = execute_checked(users.threads().get(userId="me", id=thread_id))
    assert [m["id"] for m in full["messages"]] == [first["id"], second["id"]]
    assert "payload" in full["messages"][0]
    assert int(full["historyId"]) >= int(full["messages"][1]["historyId"])
    minimal = execute_checked(users.threads().get(userId="me", id=thread_id, format="minimal"))
    assert all("payload" not in m for m in minimal["messages"])
    metadata = execute_checked(users.threads().get(
        userId="me", id=thread_id, format="metadata", metadataHeaders=["Subject"]))
    assert [m["payload"]["headers"][0]["value"] for m in metadata["messages"]] == [
        "Trip", "Re: Trip"]


def test_thread_list_counts_threads_not_messages(users):
    first = insert(users, make_raw(subject="A", message_id="<a@example.org>"))
    insert(users, reply_to("<a@example.org>", "Re: A"))
    other = insert(users, make_raw(subject="B"))
    listed = execute_checked(users.threads().list(userId="me"))
    assert {t["id"] for t in listed["threads"]} == {first["threadId"], other["threadId"]}
    assert listed["resultSizeEstimate"] == 2
    assert all("snippet" in t and "historyId" in t for t in listed["threads"])


def test_thread_list_with_q(users):
    wanted = insert(users, make_raw(subject="Kickoff meeting"))
    insert(users, make_raw(subject="Other"))
    listed = users.threads().list(userId="me", q="subject:kickoff").execute()
    assert [t["id"] for t in listed["threads"]] == [wanted["threadId"]]


def test_thread_modify_trash_untrash_delete(users):
    first = insert(users, make_raw(subject="C", message_id="<c@example.org>"))
    insert(users, reply_to("<c@example.org>", "Re: C"))
    thread_id = first["threadId"]
    modified = execute_checked(users.threads().modify(
        userId="me", id=thread_id, body={"removeLabelIds": ["UNREAD"]}))
    assert all("UNREAD" not in m["labelIds"] for m in modified["messages"])
    trashed = users.threads().trash(userId="me", id=thread_id).execute()
    assert all("TRASH" in m["labelIds"] for m in trashed["messages"])
    assert users.threads().list(userId="me").execute() == {"resultSizeEstimate": 0}
    users.threads().untrash(userId="me", id=thread_id).execute()
    assert users.threads().list(userId="me").execute()["resultSizeEstimate"] == 1
    assert users.threads().delete(userId="me", id=thread_id).execute() == ""
    with pytest.raises(HttpError) as caught:
        users.threads().get(userId="me", id=thread_id).execute()
    assert caught.value.resp.status == 404
    assert users.getProfile(userId="me").execute()["messagesTotal"] == 0
