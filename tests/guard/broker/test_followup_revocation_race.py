"""Two revocations of one consent or grant at the same moment: one revokes, one is told.

Both requests used to pass the "not yet revoked" read, both were recorded as the
revocation, and the later one overwrote ``revoked_at``. Now only the first sets it; the
other changes nothing, is recorded as having found it already revoked, and is told so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from audit import AuditLog, AuditUnavailable
from guard.consents import ConsentBook, TransferConsentBook
from guard.grants import GrantBook, GrantRules
from guard.policy import AccessBasis, GrantReference, Policy
from guard.staff import StaffRegistry
from guard.vault import VaultKeys
from tests.guard.broker.conftest import USER, Clock, entries, staff_actor, user_actor

SEC1 = staff_actor("sec1@qontak.com", "security")
SEC2 = staff_actor("sec2@qontak.com", "security")
CASE = GrantReference(case_id="CASE-44", category="fraud")


class RacingClock:
    """The test clock, except that two named threads meet on their first reading.

    Each racer reads the time just before it revokes; meeting there puts both past any
    "already revoked?" read before either writes. Racer ``b`` reads a second later, so a
    revocation that overwrites shows.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.barrier = threading.Barrier(2, timeout=20)
        self.offsets = {"racer-a": 0, "racer-b": 1}
        self.met: set[str] = set()

    def __call__(self) -> datetime:
        name = threading.current_thread().name
        if name in self.offsets and name not in self.met:
            self.met.add(name)
            self.barrier.wait()
            return self.clock.now + timedelta(seconds=self.offsets[name])
        return self.clock.now


def race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run ``first`` as racer a and ``second`` as racer b at once; return both results."""
    results: dict[str, Any] = {}

    def run(name: str, call: Callable[[], Any]) -> None:
        threading.current_thread().name = name
        results[name] = call()

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(run, "racer-a", first), pool.submit(run, "racer-b", second)]
        for future in done:
            future.result(timeout=60)
    return results["racer-a"], results["racer-b"]


def _winner_and_loser(log: AuditLog, action: str, revoked_rule: str, a: Any, b: Any
                      ) -> tuple[Any, Any, str]:
    """Return the request that revoked, the one told it was already revoked, and its side."""
    [revoked] = [e for e in entries(log, action=action) if e.rule_id == revoked_rule]
    side = revoked.request_id.removeprefix("req-")
    winner, loser = (a, b) if side == "a" else (b, a)
    assert (winner.already_revoked, loser.already_revoked) == (False, True)
    return winner, loser, side


def test_two_revocations_of_one_consent_revoke_it_once(
        engine: Engine, policy: Policy, audit_log: AuditLog, clock: Clock,
        vault_keys: VaultKeys) -> None:
    racing = RacingClock(clock)
    book = ConsentBook(engine, policy, audit_log, keys=vault_keys, clock=racing)
    made = book.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                       wording="Support may read this message")
    a, b = race(lambda: book.revoke(made.id, actor=user_actor(), request_id="req-a"),
                lambda: book.revoke(made.id, actor=user_actor(), request_id="req-b"))
    winner, loser, side = _winner_and_loser(audit_log, "consent.revoke", "consent.revoked",
                                            a, b)
    stored = book.get(made.id)
    assert stored is not None and stored.revoked_at == winner.revoked_at
    assert loser.revoked_at == winner.revoked_at  # the loser is told when it happened
    revocations = entries(audit_log, action="consent.revoke")
    assert sorted((e.request_id, e.rule_id, e.outcome) for e in revocations) == sorted([
        (f"req-{side}", "consent.revoked", ""),
        ("req-" + ("b" if side == "a" else "a"), "consent.already_revoked",
         "already_revoked")])
    assert all(e.decision == "allow" for e in revocations)


def test_two_revocations_of_one_transfer_consent_revoke_it_once(
        engine: Engine, policy: Policy, audit_log: AuditLog, clock: Clock,
        vault_keys: VaultKeys) -> None:
    racing = RacingClock(clock)
    book = TransferConsentBook(engine, policy, audit_log, keys=vault_keys, clock=racing)
    made = book.record(actor=user_actor(), recipient_id="qontak-crm",
                       wording="Qontak CRM may receive this conversation")
    a, b = race(lambda: book.revoke(made.id, actor=user_actor(), request_id="req-a"),
                lambda: book.revoke(made.id, actor=user_actor(), request_id="req-b"))
    winner, _, side = _winner_and_loser(audit_log, "transfer_consent.revoke",
                                        "transfer.consent_revoked", a, b)
    stored = book.get(made.id)
    assert stored is not None and stored.revoked_at == winner.revoked_at
    rules = {e.request_id: e.rule_id for e in entries(audit_log,
                                                      action="transfer_consent.revoke")}
    assert rules == {f"req-{side}": "transfer.consent_revoked",
                     "req-" + ("b" if side == "a" else "a"):
                         "transfer.consent_already_revoked"}


def test_two_revocations_of_one_grant_revoke_it_once(
        engine: Engine, policy: Policy, audit_log: AuditLog, staff: StaffRegistry,
        clock: Clock) -> None:
    racing = RacingClock(clock)
    book = GrantBook(engine, policy, audit_log, staff, clock=racing,
                     rules=GrantRules(pending_for=timedelta(hours=2),
                                      approval_for=timedelta(hours=8)))
    grant = book.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                         reference=CASE, duration=timedelta(hours=24))
    a, b = race(lambda: book.revoke(grant.id, actor=SEC1, request_id="req-a"),
                lambda: book.revoke(grant.id, actor=SEC2, request_id="req-b"))
    winner, loser, side = _winner_and_loser(audit_log, "grant.revoke", "grant.revoke", a, b)
    stored = book.get(grant.id)
    assert stored is not None
    assert (stored.revoked_at, stored.revoked_by) == (winner.revoked_at, winner.revoked_by)
    assert stored.revoked_by == ("sec1@qontak.com" if side == "a" else "sec2@qontak.com")
    assert (loser.revoked_at, loser.revoked_by) == (winner.revoked_at, winner.revoked_by)
    rules = {e.request_id: e.rule_id for e in entries(audit_log, action="grant.revoke")}
    assert rules == {f"req-{side}": "grant.revoke",
                     "req-" + ("b" if side == "a" else "a"): "grant.already_revoked"}


def test_revoking_again_later_changes_nothing_and_is_recorded_as_such(
        consents: ConsentBook, grants: GrantBook, audit_log: AuditLog,
        clock: Clock) -> None:
    made = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                           wording="Support may read this message")
    first = consents.revoke(made.id, actor=user_actor(), request_id="first")
    clock.advance(minutes=5)
    second = consents.revoke(made.id, actor=user_actor(), request_id="second")
    assert (first.already_revoked, second.already_revoked) == (False, True)
    assert second.revoked_at == first.revoked_at == consents.get(made.id).revoked_at  # type: ignore[union-attr]
    assert [(e.request_id, e.rule_id) for e in entries(audit_log, action="consent.revoke")] \
        == [("first", "consent.revoked"), ("second", "consent.already_revoked")]

    grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                           reference=CASE, duration=timedelta(hours=24))
    revoked = grants.revoke(grant.id, actor=SEC1)
    clock.advance(minutes=5)
    again = grants.revoke(grant.id, actor=SEC2)
    assert again.already_revoked and not revoked.already_revoked
    assert (again.revoked_at, again.revoked_by) == (revoked.revoked_at, "sec1@qontak.com")
    assert [e.rule_id for e in entries(audit_log, action="grant.revoke")] == [
        "grant.revoke", "grant.already_revoked"]


@pytest.mark.parametrize("kind", ["consent", "grant"])
def test_a_revocation_the_audit_log_cannot_record_does_not_stand(
        consents: ConsentBook, grants: GrantBook, audit_log: AuditLog, kind: str) -> None:
    if kind == "consent":
        made = consents.record(actor=user_actor(), grantee="support", message_ids=["m1"],
                               wording="Support may read this message")
        audit_log.close()
        with pytest.raises(AuditUnavailable):
            consents.revoke(made.id, actor=user_actor())
        assert consents.get(made.id).revoked_at is None  # type: ignore[union-attr]
    else:
        grant = grants.request(actor=SEC1, mailbox=USER, basis=AccessBasis.SECURITY,
                               reference=CASE, duration=timedelta(hours=24))
        audit_log.close()
        with pytest.raises(AuditUnavailable):
            grants.revoke(grant.id, actor=SEC1)
        stored = grants.get(grant.id)
        assert stored is not None and (stored.revoked_at, stored.revoked_by) == (None, None)
