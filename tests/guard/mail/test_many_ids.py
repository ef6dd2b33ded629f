"""Organising many messages at once: as many as Gmail takes, each step decided and recorded."""

from __future__ import annotations

import pytest

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import add_message


def test_labelling_a_thousand_messages_at_once_is_recorded_and_done(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    ids = [add_message(account, subject=f"Bulk {n}", labels=("INBOX",)).id
           for n in range(1000)]

    guard.mail.modify(actor=owner, mailbox=account.email, purpose="email.organize",
                      message_ids=ids, add=["STARRED"], remove=["INBOX"])

    assert all("STARRED" in account.mailbox.get_message(i).label_ids for i in ids)
    recorded = list(guard.audit.query(AuditQuery(action="messages.batchModify")))
    assert recorded and all(e.decision == "allow" for e in recorded)
    named = {r.id for e in recorded for r in e.resources if r.kind.value == "message"}
    assert named == set(ids)


@pytest.mark.parametrize("method", ["modify", "trash", "untrash"])
def test_message_ids_given_as_one_string_are_refused_before_anything_is_recorded(
        guard: Guard, owner: Actor, account: FakeGmailAccount, method: str) -> None:
    stored = add_message(account, subject="Only one")
    before = len(list(guard.audit.query(AuditQuery())))
    with pytest.raises(TypeError, match="list of ids"):
        getattr(guard.mail, method)(actor=owner, mailbox=account.email,
                                    purpose="email.organize", message_ids=stored.id)
    assert len(list(guard.audit.query(AuditQuery()))) == before
