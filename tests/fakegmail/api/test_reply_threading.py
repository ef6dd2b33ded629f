"""A sent reply or a draft joins a thread only when the request names it, as Gmail requires.

Gmail's thread guide: to be part of a thread, a message or draft sent through the API
must carry the requested ``threadId``, RFC 2822 References/In-Reply-To headers, and a
matching Subject. Without ``threadId`` the sender's copy starts a thread of its own;
received copies are threaded by their headers as usual.
"""

from __future__ import annotations

from typing import Any

from fakegmail.pytest_plugin import FakeGmailAccount, new_account
from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import ServiceFactory, b64, insert, make_raw


def _original(users: Any) -> dict[str, Any]:
    return insert(users, make_raw(subject="Venue", message_id="<venue-1@example.org>"))


def _reply(sender: str, to: str = "carol@example.org") -> bytes:
    return make_raw(subject="Re: Venue", sender=sender, to=to,
                    headers={"In-Reply-To": "<venue-1@example.org>",
                             "References": "<venue-1@example.org>"})


def test_a_reply_sent_without_thread_id_starts_its_own_thread(
        users: Any, account: FakeGmailAccount) -> None:
    original = _original(users)

    sent = users.messages().send(userId="me", body={"raw": b64(_reply(account.email))}
                                 ).execute()

    assert sent["threadId"] != original["threadId"]


def test_a_reply_sent_with_thread_id_joins_that_thread(
        users: Any, account: FakeGmailAccount) -> None:
    original = _original(users)

    sent = users.messages().send(userId="me", body={
        "raw": b64(_reply(account.email)), "threadId": original["threadId"]}).execute()

    assert sent["threadId"] == original["threadId"]
    thread = users.threads().get(userId="me", id=original["threadId"]).execute()
    assert [m["id"] for m in thread["messages"]] == [original["id"], sent["id"]]


def test_a_draft_joins_a_thread_only_when_asked(
        users: Any, account: FakeGmailAccount) -> None:
    original = _original(users)
    raw = b64(_reply(account.email))

    alone = users.drafts().create(userId="me", body={"message": {"raw": raw}}).execute()
    joined = users.drafts().create(userId="me", body={
        "message": {"raw": raw, "threadId": original["threadId"]}}).execute()

    assert alone["message"]["threadId"] != original["threadId"]
    assert joined["message"]["threadId"] == original["threadId"]
    sent = users.drafts().send(userId="me", body={"id": joined["id"]}).execute()
    assert sent["threadId"] == original["threadId"]


def test_the_recipient_threads_a_reply_by_its_headers(
        fake_gmail: EmulatorServer, service_for: ServiceFactory,
        account: FakeGmailAccount) -> None:
    recipient = new_account(fake_gmail.state, fake_gmail.url)
    theirs = service_for(recipient).users()
    original = insert(theirs, make_raw(subject="Venue", message_id="<venue-1@example.org>"))
    mine = service_for(account).users()

    mine.messages().send(userId="me", body={
        "raw": b64(_reply(account.email, to=recipient.email))}).execute()

    thread = theirs.threads().get(userId="me", id=original["threadId"]).execute()
    assert len(thread["messages"]) == 2
