"""The inbox records its accesses in one audit commit, a denial among them included."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from audit import AuditQuery
from audit import Decision as AuditDecision
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard import recording
from guard.errors import AccessDenied
from guard.mail_values import InboxListing
from guard.policy import AccessRequest, Actor, Decision, Policy
from guard.service import Guard
from tests.guard.mail.conftest import add_message, stats

#: The entry fields that must not depend on how many accesses share a commit.
FIELDS = ("actor_kind", "actor_id_h", "actor_role", "mailbox_h", "action", "purpose",
          "basis", "basis_ref", "resources", "decision", "rule_id", "policy_version",
          "request_id", "outcome", "client_ip_h")


class Commits:
    """Count the audit log's appends (each is one durable commit)."""

    def __init__(self, guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = guard.audit.append_many

        def counting(events: Any) -> Any:
            self.count += 1
            return real(events)

        monkeypatch.setattr(guard.audit, "append_many", counting)


def inbox(guard: Guard, owner: Actor, account: FakeGmailAccount,
          request_id: str) -> InboxListing:
    return guard.mail.list_inbox(actor=owner, mailbox=account.email, purpose="email.read",
                                 max_results=10, request_id=request_id)


def entries(guard: Guard, request_id: str) -> list[Any]:
    return sorted(guard.audit.query(AuditQuery(request_id=request_id)), key=lambda e: e.seq)


def fields(entry: Any, request_id: str = "") -> tuple[Any, ...]:
    return tuple(getattr(replace(entry, request_id=request_id), name) for name in FIELDS)


def test_a_warm_inbox_costs_one_audit_commit_with_the_same_entries(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_message(account, subject="Committed once")
    commits = Commits(guard, monkeypatch)
    inbox(guard, owner, account, "cold-1")
    assert commits.count == 1
    assert [e.action for e in entries(guard, "cold-1")] == ["threads.list", "labels.list",
                                                            "profile.get"]
    commits.count = 0
    inbox(guard, owner, account, "warm-1")
    assert commits.count == 1
    warm = entries(guard, "warm-1")
    assert [e.action for e in warm] == ["threads.list", "labels.list", "history.list"]
    assert [e.seq for e in warm] == list(range(warm[0].seq, warm[0].seq + 3))
    assert [e.resources for e in warm][0][0].id == "INBOX"
    # Each entry is the one the access records when decided alone.
    guard.mail.history(actor=owner, mailbox=account.email, purpose="email.read",
                       start_history_id="1", request_id="alone-history")
    guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                            label_ids=["INBOX"], max_results=10, request_id="alone-threads")
    alone = {e.action: e for rid in ("alone-history", "alone-threads")
             for e in entries(guard, rid)}
    for entry in warm:
        if entry.action in alone:
            assert fields(entry) == fields(alone[entry.action])


def test_a_denial_among_the_three_is_recorded_with_the_others_and_gmail_is_untouched(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_message(account, subject="Denied later")
    inbox(guard, owner, account, "cold-1")
    real_check = recording.check_access

    def deny_history(policy: Policy, request: AccessRequest) -> Decision:
        decision = real_check(policy, request)
        if request.action != "history.list":
            return decision
        return replace(decision, allowed=False, rule_id="deny.history_for_test",
                       reason="history is refused in this test")

    monkeypatch.setattr(recording, "check_access", deny_history)
    commits = Commits(guard, monkeypatch)
    calls_before = stats(emulator)["total_calls"]
    with pytest.raises(AccessDenied) as raised:
        inbox(guard, owner, account, "denied-1")
    assert raised.value.decision.rule_id == "deny.history_for_test"
    assert stats(emulator)["total_calls"] == calls_before
    assert commits.count == 1
    recorded = entries(guard, "denied-1")
    assert [(e.action, e.decision) for e in recorded] == [
        ("threads.list", AuditDecision.ALLOW), ("labels.list", AuditDecision.ALLOW),
        ("history.list", AuditDecision.DENY)]
    assert recorded[2].rule_id == "deny.history_for_test"


def test_the_first_denial_is_raised_when_several_are_denied(
        guard: Guard, owner: Actor, account: FakeGmailAccount, emulator: EmulatorServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_check = recording.check_access

    def deny_listings(policy: Policy, request: AccessRequest) -> Decision:
        decision = real_check(policy, request)
        return replace(decision, allowed=False, rule_id=f"deny.{request.action}",
                       reason="refused in this test")

    monkeypatch.setattr(recording, "check_access", deny_listings)
    calls_before = stats(emulator)["total_calls"]
    with pytest.raises(AccessDenied) as raised:
        inbox(guard, owner, account, "denied-2")
    assert raised.value.decision.rule_id == "deny.threads.list"
    assert stats(emulator)["total_calls"] == calls_before
    assert [(e.action, e.rule_id) for e in entries(guard, "denied-2")] == [
        ("threads.list", "deny.threads.list"), ("labels.list", "deny.labels.list"),
        ("profile.get", "deny.profile.get")]
