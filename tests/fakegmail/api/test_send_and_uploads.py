"""messages.send/insert/import and drafts through JSON ``raw`` and every upload protocol."""

from __future__ import annotations

import base64
import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from tests.fakegmail.api.conftest import b64, gmail_error, make_raw
from tests.fakegmail.conformance import execute_checked


def media(raw: bytes, *, resumable: bool, chunksize: int = 100 * 1024 * 1024,
          ) -> MediaIoBaseUpload:
    """Return the client's media upload object for an RFC 5322 message."""
    return MediaIoBaseUpload(io.BytesIO(raw), mimetype="message/rfc822", resumable=resumable,
                             chunksize=chunksize)


def stored_raw(users, message_id: str) -> bytes:
    answer = users.messages().get(userId="me", id=message_id, format="raw").execute()
    return base64.urlsafe_b64decode(answer["raw"])


def test_send_labels_the_copy_sent_only(users):
    sent = execute_checked(users.messages().send(
        userId="me", body={"raw": b64(make_raw(to="bob@example.org"))}))
    assert sent["labelIds"] == ["SENT"]


def test_send_to_myself_lands_in_the_inbox(users, account):
    sent = users.messages().send(
        userId="me", body={"raw": b64(make_raw(to=account.email))}).execute()
    assert sent["labelIds"] == ["SENT", "INBOX", "UNREAD"]


def test_send_keeps_bcc_in_the_senders_copy_and_adds_message_id(users):
    # Gmail keeps Bcc in the sender's own copy (its Sent mail shows whom it went to);
    # only the copies delivered to recipients lose it (next test).
    raw = (b"From: me@example.org\r\nTo: bob@example.org\r\nBcc: hidden@example.org,\r\n"
           b" other@example.org\r\nSubject: Plans\r\n\r\nBody\r\n")
    sent = users.messages().send(userId="me", body={"raw": b64(raw)}).execute()
    stored = stored_raw(users, sent["id"])
    assert b"\r\nBcc: hidden@example.org,\r\n other@example.org\r\n" in stored
    bcc = users.messages().get(userId="me", id=sent["id"], format="metadata",
                               metadataHeaders=["Bcc"]).execute()["payload"]["headers"]
    assert [h["name"] for h in bcc] == ["Bcc"]
    assert "hidden@example.org" in bcc[0]["value"] and "other@example.org" in bcc[0]["value"]
    assert b"\r\nSubject: Plans\r\n" in stored
    assert stored.startswith(b"Date: ")
    assert b"\r\nMessage-ID: <" in stored
    headers = users.messages().get(userId="me", id=sent["id"], format="metadata",
                                   metadataHeaders=["Message-ID"]).execute()
    assert headers["payload"]["headers"][0]["value"].endswith("@mail.gmail.com>")


def test_send_delivers_to_another_emulator_account(users, fake_gmail, service_for):
    from fakegmail.pytest_plugin import new_account

    bob = new_account(fake_gmail.state, fake_gmail.url)
    users.messages().send(userId="me", body={"raw": b64(make_raw(
        to=bob.email, subject="For Bob", headers={"Bcc": "secret@example.org"}))}).execute()
    bobs = service_for(bob).users()
    listed = bobs.messages().list(userId="me", labelIds=["INBOX"]).execute()
    assert listed["resultSizeEstimate"] == 1
    received = stored_raw(bobs, listed["messages"][0]["id"])
    assert b"For Bob" in received and b"secret@example.org" not in received
    assert b"\nBcc:" not in received
    got = bobs.messages().get(userId="me", id=listed["messages"][0]["id"],
                              format="metadata", metadataHeaders=["Bcc"]).execute()
    assert "headers" not in got["payload"]


def test_send_without_recipients_is_400(users):
    raw = b"From: me@example.org\r\nSubject: nobody\r\n\r\nBody\r\n"
    with pytest.raises(HttpError) as caught:
        users.messages().send(userId="me", body={"raw": b64(raw)}).execute()
    assert caught.value.resp.status == 400
    assert gmail_error(caught.value)["message"] == "Recipient address required"


def test_send_without_raw_is_400(users):
    with pytest.raises(HttpError) as caught:
        users.messages().send(userId="me", body={}).execute()
    assert caught.value.resp.status == 400
    assert "'raw' RFC822 payload" in gmail_error(caught.value)["message"]


@pytest.mark.parametrize("encode", [
    lambda raw: base64.urlsafe_b64encode(raw).decode(),
    lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("="),
    lambda raw: base64.standard_b64encode(raw).decode(),
], ids=["base64url", "unpadded", "standard"])
def test_send_accepts_the_base64_variants_gmail_accepts(users, encode):
    raw = make_raw(to="bob@example.org", body="?>?>?>~~~ binary-ish >>>\n")
    sent = users.messages().send(userId="me", body={"raw": encode(raw)}).execute()
    assert b"binary-ish" in stored_raw(users, sent["id"])


def test_undecodable_raw_is_400(users):
    with pytest.raises(HttpError) as caught:
        users.messages().send(userId="me", body={"raw": "***not base64***"}).execute()
    assert caught.value.resp.status == 400
    assert "Invalid value for ByteString" in gmail_error(caught.value)["message"]


def test_raw_that_is_not_a_message_is_400(users):
    with pytest.raises(HttpError) as caught:
        users.messages().insert(userId="me", body={"raw": b64(b"\x00\x01 no headers")}).execute()
    assert caught.value.resp.status == 400


def test_send_honours_thread_id_among_the_threads_the_reply_names(users):
    first = users.messages().send(userId="me", body={"raw": b64(make_raw(
        to="bob@example.org", subject="Budget", message_id="<budget-1@example.org>"))}).execute()
    second = users.messages().send(userId="me", body={"raw": b64(make_raw(
        to="bob@example.org", subject="Budget", message_id="<budget-2@example.org>"))}).execute()
    assert first["threadId"] != second["threadId"]
    reply = make_raw(to="bob@example.org", subject="Re: Budget",
                     headers={"In-Reply-To": "<budget-2@example.org>",
                              "References": "<budget-1@example.org> <budget-2@example.org>"})
    # Without threadId the sender's copy starts a thread of its own (Gmail's threading
    # guide); tests/fakegmail/api/test_reply_threading.py covers the rule whole.
    default = users.messages().send(userId="me", body={"raw": b64(reply)}).execute()
    assert default["threadId"] not in (first["threadId"], second["threadId"])
    chosen = users.messages().send(userId="me", body={"raw": b64(reply),
                                                      "threadId": first["threadId"]}).execute()
    assert chosen["threadId"] == first["threadId"]


@pytest.mark.parametrize("method", ["send", "insert", "import_"])
@pytest.mark.parametrize("resumable", [False, True], ids=["simple", "resumable"])
def test_media_upload_without_metadata(users, method, resumable):
    raw = make_raw(to="bob@example.org", subject=f"Uploaded via {method}")
    answer = getattr(users.messages(), method)(
        userId="me", media_body=media(raw, resumable=resumable)).execute()
    assert b"Uploaded via" in stored_raw(users, answer["id"])


@pytest.mark.parametrize("method", ["insert", "import_"])
@pytest.mark.parametrize("resumable", [False, True], ids=["multipart", "resumable"])
def test_upload_with_metadata_keeps_the_labels(users, method, resumable):
    raw = make_raw(subject="labelled upload")
    answer = getattr(users.messages(), method)(
        userId="me", body={"labelIds": ["STARRED"]},
        media_body=media(raw, resumable=resumable)).execute()
    assert answer["labelIds"] == ["STARRED"]
    assert stored_raw(users, answer["id"]) == raw


def test_resumable_upload_in_several_chunks(users):
    raw = make_raw(subject="chunked", body="x" * (600 * 1024) + "\n")
    request = users.messages().insert(userId="me", body={"labelIds": ["INBOX"]},
                                      media_body=media(raw, resumable=True,
                                                       chunksize=256 * 1024))
    answer = None
    progress = []
    while answer is None:
        status, answer = request.next_chunk()
        if status is not None:
            progress.append(status.resumable_progress)
    assert progress == [256 * 1024, 512 * 1024]
    assert stored_raw(users, answer["id"]) == raw


def test_insert_defaults_to_no_labels_and_import_to_inbox_unread(users):
    raw = make_raw()
    inserted = users.messages().insert(userId="me", body={"raw": b64(raw)}).execute()
    imported = users.messages().import_(userId="me", body={"raw": b64(raw)}).execute()
    assert inserted.get("labelIds", []) == []
    assert imported["labelIds"] == ["INBOX", "UNREAD"]


def test_import_takes_the_date_header_insert_the_receipt_time(users):
    raw = make_raw()  # Date: Tue, 03 Jun 2025 10:00:00 +0000
    header_ms = "1748944800000"
    imported = users.messages().import_(userId="me", body={"raw": b64(raw)}).execute()
    inserted = users.messages().insert(userId="me", body={"raw": b64(raw)}).execute()
    by_header = users.messages().insert(userId="me", internalDateSource="dateHeader",
                                        body={"raw": b64(raw)}).execute()
    get = users.messages().get
    assert get(userId="me", id=imported["id"]).execute()["internalDate"] == header_ms
    assert get(userId="me", id=by_header["id"]).execute()["internalDate"] == header_ms
    assert get(userId="me", id=inserted["id"]).execute()["internalDate"] != header_ms


@pytest.mark.parametrize("resumable", [False, True], ids=["multipart", "resumable"])
def test_drafts_create_update_and_send_by_upload(users, resumable):
    drafts = users.drafts()
    created = drafts.create(userId="me", body={}, media_body=media(
        make_raw(to="bob@example.org", subject="first draft"), resumable=resumable)).execute()
    assert created["message"]["labelIds"] == ["DRAFT"]
    updated = drafts.update(userId="me", id=created["id"], body={"id": created["id"]},
                            media_body=media(make_raw(to="bob@example.org",
                                                      subject="second draft"),
                                             resumable=resumable)).execute()
    assert updated["id"] == created["id"]
    assert b"second draft" in stored_raw(users, updated["message"]["id"])
    sent = drafts.send(userId="me", body={"id": created["id"]}, media_body=media(
        make_raw(to="bob@example.org", subject="final text"), resumable=resumable)).execute()
    assert sent["labelIds"] == ["SENT"]
    assert b"final text" in stored_raw(users, sent["id"])
    assert drafts.list(userId="me").execute() == {"resultSizeEstimate": 0}


def test_oversized_upload_is_413(users, gmail):
    limit = 36_700_160
    body = b"From: a@example.org\r\nTo: b@example.org\r\n\r\n" + b"x" * limit
    url = gmail._rootDesc["rootUrl"] + "upload/gmail/v1/users/me/messages/send?uploadType=media"
    response, content = gmail._http.request(url, method="POST", body=body,
                                            headers={"Content-Type": "message/rfc822"})
    assert response.status == 413
    error = HttpError(response, content)
    assert gmail_error(error)["errors"][0]["reason"] == "uploadTooLarge"


def test_oversized_raw_in_a_json_body_is_413(users):
    raw = b"From: a@example.org\r\nTo: b@example.org\r\n\r\n" + b"x" * 36_700_160
    with pytest.raises(HttpError) as caught:
        users.drafts().create(userId="me", body={"message": {"raw": b64(raw)}}).execute()
    assert caught.value.resp.status == 413


def test_oversized_resumable_upload_is_refused_at_the_start(users, gmail):
    url = (gmail._rootDesc["rootUrl"]
           + "upload/gmail/v1/users/me/messages/send?uploadType=resumable")
    response, content = gmail._http.request(url, method="POST", body=b"{}", headers={
        "Content-Type": "application/json", "X-Upload-Content-Type": "message/rfc822",
        "X-Upload-Content-Length": str(40_000_000)})
    assert response.status == 413


def test_upload_of_a_non_message_media_type_is_400(users):
    upload = MediaIoBaseUpload(io.BytesIO(b"hello"), mimetype="text/plain", resumable=False)
    with pytest.raises(HttpError) as caught:
        users.messages().insert(userId="me", media_body=upload).execute()
    assert caught.value.resp.status == 400
    assert "message/*" in gmail_error(caught.value)["message"]


def _calls_and_errors(fake_gmail, method_id: str) -> tuple[int, dict[int, int]]:
    stats = fake_gmail.state.stats
    return stats.calls.get(method_id, 0), dict(stats.errors.get(method_id, {}))


def test_a_resumable_upload_counts_as_one_call(users, account, fake_gmail):
    method_id = "gmail.users.messages.insert"
    calls_before, _ = _calls_and_errors(fake_gmail, method_id)
    raw = make_raw(subject="counted once", body="x" * (600 * 1024) + "\n")
    request = users.messages().insert(userId="me", body={"labelIds": ["INBOX"]},
                                      media_body=media(raw, resumable=True,
                                                       chunksize=256 * 1024))
    answer = None
    while answer is None:
        _, answer = request.next_chunk()
    assert account.mailbox.get_message(answer["id"]).raw == raw
    assert _calls_and_errors(fake_gmail, method_id)[0] - calls_before == 1


def test_a_resumable_upload_failing_at_the_end_counts_one_call_and_one_error(
        users, account, fake_gmail):
    method_id = "gmail.users.messages.import"
    calls_before, errors_before = _calls_and_errors(fake_gmail, method_id)
    with pytest.raises(HttpError) as caught:
        users.messages().import_(userId="me", media_body=media(
            b"just some words\r\n", resumable=True)).execute()
    assert caught.value.resp.status == 400
    calls, errors = _calls_and_errors(fake_gmail, method_id)
    assert calls - calls_before == 1
    assert errors.get(400, 0) - errors_before.get(400, 0) == 1
