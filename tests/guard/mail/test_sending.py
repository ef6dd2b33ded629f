"""Sending through the guard: RFC 5322 built safely, uploads, threading, no duplicates."""

from __future__ import annotations

import pytest
import requests

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.mail_values import OutgoingAttachment, OutgoingMessage
from guard.outgoing import MAX_MESSAGE_BYTES, InvalidMessage, build_message
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import Sleeps, add_message, calls, control


def test_reply_with_attachments_lands_in_the_same_thread(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    first = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                            outgoing=OutgoingMessage(
                                from_=account.email, to=("Bob <bob@example.org>",),
                                subject="Contract draft", text_body="See attached.",
                                html_body="<p>See <b>attached</b>.</p>",
                                attachments=(OutgoingAttachment("contract.pdf",
                                                                "application/pdf",
                                                                b"%PDF-1.4 fake" * 100),)))
    assert first.message_id_header.startswith("<") and first.id and first.thread_id
    before = calls(emulator, "gmail.users.messages.send")
    reply = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                            outgoing=OutgoingMessage(
                                from_=account.email, to=("bob@example.org",),
                                subject="Re: Contract draft", text_body="And the annex.",
                                attachments=(OutgoingAttachment("annex.txt", "text/plain",
                                                                b"annex"),),
                                in_reply_to=first.message_id_header,
                                references=(first.message_id_header,),
                                thread_id=first.thread_id))
    assert calls(emulator, "gmail.users.messages.send") == before + 1
    assert reply.thread_id == first.thread_id
    thread = guard.mail.get_thread(actor=owner, mailbox=account.email, purpose="email.read",
                                   thread_id=first.thread_id)
    assert [m.id for m in thread.messages] == [first.id, reply.id]
    sent = thread.messages[1]
    assert sent.headers.in_reply_to == first.message_id_header
    assert sent.headers.references == (first.message_id_header,)
    assert "SENT" in sent.label_ids
    [annex] = sent.attachments
    assert (annex.filename, annex.mime_type) == ("annex.txt", "text/plain")
    # Gmail issues new attachment ids on every fetch: the part id finds the part again.
    [contract] = thread.messages[0].attachments
    data = guard.mail.get_attachment(actor=owner, mailbox=account.email,
                                     purpose="email.read", message_id=first.id,
                                     attachment_id=contract.attachment_id,
                                     part_id=contract.part_id)
    assert data.data == b"%PDF-1.4 fake" * 100
    assert data.filename == "contract.pdf"


@pytest.mark.parametrize("field, value", [
    ("subject", "Hi\r\nBcc: victim@example.org"),
    ("subject", "Hi\nX-Evil: 1"),
    ("to", ("bob@example.org\r\nBcc: victim@example.org",)),
    ("from_", "me@example.org\rX-Evil: 1"),
    ("in_reply_to", "<a@b>\r\nX-Evil: 1"),
    ("references", ("<a@b>\nX-Evil: 1",)),
])
def test_header_injection_is_refused_before_anything_is_sent(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        field: str, value: object) -> None:
    values: dict[str, object] = {"from_": account.email, "to": ("bob@example.org",),
                                 "subject": "Hello", field: value}
    before = calls(emulator)
    size = guard.audit.size()
    with pytest.raises(InvalidMessage) as raised:
        guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                        outgoing=OutgoingMessage(**values))  # type: ignore[arg-type]
    assert "line break" in str(raised.value) or "address" in str(raised.value)
    assert "victim" not in str(raised.value)
    assert calls(emulator) == before
    assert guard.audit.size() == size


def test_attachment_filename_injection_and_oversize_are_refused() -> None:
    with pytest.raises(InvalidMessage, match="filename"):
        build_message(OutgoingMessage(from_="a@example.org", to=("b@example.org",),
                                      attachments=(OutgoingAttachment(
                                          "x.txt\r\nContent-Type: text/html", "text/plain",
                                          b"x"),)))
    with pytest.raises(InvalidMessage, match="35 MiB"):
        build_message(OutgoingMessage(from_="a@example.org", to=("b@example.org",),
                                      attachments=(OutgoingAttachment(
                                          "big.bin", "application/octet-stream",
                                          b"\0" * (MAX_MESSAGE_BYTES // 4 * 3 + 1)),)))


def test_a_send_whose_answer_is_lost_is_not_sent_twice(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps) -> None:
    # Gmail stores and sends the message, but its answer never arrives (a read timeout).
    lost: list[str] = []

    def lose_first_send_answer(response: requests.Response, *args: object,
                               **kwargs: object) -> None:
        if "/messages/send" in response.request.url and not lost:
            lost.append(response.request.url)
            raise requests.exceptions.ReadTimeout("answer lost")

    guard.http_session.hooks["response"].append(lose_first_send_answer)
    before = calls(emulator, "gmail.users.messages.send")
    sent = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                           outgoing=OutgoingMessage(from_=account.email,
                                                    to=("bob@example.org",),
                                                    subject="Only once", text_body="Once."))
    assert lost, "the answer to the send was not lost; the test proves nothing"
    assert calls(emulator, "gmail.users.messages.send") == before + 1
    assert sent.id and "SENT" in sent.label_ids
    thread = guard.mail.get_thread(actor=owner, mailbox=account.email, purpose="email.read",
                                   thread_id=sent.thread_id)
    assert [m.headers.message_id for m in thread.messages] == [sent.message_id_header]


def test_a_send_refused_with_503_is_retried_until_it_goes_through(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps) -> None:
    control(emulator, "POST", "faults", {"method": "messages.send", "status": 503,
                                          "count": 2})
    try:
        sent = guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                               outgoing=OutgoingMessage(from_=account.email,
                                                        to=("bob@example.org",),
                                                        subject="Eventually"))
    finally:
        control(emulator, "DELETE", "faults")
    assert sent.id
    assert len(sleeps.waits) == 2


def test_drafts_round_trip(guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    draft = guard.mail.save_draft(actor=owner, mailbox=account.email, purpose="email.compose",
                                  outgoing=OutgoingMessage(from_=account.email,
                                                           to=("bob@example.org",),
                                                           subject="Draft v1",
                                                           text_body="first"))
    updated = guard.mail.save_draft(actor=owner, mailbox=account.email,
                                    purpose="email.compose", draft_id=draft.id,
                                    outgoing=OutgoingMessage(from_=account.email,
                                                             to=("bob@example.org",),
                                                             subject="Draft v2",
                                                             text_body="second"))
    assert updated.id == draft.id
    page = guard.mail.list_drafts(actor=owner, mailbox=account.email, purpose="email.compose")
    assert [d.id for d in page.drafts] == [draft.id]
    full = guard.mail.get_draft(actor=owner, mailbox=account.email, purpose="email.compose",
                                draft_id=draft.id)
    assert full.message.headers.subject == "Draft v2"
    sent = guard.mail.send_draft(actor=owner, mailbox=account.email, purpose="email.send",
                                 draft_id=draft.id, request_id="draft-send")
    assert "SENT" in sent.label_ids
    [entry] = guard.audit.query(AuditQuery(request_id="draft-send"))
    assert entry.action == "drafts.send"
    assert [r.id for r in entry.resources] == [draft.id]
    assert guard.mail.list_drafts(actor=owner, mailbox=account.email,
                                  purpose="email.compose").drafts == ()


def test_send_purpose_cannot_read(guard: Guard, owner: Actor,
                                  account: FakeGmailAccount) -> None:
    stored = add_message(account, subject="Secret")
    with pytest.raises(Exception) as raised:
        guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.send",
                               message_id=stored.id)
    assert getattr(raised.value, "rule_id", "") == "purpose.action_not_allowed"


def _draft(guard: Guard, owner: Actor, account: FakeGmailAccount, subject: str) -> str:
    return guard.mail.save_draft(actor=owner, mailbox=account.email, purpose="email.compose",
                                 outgoing=OutgoingMessage(from_=account.email,
                                                          to=("bob@example.org",),
                                                          subject=subject,
                                                          text_body="draft")).id


def _lose_answers_of(path: str, times: int = 1) -> tuple[list[str], object]:
    lost: list[str] = []

    def hook(response: requests.Response, *args: object, **kwargs: object) -> None:
        if path in str(response.request.url) and len(lost) < times:
            lost.append(str(response.request.url))
            raise requests.exceptions.ReadTimeout("answer lost")

    return lost, hook


def test_a_draft_send_whose_answer_is_lost_is_not_sent_twice(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps) -> None:
    draft_id = _draft(guard, owner, account, "Draft only once")
    lost, hook = _lose_answers_of("/drafts/send")
    guard.http_session.hooks["response"].append(hook)
    before = calls(emulator, "gmail.users.drafts.send")
    sent = guard.mail.send_draft(actor=owner, mailbox=account.email, purpose="email.send",
                                 draft_id=draft_id)
    assert lost, "the answer to the draft send was not lost; the test proves nothing"
    assert calls(emulator, "gmail.users.drafts.send") == before + 1
    assert sent.id and sent.message_id_header.startswith("<")
    thread = guard.mail.get_thread(actor=owner, mailbox=account.email, purpose="email.read",
                                   thread_id=sent.thread_id)
    assert [m.headers.message_id for m in thread.messages] == [sent.message_id_header]


def test_a_draft_send_refused_with_503_is_retried(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        sleeps: Sleeps) -> None:
    draft_id = _draft(guard, owner, account, "Draft eventually")
    control(emulator, "POST", "faults", {"method": "drafts.send", "status": 503, "count": 2})
    try:
        sent = guard.mail.send_draft(actor=owner, mailbox=account.email, purpose="email.send",
                                     draft_id=draft_id)
    finally:
        control(emulator, "DELETE", "faults")
    assert "SENT" in sent.label_ids
    assert len(sleeps.waits) == 2


def test_a_draft_without_recipients_is_saved_but_not_sent(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    bare = OutgoingMessage(from_=account.email, subject="Ideas", text_body="to be continued")
    draft = guard.mail.save_draft(actor=owner, mailbox=account.email,
                                  purpose="email.compose", outgoing=bare)
    saved = guard.mail.get_draft(actor=owner, mailbox=account.email, purpose="email.compose",
                                 draft_id=draft.id)
    assert saved.message.headers.subject == "Ideas"
    assert saved.message.headers.to == ()
    assert saved.message.text_body is not None and "to be continued" in saved.message.text_body
    again = guard.mail.save_draft(actor=owner, mailbox=account.email, purpose="email.compose",
                                  outgoing=OutgoingMessage(from_=account.email,
                                                           subject="Ideas, v2"),
                                  draft_id=draft.id)
    assert again.id == draft.id
    before, size = calls(emulator), guard.audit.size()
    with pytest.raises(InvalidMessage, match="no recipient"):
        guard.mail.send(actor=owner, mailbox=account.email, purpose="email.send",
                        outgoing=bare)
    assert calls(emulator) == before
    assert guard.audit.size() == size


def test_only_a_draft_may_be_built_without_recipients() -> None:
    bare = OutgoingMessage(from_="a@example.org", subject="Later")
    with pytest.raises(InvalidMessage, match="add at least one to, cc or bcc"):
        build_message(bare)
    raw = build_message(bare, draft=True).raw
    assert b"Subject: Later" in raw
    assert b"\nTo:" not in raw and b"\nCc:" not in raw and b"\nBcc:" not in raw
    with pytest.raises(InvalidMessage, match="not an email address"):
        build_message(OutgoingMessage(from_="a@example.org", to=("nobody",)), draft=True)
