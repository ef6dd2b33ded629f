"""The broker end to end: staff views through the real mail layer against the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit import AuditQuery, ResourceKind
from fakegmail.pytest_plugin import FakeGmailAccount
from guard.broker import AccessBroker
from guard.errors import ConsentRequired
from guard.mail_values import Message, Thread
from guard.policy import Actor
from guard.service import Guard
from tests.guard.broker.conftest import ADMIN, staff_actor
from tests.guard.mail.conftest import (  # noqa: F401 - fixtures used here
    add_message,
    guard,
    owner,
    sleeps,
)

SUPPORT = staff_actor("sam@qontak.com", "support")


@pytest.fixture
def broker(guard: Guard) -> AccessBroker:  # noqa: F811 - the fixture above
    """Return the broker ``Guard.open`` wired, with a registered support member."""
    guard.staff.add(SUPPORT.id, roles=["support"], by=ADMIN)
    return guard.broker


def _message_id(subject: str, body: str) -> str:
    """Return the Message-ID ``add_message`` gives a message (see its conftest)."""
    return f"<{abs(hash(subject))}.{len(body)}@example.org>"


def test_support_sees_exactly_the_consented_message(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount) -> None:
    first = add_message(account, subject="Invoice 42", body="Please see the invoice.")
    other = add_message(account, subject="Private", body="Not for support.")
    consent = guard.consents.record(actor=owner, grantee="support", message_ids=[first.id],
                                    wording="Support may read 'Invoice 42' for 3 days",
                                    expires_at=guard.settings.clock() + timedelta(days=3))
    message = broker.view_message(SUPPORT, mailbox=owner.id, message_id=first.id,
                                  consent_id=consent.id)
    assert isinstance(message, Message)
    assert message.headers.subject == "Invoice 42"
    assert "Please see the invoice." in (message.text_body or "")
    with pytest.raises(ConsentRequired) as caught:
        broker.view_message(SUPPORT, mailbox=owner.id, message_id=other.id,
                            consent_id=consent.id)
    assert caught.value.rule_id == "consent.message_not_covered"
    staff_entries = list(guard.audit.query(AuditQuery(actor_kind="staff",
                                                      action="messages.get")))
    assert [(e.decision, e.rule_id) for e in staff_entries] == [
        ("allow", "consent.allowed"), ("allow", "consent.allowed"),
        ("deny", "consent.message_not_covered")]
    assert all(e.basis == "consent" and e.basis_ref == consent.id for e in staff_entries)


def test_a_consented_thread_shows_the_consented_messages_and_not_the_rest(
        guard: Guard, broker: AccessBroker, owner: Actor,  # noqa: F811
        account: FakeGmailAccount) -> None:
    opening_body = "Please see the invoice."
    first = add_message(account, subject="Invoice 42", body=opening_body)
    reply_to = _message_id("Invoice 42", opening_body)
    threading = f"In-Reply-To: {reply_to}\r\nReferences: {reply_to}\r\n"
    private = add_message(account, subject="Re: Invoice 42", body="My card number is...",
                          extra_headers=threading)
    answer = add_message(account, subject="Re: Invoice 42", body="Paid, thanks.",
                         extra_headers=threading)
    elsewhere = add_message(account, subject="Lunch", body="Noon?")
    assert first.thread_id == private.thread_id == answer.thread_id != elsewhere.thread_id
    consent = guard.consents.record(
        actor=owner, grantee="support", message_ids=[first.id, answer.id, elsewhere.id],
        wording="Support may read the invoice, the answer and the lunch note")
    thread = broker.view_thread(SUPPORT, mailbox=owner.id, thread_id=first.thread_id,
                                consent_id=consent.id, request_id="req-thread")
    assert isinstance(thread, Thread)
    assert [m.id for m in thread.messages] == [first.id, answer.id]
    assert all("card number" not in (m.text_body or "") for m in thread.messages)
    touched = {r.id for e in guard.audit.query(AuditQuery(request_id="req-thread"))
               for r in e.resources if r.kind is ResourceKind.MESSAGE}
    assert private.id not in touched
