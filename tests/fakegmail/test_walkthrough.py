"""An integrator's walkthrough: sign in with google-auth-oauthlib, then call every Gmail
method the emulator serves through googleapiclient, checking each answer against the
bundled discovery document's schemas."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest, MediaIoBaseUpload

from fakegmail.discovery import document_with_root
from fakegmail.server import EmulatorServer
from tests.fakegmail.conformance import check_schema, execute_checked
from tests.fakegmail.oauth.browser import press
from tests.fakegmail.oauth.conftest import REDIRECT_URI, client_config

OWNER = "walker@example.test"
SCOPES = ["https://mail.google.com/", "openid", "email"]


@pytest.fixture()
def gmail(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")  # email comes back as a URL
    with EmulatorServer() as server:
        server.state.ensure_account(OWNER, "Walker Example")
        flow = Flow.from_client_config(client_config(server.url), scopes=SCOPES)
        flow.redirect_uri = REDIRECT_URI
        auth_url, state = flow.authorization_url(access_type="offline", prompt="consent")
        back = press(auth_url, "allow", account=OWNER)
        assert back.params["state"] == state
        flow.fetch_token(code=back.params["code"])
        assert flow.credentials.refresh_token
        yield build_from_document(document_with_root(server.url),
                                  credentials=flow.credentials)


def rfc822(subject: str, *, to: str = "friend@example.test", sender: str = OWNER,
           attachment: bytes | None = None, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Halo, ini pesan percobaan.\n")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf",
                               filename="laporan.pdf")
    return bytes(message)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def test_every_method_answers_within_the_discovery_schemas(gmail) -> None:  # noqa: PLR0915
    users = gmail.users()
    messages = users.messages()
    threads = users.threads()
    labels = users.labels()
    drafts = users.drafts()

    profile = execute_checked(users.getProfile(userId="me"))
    assert profile["emailAddress"] == OWNER
    start_history = profile["historyId"]

    # Labels: list, create, get, update, patch (delete comes last).
    system = {label["id"] for label in execute_checked(labels.list(userId="me"))["labels"]}
    assert {"INBOX", "SENT", "DRAFT", "SPAM", "TRASH", "UNREAD", "STARRED",
            "IMPORTANT", "CATEGORY_PROMOTIONS"} <= system
    label = execute_checked(labels.create(userId="me", body={"name": "Klien"}))
    execute_checked(labels.get(userId="me", id=label["id"]))
    execute_checked(labels.update(userId="me", id=label["id"],
                                  body={"id": label["id"], "name": "Klien Utama"}))
    patched = execute_checked(labels.patch(userId="me", id=label["id"],
                                           body={"labelListVisibility": "labelHide"}))
    assert patched["name"] == "Klien Utama"

    # Insert (media upload) and import (JSON raw) put mail in the mailbox.
    inbound = execute_checked(messages.insert(
        userId="me", body={"labelIds": ["INBOX", "UNREAD"]},
        media_body=MediaIoBaseUpload(io.BytesIO(rfc822("Tagihan bulan ini", to=OWNER,
                                                       sender="vendor@example.test",
                                                       attachment=b"%PDF-1.4 test")),
                                     mimetype="message/rfc822")))
    imported = execute_checked(messages.import_(
        userId="me", body={"raw": b64(rfc822("Rapat anggaran", to=OWNER,
                                              sender="boss@example.test"))}))

    # Get in every format; attachments.get.
    for fmt in ("minimal", "metadata", "full", "raw"):
        execute_checked(messages.get(userId="me", id=inbound["id"], format=fmt))
    metadata = execute_checked(messages.get(userId="me", id=inbound["id"], format="metadata",
                                            metadataHeaders=["Subject", "From"]))
    names = {h["name"] for h in metadata["payload"]["headers"]}
    assert names == {"Subject", "From"}
    full = execute_checked(messages.get(userId="me", id=inbound["id"], format="full"))
    part = next(p for p in full["payload"]["parts"] if p.get("filename") == "laporan.pdf")
    attachment = execute_checked(messages.attachments().get(
        userId="me", messageId=inbound["id"], id=part["body"]["attachmentId"]))
    assert base64.urlsafe_b64decode(attachment["data"]) == b"%PDF-1.4 test"

    # List and search.
    listed = execute_checked(messages.list(userId="me", q="has:attachment tagihan"))
    assert [m["id"] for m in listed["messages"]] == [inbound["id"]]
    execute_checked(messages.list(userId="me", labelIds=["INBOX"], maxResults=1))

    # Send a reply that threads, with the multipart upload.
    reply = rfc822("Re: Tagihan bulan ini", to="vendor@example.test",
                   In_Reply_To=_message_id(full), References=_message_id(full))
    sent = execute_checked(messages.send(
        userId="me", body={"threadId": inbound["threadId"]},
        media_body=MediaIoBaseUpload(io.BytesIO(reply), mimetype="message/rfc822")))
    assert sent["threadId"] == inbound["threadId"]
    assert "SENT" in sent["labelIds"]

    # Modify, batchModify, trash, untrash.
    execute_checked(messages.modify(userId="me", id=inbound["id"],
                                    body={"addLabelIds": ["STARRED", label["id"]],
                                          "removeLabelIds": ["UNREAD"]}))
    execute_checked(messages.batchModify(userId="me", body={
        "ids": [inbound["id"], imported["id"]], "addLabelIds": ["IMPORTANT"]}))
    execute_checked(messages.trash(userId="me", id=imported["id"]))
    execute_checked(messages.untrash(userId="me", id=imported["id"]))

    # Threads: list, get in each format, modify, trash, untrash.
    execute_checked(threads.list(userId="me"))
    for fmt in ("minimal", "metadata", "full"):
        thread = execute_checked(threads.get(userId="me", id=inbound["threadId"], format=fmt))
    assert len(thread["messages"]) == 2
    execute_checked(threads.modify(userId="me", id=inbound["threadId"],
                                   body={"addLabelIds": ["IMPORTANT"]}))
    execute_checked(threads.trash(userId="me", id=inbound["threadId"]))
    execute_checked(threads.untrash(userId="me", id=inbound["threadId"]))

    # Drafts: create (resumable upload), list, get, update, send, delete.
    draft = execute_checked(drafts.create(
        userId="me", body={},
        media_body=MediaIoBaseUpload(io.BytesIO(rfc822("Draf penawaran")),
                                     mimetype="message/rfc822", resumable=True)))
    execute_checked(drafts.list(userId="me"))
    execute_checked(drafts.get(userId="me", id=draft["id"]))
    execute_checked(drafts.update(userId="me", id=draft["id"], body={
        "message": {"raw": b64(rfc822("Draf penawaran v2"))}}))
    execute_checked(drafts.send(userId="me", body={"id": draft["id"]}))
    second = execute_checked(drafts.create(userId="me", body={
        "message": {"raw": b64(rfc822("Draf dibuang"))}}))
    execute_checked(drafts.delete(userId="me", id=second["id"]))

    # History since the start shows the mail that arrived.
    history = execute_checked(users.history().list(userId="me", startHistoryId=start_history,
                                                   historyTypes=["messageAdded"]))
    added = {r["message"]["id"] for h in history["history"] for r in h["messagesAdded"]}
    assert {inbound["id"], imported["id"], sent["id"]} <= added

    # Send-as settings (offered as aliases by clients).
    send_as = execute_checked(users.settings().sendAs().list(userId="me"))
    assert send_as["sendAs"][0]["sendAsEmail"] == OWNER
    execute_checked(users.settings().sendAs().get(userId="me", sendAsEmail=OWNER))

    # A 50-message batch of metadata gets, each answer conforming.
    answers: list[dict] = []

    def collect(request_id: str, response: dict, exception: Exception | None) -> None:
        assert exception is None, exception
        check_schema("Message", response)
        answers.append(response)

    batch: BatchHttpRequest = gmail.new_batch_http_request(callback=collect)
    for _ in range(50):
        batch.add(messages.get(userId="me", id=inbound["id"], format="metadata"))
    batch.execute()
    assert len(answers) == 50

    # Deletion: message, batchDelete, thread, label.
    execute_checked(messages.delete(userId="me", id=sent["id"]))
    execute_checked(messages.batchDelete(userId="me", body={"ids": [imported["id"]]}))
    execute_checked(threads.delete(userId="me", id=inbound["threadId"]))
    execute_checked(labels.delete(userId="me", id=label["id"]))
    with pytest.raises(HttpError) as gone:
        messages.get(userId="me", id=inbound["id"]).execute()
    assert gone.value.resp.status == 404


def _message_id(message: dict) -> str:
    return next(h["value"] for h in message["payload"]["headers"]
                if h["name"].lower() == "message-id")
