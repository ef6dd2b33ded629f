"""Large messages: resumable uploads up to Gmail's limit, resumed after a drop, sent once."""

from __future__ import annotations

import os

import requests

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.mail_values import OutgoingAttachment, OutgoingMessage
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import Sleeps, calls

MB = 1024 * 1024


class UploadLog:
    """Record the upload requests the guard makes; optionally lose some answers."""

    def __init__(self, lose: int | None = None) -> None:
        self.requests: list[tuple[str, str]] = []  # (method, url without host)
        self.lose = lose  # index of the session PUT whose answer is lost

    def __call__(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        request = response.request
        url = str(request.url)
        if "/upload/" not in url:
            return
        self.requests.append((str(request.method), url.split("/", 3)[3]))
        if self.lose is not None and len(self.puts()) == self.lose + 1 \
                and request.method == "PUT" and "content-range" in request.headers \
                and "*" not in request.headers["content-range"]:
            raise requests.exceptions.ConnectionError("connection dropped")

    def puts(self) -> list[str]:
        return [url for method, url in self.requests
                if method == "PUT" and "/sessions/" in url]


def _with_attachment(account: FakeGmailAccount, size: int, subject: str,
                     **extra: object) -> tuple[OutgoingMessage, bytes]:
    data = os.urandom(size)
    outgoing = OutgoingMessage(from_=account.email, to=("bob@example.org",), subject=subject,
                               text_body="The file is attached.",
                               attachments=(OutgoingAttachment("scan.bin",
                                                               "application/octet-stream",
                                                               data),), **extra)  # type: ignore[arg-type]
    return outgoing, data


def test_a_20_mb_attachment_goes_resumable_and_threads(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    first = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                            outgoing=OutgoingMessage(from_=account.email,
                                                     to=("bob@example.org",),
                                                     subject="Scans", text_body="Next."))
    log = UploadLog()
    guard.http_session.hooks["response"].append(log)
    outgoing, data = _with_attachment(
        account, 20 * MB, "Re: Scans", in_reply_to=first.message_id_header,
        references=(first.message_id_header,), thread_id=first.thread_id)
    before = calls(emulator, "gmail.users.messages.send")
    sent = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                           outgoing=outgoing, request_id="req-big")
    assert calls(emulator, "gmail.users.messages.send") == before + 1
    starts = [url for method, url in log.requests if "uploadType=resumable" in url]
    assert starts == ["upload/gmail/v1/users/me/messages/send?uploadType=resumable"]
    assert len(log.puts()) == 4  # about 27 MB once base64-encoded, in 8 MiB chunks
    assert not any("uploadType=multipart" in url for _m, url in log.requests)
    assert sent.thread_id == first.thread_id
    thread = guard.mail.get_thread(actor=owner, mailbox=account.email, purpose="email.read",
                                   thread_id=first.thread_id)
    assert [m.id for m in thread.messages] == [first.id, sent.id]
    [info] = thread.messages[1].attachments
    fetched = guard.mail.get_attachment(actor=owner, mailbox=account.email,
                                        purpose="email.read", message_id=sent.id,
                                        attachment_id=info.attachment_id,
                                        part_id=info.part_id)
    assert fetched.data == data
    [entry] = guard.audit.query(AuditQuery(request_id="req-big"))
    assert (entry.action, entry.decision.value) == ("messages.send", "allow")


def test_a_dropped_chunk_is_resumed_from_the_confirmed_offset(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer, sleeps: Sleeps) -> None:
    log = UploadLog(lose=0)  # the answer to the first chunk never arrives
    guard.http_session.hooks["response"].append(log)
    outgoing, data = _with_attachment(account, 10 * MB, "Resumed")
    before = calls(emulator, "gmail.users.messages.send")
    sent = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                           outgoing=outgoing)
    assert calls(emulator, "gmail.users.messages.send") == before + 1
    starts = [url for _m, url in log.requests if "uploadType=resumable" in url]
    assert len(starts) == 1, "the upload was restarted instead of resumed"
    assert len(log.puts()) == 3  # chunk 1 (answer lost), status query, chunk 2
    message = guard.mail.get_message(actor=owner, mailbox=account.email,
                                     purpose="email.read", message_id=sent.id)
    [info] = message.attachments
    assert guard.mail.get_attachment(actor=owner, mailbox=account.email,
                                     purpose="email.read", message_id=sent.id,
                                     attachment_id=info.attachment_id,
                                     part_id=info.part_id).data == data


def test_a_resumable_send_whose_last_answer_is_lost_is_not_sent_twice(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer, sleeps: Sleeps) -> None:
    log = UploadLog(lose=0)  # one chunk only: its (final) answer is lost
    guard.http_session.hooks["response"].append(log)
    outgoing, _data = _with_attachment(account, 5 * MB, "Only once, large")
    before = calls(emulator, "gmail.users.messages.send")
    sent = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                           outgoing=outgoing)
    assert len(log.puts()) >= 1
    assert calls(emulator, "gmail.users.messages.send") == before + 1
    assert sent.id and "SENT" in sent.label_ids
    thread = guard.mail.get_thread(actor=owner, mailbox=account.email, purpose="email.read",
                                   thread_id=sent.thread_id)
    assert [m.headers.message_id for m in thread.messages] == [sent.message_id_header]
