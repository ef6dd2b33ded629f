"""messages.list/get/modify/trash/delete/attachments through google-api-python-client."""

from __future__ import annotations

import base64
import re

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import gmail_error, insert, make_raw
from tests.fakegmail.conformance import execute_checked


def test_message_ids_look_like_gmails(users):
    answer = insert(users, make_raw())
    assert re.fullmatch(r"[0-9a-f]{16}", answer["id"])
    assert answer["threadId"] == answer["id"]
    assert answer["labelIds"] == ["INBOX", "UNREAD"]


def test_get_full_carries_the_parsed_payload(users):
    raw = make_raw(subject="Lunch", body="See you at noon.\n")
    message_id = insert(users, raw)["id"]
    message = execute_checked(users.messages().get(userId="me", id=message_id))
    assert message["snippet"] == "See you at noon."
    assert message["payload"]["mimeType"] == "text/plain"
    headers = {h["name"]: h["value"] for h in message["payload"]["headers"]}
    assert headers["Subject"] == "Lunch"
    body = base64.urlsafe_b64decode(message["payload"]["body"]["data"])
    assert body == b"See you at noon.\n"
    assert message["sizeEstimate"] == len(raw)
    assert int(message["internalDate"]) > 0
    assert int(message["historyId"]) > 0


def test_get_raw_returns_the_stored_bytes(users):
    raw = make_raw(subject="Bytes")
    message_id = insert(users, raw)["id"]
    message = execute_checked(users.messages().get(userId="me", id=message_id, format="raw"))
    assert base64.urlsafe_b64decode(message["raw"]) == raw
    assert "payload" not in message


def test_get_minimal_has_no_payload(users):
    message_id = insert(users, make_raw())["id"]
    message = execute_checked(users.messages().get(userId="me", id=message_id,
                                                   format="minimal"))
    assert set(message) == {"id", "threadId", "labelIds", "snippet", "sizeEstimate",
                            "historyId", "internalDate"}


def test_get_metadata_filters_headers(users):
    message_id = insert(users, make_raw(subject="Filtered"))["id"]
    message = execute_checked(users.messages().get(
        userId="me", id=message_id, format="metadata", metadataHeaders=["subject", "From"]))
    names = [h["name"] for h in message["payload"]["headers"]]
    assert names == ["From", "Subject"]
    assert "body" not in message["payload"]


def test_get_unknown_message_is_404_in_gmails_shape(users):
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id="0123456789abcdef").execute()
    assert caught.value.resp.status == 404
    error = gmail_error(caught.value)
    assert error["code"] == 404
    assert error["errors"][0]["reason"] == "notFound"
    assert error["status"] == "NOT_FOUND"


def test_list_is_newest_first_and_hides_spam_and_trash(users, account):
    older = account.mailbox.add_message(make_raw(subject="old"), internal_date=1_700_000_000)
    newer = account.mailbox.add_message(make_raw(subject="new"), internal_date=1_700_000_100)
    account.mailbox.add_message(make_raw(subject="junk"), label_ids=["SPAM"])
    answer = execute_checked(users.messages().list(userId="me"))
    assert [m["id"] for m in answer["messages"]] == [newer.id, older.id]
    assert answer["resultSizeEstimate"] == 2
    with_spam = users.messages().list(userId="me", includeSpamTrash=True).execute()
    assert with_spam["resultSizeEstimate"] == 3


def test_list_of_an_empty_mailbox(users):
    assert users.messages().list(userId="me").execute() == {"resultSizeEstimate": 0}


def test_list_filters_by_every_label_given(users, account):
    both = account.mailbox.add_message(make_raw(), label_ids=["INBOX", "STARRED"])
    account.mailbox.add_message(make_raw(), label_ids=["INBOX"])
    answer = users.messages().list(userId="me", labelIds=["INBOX", "STARRED"]).execute()
    assert [m["id"] for m in answer["messages"]] == [both.id]
    spam = users.messages().list(userId="me", labelIds=["SPAM"]).execute()
    assert spam == {"resultSizeEstimate": 0}


def test_list_with_q_searches(users, account):
    wanted = account.mailbox.add_message(make_raw(subject="Invoice 42",
                                                  sender="billing@shop.example"))
    account.mailbox.add_message(make_raw(subject="Holiday plans"))
    answer = users.messages().list(userId="me", q="from:billing@shop.example invoice").execute()
    assert [m["id"] for m in answer["messages"]] == [wanted.id]
    unread = users.messages().list(userId="me", q="is:unread").execute()
    assert unread["resultSizeEstimate"] == 2


def test_pagination_walks_every_message_once(users, account):
    ids = {account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i).id
           for i in range(250)}
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        answer = users.messages().list(userId="me", maxResults=100, pageToken=token).execute()
        seen += [m["id"] for m in answer["messages"]]
        pages += 1
        token = answer.get("nextPageToken")
        if token is None:
            break
    assert pages == 3
    assert len(seen) == 250 and set(seen) == ids
    assert answer["resultSizeEstimate"] == 250


def test_the_clients_list_next_follows_the_tokens(users, account):
    for i in range(5):
        account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i)
    request = users.messages().list(userId="me", maxResults=2)
    pages = 0
    while request is not None:
        response = request.execute()
        pages += 1
        request = users.messages().list_next(request, response)
    assert pages == 3


def test_max_results_defaults_to_100_and_caps_at_500(users, account):
    for i in range(120):
        account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i)
    assert len(users.messages().list(userId="me").execute()["messages"]) == 100
    assert len(users.messages().list(userId="me", maxResults=1000).execute()["messages"]) == 120


def test_bad_page_token_is_400(users, account):
    account.mailbox.add_message(make_raw())
    with pytest.raises(HttpError) as caught:
        users.messages().list(userId="me", pageToken="not-a-token").execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["errors"][0]["reason"] == "invalidArgument"
    assert error["message"] == "Invalid pageToken"


def test_page_token_of_another_list_is_refused(users, account):
    for i in range(3):
        account.mailbox.add_message(make_raw(), internal_date=1_700_000_000 + i)
    token = users.messages().list(userId="me", maxResults=1).execute()["nextPageToken"]
    with pytest.raises(HttpError) as caught:
        users.threads().list(userId="me", pageToken=token).execute()
    assert caught.value.resp.status == 400


def test_modify_adds_and_removes_labels(users):
    message_id = insert(users, make_raw())["id"]
    answer = execute_checked(users.messages().modify(
        userId="me", id=message_id,
        body={"addLabelIds": ["STARRED"], "removeLabelIds": ["UNREAD"]}))
    assert answer["labelIds"] == ["INBOX", "STARRED"]
    assert users.messages().get(userId="me", id=message_id,
                                format="minimal").execute()["labelIds"] == ["INBOX", "STARRED"]


@pytest.mark.parametrize("label", ["Label_999", "NOT_A_LABEL"])
def test_modify_with_unknown_label_is_400(users, label):
    message_id = insert(users, make_raw())["id"]
    with pytest.raises(HttpError) as caught:
        users.messages().modify(userId="me", id=message_id,
                                body={"addLabelIds": [label]}).execute()
    assert caught.value.resp.status == 400
    assert "Invalid label" in gmail_error(caught.value)["message"]


def test_modify_cannot_add_draft_or_sent(users):
    message_id = insert(users, make_raw())["id"]
    with pytest.raises(HttpError) as caught:
        users.messages().modify(userId="me", id=message_id,
                                body={"addLabelIds": ["SENT"]}).execute()
    assert caught.value.resp.status == 400


def test_modify_unknown_message_is_404(users):
    with pytest.raises(HttpError) as caught:
        users.messages().modify(userId="me", id="00000000000000ff",
                                body={"addLabelIds": ["STARRED"]}).execute()
    assert caught.value.resp.status == 404


def test_batch_modify_changes_every_message(users):
    ids = [insert(users, make_raw())["id"] for _ in range(3)]
    assert users.messages().batchModify(
        userId="me", body={"ids": ids, "removeLabelIds": ["INBOX", "UNREAD"]}).execute() == ""
    archived = users.messages().list(userId="me", labelIds=["INBOX"]).execute()
    assert archived == {"resultSizeEstimate": 0}
    assert users.messages().list(userId="me").execute()["resultSizeEstimate"] == 3


@pytest.mark.parametrize("call", [
    lambda users, ids: users.messages().batchModify(
        userId="me", body={"ids": ids, "addLabelIds": ["STARRED"]}),
    lambda users, ids: users.messages().batchDelete(userId="me", body={"ids": ids}),
])
def test_batch_calls_refuse_more_than_1000_ids_in_gmails_words(users, call):
    ids = [f"{i:016x}" for i in range(1001)]
    with pytest.raises(HttpError) as caught:
        call(users, ids).execute()
    assert caught.value.resp.status == 400
    error = gmail_error(caught.value)
    assert error["message"] == "Number of ids cannot exceed 1000"
    assert error["errors"][0]["reason"] == "invalidArgument"


def test_trash_and_untrash(users):
    message_id = insert(users, make_raw())["id"]
    trashed = execute_checked(users.messages().trash(userId="me", id=message_id))
    assert "TRASH" in trashed["labelIds"]
    assert users.messages().list(userId="me").execute() == {"resultSizeEstimate": 0}
    in_trash = users.messages().list(userId="me", labelIds=["TRASH"]).execute()
    assert [m["id"] for m in in_trash["messages"]] == [message_id]
    assert users.messages().list(userId="me", q="in:trash").execute()["resultSizeEstimate"] == 1
    restored = users.messages().untrash(userId="me", id=message_id).execute()
    assert "TRASH" not in restored["labelIds"]
    assert users.messages().list(userId="me").execute()["resultSizeEstimate"] == 1


def test_delete_and_batch_delete(users):
    first, second, third = (insert(users, make_raw())["id"] for _ in range(3))
    assert users.messages().delete(userId="me", id=first).execute() == ""
    with pytest.raises(HttpError) as caught:
        users.messages().get(userId="me", id=first).execute()
    assert caught.value.resp.status == 404
    users.messages().batchDelete(userId="me", body={"ids": [second, third]}).execute()
    assert users.getProfile(userId="me").execute()["messagesTotal"] == 0


def test_delete_unknown_message_is_404(users):
    with pytest.raises(HttpError) as caught:
        users.messages().delete(userId="me", id="00000000000000aa").execute()
    assert caught.value.resp.status == 404


def test_attachment_get_returns_the_bytes(users):
    data = bytes(range(256)) * 10
    message_id = insert(users, make_raw(attachment=("report.bin", data)))["id"]
    message = users.messages().get(userId="me", id=message_id).execute()
    part = next(p for p in message["payload"]["parts"] if p.get("filename") == "report.bin")
    assert "data" not in part["body"]
    attachment = execute_checked(users.messages().attachments().get(
        userId="me", messageId=message_id, id=part["body"]["attachmentId"]))
    assert base64.urlsafe_b64decode(attachment["data"]) == data
    assert attachment["size"] == len(data)


def test_an_attachment_id_the_message_never_handed_out_is_400_invalid_token(users):
    message_id = insert(users, make_raw(attachment=("a.bin", b"abc")))["id"]
    message = users.messages().get(userId="me", id=message_id).execute()
    real_id = message["payload"]["parts"][1]["body"]["attachmentId"]
    for wrong in ("ANGjdJ_nope", real_id[:20]):  # made up, or shortened by the client
        with pytest.raises(HttpError) as caught:
            users.messages().attachments().get(userId="me", messageId=message_id,
                                               id=wrong).execute()
        assert caught.value.resp.status == 400
        error = gmail_error(caught.value)
        assert error["message"] == "Invalid attachment token"
        assert error["errors"][0]["reason"] == "invalidArgument"


def test_an_attachment_of_an_unknown_message_is_404(users):
    with pytest.raises(HttpError) as caught:
        users.messages().attachments().get(userId="me", messageId="00000000000000ff",
                                           id="ANGjdJ_nope").execute()
    assert caught.value.resp.status == 404


def test_profile_counts(users, account):
    insert(users, make_raw())
    insert(users, make_raw())
    profile = execute_checked(users.getProfile(userId="me"))
    assert profile["emailAddress"] == account.email
    assert profile["messagesTotal"] == 2
    assert profile["threadsTotal"] == 2


def test_user_id_may_be_the_address_but_not_someone_else(users, account):
    assert users.getProfile(userId=account.email).execute()["emailAddress"] == account.email
    with pytest.raises(HttpError) as caught:
        users.getProfile(userId="somebody.else@example.org").execute()
    assert caught.value.resp.status == 403
