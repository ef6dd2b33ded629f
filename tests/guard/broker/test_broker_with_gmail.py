"""The broker end to end: a staff view through the real mail layer against the emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from guard.broker import AccessBroker
from guard.consents import ConsentBook
from guard.errors import ConsentRequired
from guard.grants import GrantBook
from guard.mail_values import Message
from guard.policy import Actor
from guard.service import Guard
from guard.staff import StaffRegistry
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
    staff = StaffRegistry(guard.engine, guard.policy, guard.audit)
    staff.add(SUPPORT.id, roles=["support"], by=ADMIN)
    consents = ConsentBook(guard.engine, guard.policy, guard.audit)
    grants = GrantBook(guard.engine, guard.policy, guard.audit, staff)
    guard.attach(consents=consents, grants=grants,
                 broker=AccessBroker(guard.policy, guard.audit, staff, consents, grants,
                                     guard.mail))
    return guard.broker  # type: ignore[no-any-return]


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
