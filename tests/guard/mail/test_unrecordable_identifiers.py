"""A mailbox access naming an id the audit log cannot hold is refused and recorded.

Reproduces: a user asking for their own message by an id with an invisible or control
character (a pasted ``/message/<id>`` link) was allowed by the policy, the log then
refused the entry, and the user saw "audit unavailable" (503) with nothing recorded. Now
the access is refused as ``request.malformed``, recorded with the id cleaned, and Gmail is
not called.
"""

from __future__ import annotations

import pytest

from audit import AuditQuery, ResourceKind
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.errors import AccessDenied, ProhibitedPurpose
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import (  # noqa: F401 - fixtures used here
    add_message,
    calls,
    guard,
    owner,
    sleeps,
)


@pytest.mark.parametrize("suffix", ["\u2028", "\u200b", "\x00"])
def test_an_id_with_an_invisible_character_is_refused_and_recorded(
        guard: Guard, owner: Actor, account: FakeGmailAccount,  # noqa: F811
        emulator: EmulatorServer, suffix: str) -> None:
    message = add_message(account, subject="Payslip", body="Net pay attached.")
    before = calls(emulator)
    with pytest.raises(AccessDenied) as caught:
        guard.mail.get_message(actor=owner, mailbox=owner.id, purpose="email.read",
                               message_id=message.id + suffix, request_id="req-pasted")
    assert caught.value.rule_id == "request.malformed"
    assert calls(emulator) == before
    [entry] = guard.audit.query(AuditQuery(request_id="req-pasted"))
    assert (entry.decision, entry.rule_id, entry.action) == (
        "deny", "request.malformed", "messages.get")
    assert [r.id for r in entry.resources if r.kind is ResourceKind.MESSAGE] == [message.id]


def test_a_prohibited_purpose_spelled_with_an_invisible_character_is_counted(
        guard: Guard, owner: Actor, account: FakeGmailAccount,  # noqa: F811
        emulator: EmulatorServer) -> None:
    # Reproduces: the refusal was decided (prohibited.advertising) but the purpose could
    # not be written, so the attempt raised AuditUnavailable and was never counted.
    message = add_message(account, subject="Shoes", body="Running shoes receipt.")
    before = calls(emulator)
    with pytest.raises(ProhibitedPurpose):
        guard.mail.get_message(actor=owner, mailbox=owner.id,
                               purpose="advertising\u200b.targeting", message_id=message.id,
                               request_id="req-ads")
    assert calls(emulator) == before
    [entry] = guard.audit.query(AuditQuery(request_id="req-ads"))
    assert (entry.decision, entry.rule_id, entry.purpose) == (
        "deny", "prohibited.advertising", "advertising.targeting")
