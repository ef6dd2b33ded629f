"""Inbox pages of one mailbox asked for at once share a history call, each still audited."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.mail_values import InboxListing
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import add_message, calls, control

PAGES = 6


def test_concurrent_warm_pages_share_history_calls_and_each_records_its_accesses(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    add_message(account, subject="Before the cache")
    guard.mail.list_inbox(actor=owner, mailbox=account.email, purpose="email.read",
                          max_results=10, request_id="cold")
    add_message(account, subject="After the cache")
    # Each history call takes a while, so pages asked for together overlap.
    control(emulator, "POST", "faults", {"method": "history.list", "latency_ms": 300})
    before = calls(emulator, "gmail.users.history.list")
    start = threading.Barrier(PAGES)

    def page(n: int) -> InboxListing:
        start.wait(10)
        return guard.mail.list_inbox(actor=owner, mailbox=account.email,
                                     purpose="email.read", max_results=10,
                                     request_id=f"page-{n}")

    with ThreadPoolExecutor(max_workers=PAGES) as pool:
        listings = list(pool.map(page, range(PAGES)))

    made = calls(emulator, "gmail.users.history.list") - before
    assert 1 <= made < PAGES
    assert guard.mail._inbox_syncs.shared >= PAGES - made
    for listing in listings:  # every page shows the message delivered after the cache
        assert {t.subject for t in listing.page.threads} == {"Before the cache",
                                                              "After the cache"}
    # Every request recorded its own accesses, allowed; the new thread was fetched once,
    # by the first sync (a later one starts from where that one left the cache).
    fetched_by = []
    for n in range(PAGES):
        recorded = sorted(guard.audit.query(AuditQuery(request_id=f"page-{n}")),
                          key=lambda e: e.seq)
        actions = [(e.action, e.decision.value) for e in recorded]
        assert actions[:3] == [("threads.list", "allow"), ("labels.list", "allow"),
                               ("history.list", "allow")]
        if actions[3:]:
            assert actions[3:] == [("threads.get", "allow")]
            fetched_by.append(n)
    assert len(fetched_by) == 1
