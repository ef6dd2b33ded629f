"""users.history.list through the Gmail client."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from fakegmail.mailbox import Mailbox
from tests.fakegmail.api.conftest import gmail_error, insert, make_raw
from tests.fakegmail.conformance import execute_checked


def test_history_reports_each_kind_of_change(users):
    start = users.getProfile(userId="me").execute()["historyId"]
    added = insert(users, make_raw())
    users.messages().modify(userId="me", id=added["id"],
                            body={"addLabelIds": ["STARRED"],
                                  "removeLabelIds": ["UNREAD"]}).execute()
    users.messages().delete(userId="me", id=added["id"]).execute()
    answer = execute_checked(users.history().list(userId="me", startHistoryId=start))
    kinds = [next(k for k in record if k not in ("id", "messages")) for record in
             answer["history"]]
    assert kinds == ["messagesAdded", "labelsRemoved", "labelsAdded", "messagesDeleted"]
    ids = [int(record["id"]) for record in answer["history"]]
    assert ids == sorted(ids) and ids[0] > int(start)
    assert answer["history"][1]["labelsRemoved"][0]["labelIds"] == ["UNREAD"]
    assert answer["history"][2]["labelsAdded"][0]["labelIds"] == ["STARRED"]
    assert answer["historyId"] == users.getProfile(userId="me").execute()["historyId"]


def test_history_types_and_label_filters(users):
    start = users.getProfile(userId="me").execute()["historyId"]
    inbox = insert(users, make_raw(), labels=["INBOX"])
    insert(users, make_raw(), labels=["SPAM"])
    users.messages().modify(userId="me", id=inbox["id"],
                            body={"addLabelIds": ["STARRED"]}).execute()
    added = users.history().list(userId="me", startHistoryId=start,
                                 historyTypes=["messageAdded"]).execute()
    assert len(added["history"]) == 2
    spam = users.history().list(userId="me", startHistoryId=start, labelId="SPAM").execute()
    assert len(spam["history"]) == 1
    label_changes = users.history().list(userId="me", startHistoryId=start,
                                         historyTypes=["labelAdded", "labelRemoved"]).execute()
    assert [r["labelsAdded"][0]["message"]["id"] for r in label_changes["history"]] == [
        inbox["id"]]


def test_history_from_now_is_empty(users):
    insert(users, make_raw())
    now = users.getProfile(userId="me").execute()["historyId"]
    assert users.history().list(userId="me", startHistoryId=now).execute() == {
        "historyId": now}


def test_history_pages(users):
    start = users.getProfile(userId="me").execute()["historyId"]
    for _ in range(5):
        insert(users, make_raw())
    first = users.history().list(userId="me", startHistoryId=start, maxResults=3).execute()
    rest = users.history().list(userId="me", startHistoryId=start, maxResults=3,
                                pageToken=first["nextPageToken"]).execute()
    assert len(first["history"]) + len(rest["history"]) == 5


def test_too_old_start_history_id_is_404(fake_gmail, service_for):
    from fakegmail.pytest_plugin import new_account

    account = new_account(fake_gmail.state, fake_gmail.url)
    # A mailbox that keeps only three records, as if a week of changes had passed.
    fake_gmail.state.accounts[account.email].mailbox = Mailbox(
        account.email, fake_gmail.state.clock, history_limit=3)
    users = service_for(account).users()
    start = users.getProfile(userId="me").execute()["historyId"]
    for _ in range(5):
        insert(users, make_raw())
    with pytest.raises(HttpError) as caught:
        users.history().list(userId="me", startHistoryId=start).execute()
    assert caught.value.resp.status == 404
    error = gmail_error(caught.value)  # Gmail's plain words; the status is the signal
    assert error["message"] == "Requested entity was not found."
    assert error["errors"][0]["reason"] == "notFound"
    recent = int(users.getProfile(userId="me").execute()["historyId"]) - 2
    assert len(users.history().list(userId="me", startHistoryId=recent).execute()[
        "history"]) == 2
