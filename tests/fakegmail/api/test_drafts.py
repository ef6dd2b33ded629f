"""users.drafts.* with JSON bodies through the Gmail client."""

from __future__ import annotations

import base64

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import b64, gmail_error, insert, make_raw
from tests.fakegmail.conformance import execute_checked


def create(users, subject: str = "Draft", **message):
    raw = make_raw(to="bob@example.org", subject=subject)
    return users.drafts().create(userId="me", body={"message": {"raw": b64(raw), **message}}
                                 ).execute()


def test_create_get_list(users):
    draft = execute_checked(users.drafts().create(userId="me", body={"message": {
        "raw": b64(make_raw(to="bob@example.org", subject="Proposal"))}}))
    assert draft["id"].startswith("r")
    assert draft["message"]["labelIds"] == ["DRAFT"]
    got = execute_checked(users.drafts().get(userId="me", id=draft["id"]))
    assert got["message"]["payload"]["headers"]
    raw = users.drafts().get(userId="me", id=draft["id"], format="raw").execute()
    assert b"Proposal" in base64.urlsafe_b64decode(raw["message"]["raw"])
    listed = execute_checked(users.drafts().list(userId="me"))
    assert listed["drafts"] == [{"id": draft["id"], "message": {
        "id": draft["message"]["id"], "threadId": draft["message"]["threadId"]}}]


def test_drafts_appear_under_the_draft_label(users):
    draft = create(users)
    listed = users.messages().list(userId="me", labelIds=["DRAFT"]).execute()
    assert [m["id"] for m in listed["messages"]] == [draft["message"]["id"]]


def test_update_keeps_the_draft_id_and_replaces_the_message(users):
    draft = create(users, "v1")
    updated = execute_checked(users.drafts().update(userId="me", id=draft["id"], body={
        "message": {"raw": b64(make_raw(to="bob@example.org", subject="v2"))}}))
    assert updated["id"] == draft["id"]
    assert updated["message"]["id"] != draft["message"]["id"]
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id=draft["message"]["id"]).execute()
    assert caught.value.resp.status == 404


def test_send_turns_the_draft_into_a_sent_message(users):
    draft = create(users, "Ready")
    sent = execute_checked(users.drafts().send(userId="me", body={"id": draft["id"]}))
    assert sent["labelIds"] == ["SENT"]
    with pytest.raises(HttpError) as caught:
        users.drafts().get(userId="me", id=draft["id"]).execute()
    assert caught.value.resp.status == 404
    assert users.messages().list(userId="me", labelIds=["DRAFT"]).execute() == {
        "resultSizeEstimate": 0}


def test_reply_draft_stays_in_the_thread_when_sent(users):
    original = insert(users, make_raw(subject="Question", message_id="<q@example.org>"))
    reply = make_raw(to="carol@example.org", subject="Re: Question",
                     headers={"In-Reply-To": "<q@example.org>", "References": "<q@example.org>"})
    draft = users.drafts().create(userId="me", body={"message": {
        "raw": b64(reply), "threadId": original["threadId"]}}).execute()
    assert draft["message"]["threadId"] == original["threadId"]
    sent = users.drafts().send(userId="me", body={"id": draft["id"]}).execute()
    assert sent["threadId"] == original["threadId"]


def test_delete(users):
    draft = create(users)
    assert users.drafts().delete(userId="me", id=draft["id"]).execute() == ""
    assert users.drafts().list(userId="me").execute() == {"resultSizeEstimate": 0}
    with pytest.raises(HttpError) as caught:
        users.drafts().delete(userId="me", id=draft["id"]).execute()
    assert caught.value.resp.status == 404


def test_list_with_q_and_pages(users):
    for i in range(3):
        create(users, f"Note {i}")
    create(users, "Agenda")
    found = users.drafts().list(userId="me", q="subject:agenda").execute()
    assert found["resultSizeEstimate"] == 1
    first = users.drafts().list(userId="me", maxResults=2).execute()
    second = users.drafts().list(userId="me", maxResults=2,
                                 pageToken=first["nextPageToken"]).execute()
    assert len(first["drafts"]) == len(second["drafts"]) == 2
    assert "nextPageToken" not in second


@pytest.mark.parametrize("call", [
    lambda users, draft_id: users.drafts().create(userId="me", body={}),
    lambda users, draft_id: users.drafts().update(userId="me", id=draft_id, body={}),
])
def test_a_draft_body_without_a_message_is_400_missing_draft_message(users, call):
    draft_id = users.drafts().create(userId="me", body={"message": {
        "raw": b64(make_raw())}}).execute()["id"]
    with pytest.raises(HttpError) as caught:
        call(users, draft_id).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == "Missing draft message"
    assert error["errors"][0]["reason"] == "invalidArgument"
