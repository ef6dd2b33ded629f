"""The inbox with its label counts: one history round trip when warm, counts always right."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit import AuditQuery
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.mail_values import InboxListing
from guard.mailbox import LABELS_MAX_AGE
from guard.policy import Actor
from guard.service import Guard
from tests.guard.mail.conftest import (
    add_message,
    control,
    credentials_of,
    settings_for,
    stats,
)

Counters = tuple[str, str, int, int, int, int]


def truth(account: FakeGmailAccount) -> dict[str, Counters]:
    """Return every label's name, type and counters as the emulator holds them now."""
    found = {}
    for listed in account.mailbox.list_labels():
        label = account.mailbox.get_label(listed["id"])
        found[label["id"]] = (label["name"], label["type"], int(label["messagesTotal"]),
                              int(label["messagesUnread"]), int(label["threadsTotal"]),
                              int(label["threadsUnread"]))
    return found


def shown(listing: InboxListing) -> dict[str, Counters]:
    """Return the labels of a listing in the form of ``truth``."""
    return {label.id: (label.name, label.type, label.messages_total, label.messages_unread,
                       label.threads_total, label.threads_unread)
            for label in listing.labels}


class RoundTrips:
    """Count the HTTP requests the guard sends to Gmail."""

    def __init__(self, guard: Guard) -> None:
        self.count = 0
        guard.http_session.hooks["response"].append(self._seen)

    def _seen(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def inbox(guard: Guard, owner: Actor, account: FakeGmailAccount,
          request_id: str | None = None) -> InboxListing:
    return guard.mail.list_inbox(actor=owner, mailbox=account.email, purpose="email.read",
                                 max_results=10, request_id=request_id)


def quota_units(emulator: EmulatorServer, email: str) -> int:
    return int(stats(emulator)["quota_units_by_user"].get(email, 0))


def test_a_warm_inbox_with_its_counts_costs_one_round_trip_and_two_quota_units(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    for n in range(4):
        add_message(account, subject=f"Counted {n}")
    trips = RoundTrips(guard)
    cold = inbox(guard, owner, account)
    # threads.list, labels.list and the profile side by side, then the thread and the
    # label gets side by side, a batch each: two round trips deep.
    assert trips.take() == 5
    assert shown(cold) == truth(account)
    assert len(cold.page.threads) == 4

    calls_before = stats(emulator)["total_calls"]
    units_before = quota_units(emulator, account.email)
    warm = inbox(guard, owner, account, request_id="warm-1")
    assert trips.take() == 1
    assert stats(emulator)["total_calls"] - calls_before == 1
    assert quota_units(emulator, account.email) - units_before == 2
    assert shown(warm) == truth(account)
    assert [t.id for t in warm.page.threads] == [t.id for t in cold.page.threads]
    # The cached answer is still an access: both listings are recorded, with the history call.
    actions = sorted(e.action for e in guard.audit.query(AuditQuery(request_id="warm-1")))
    assert actions == ["history.list", "labels.list", "threads.list"]


def test_counts_follow_mailguards_own_actions(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    first = add_message(account, subject="Read me")
    second = add_message(account, subject="Archive me")
    third = add_message(account, subject="Label me")
    fourth = add_message(account, subject="Trash me")
    assert shown(inbox(guard, owner, account)) == truth(account)
    trips = RoundTrips(guard)
    mail = guard.mail
    who = {"actor": owner, "mailbox": account.email, "purpose": "email.organize"}

    mail.modify_thread(**who, thread_id=first.thread_id, add=(), remove=("UNREAD",))
    trips.take()
    after_read = inbox(guard, owner, account)
    assert trips.take() == 2  # history, then one batch of the thread and its labels
    assert shown(after_read) == truth(account)
    assert truth(account)["INBOX"][5] == 3

    mail.modify_thread(**who, thread_id=second.thread_id, add=(), remove=("INBOX",))
    after_archive = inbox(guard, owner, account)
    assert shown(after_archive) == truth(account)
    assert second.thread_id not in {t.id for t in after_archive.page.threads}

    created = mail.create_label(**who, name="Projects")
    with_label = inbox(guard, owner, account)
    assert shown(with_label)[created.id][:2] == ("Projects", "user")
    mail.modify_thread(**who, thread_id=third.thread_id, add=(created.id,), remove=())
    labelled = inbox(guard, owner, account)
    assert shown(labelled) == truth(account)
    assert shown(labelled)[created.id][4:] == (1, 1)
    mail.modify_thread(**who, thread_id=third.thread_id, add=(), remove=(created.id,))
    assert shown(inbox(guard, owner, account)) == truth(account)

    mail.trash(**who, thread_ids=(fourth.thread_id,))
    after_trash = inbox(guard, owner, account)
    assert shown(after_trash) == truth(account)
    assert fourth.thread_id not in {t.id for t in after_trash.page.threads}
    trips.take()
    inbox(guard, owner, account)
    assert trips.take() == 1  # settled again: back to one round trip


def test_counts_follow_changes_made_in_another_gmail_client(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    kept = add_message(account, subject="Stays")
    gone = add_message(account, subject="Deleted elsewhere")
    assert shown(inbox(guard, owner, account)) == truth(account)

    add_message(account, subject="Arrived meanwhile")
    account.mailbox.modify_thread(kept.thread_id, remove=["UNREAD"])
    elsewhere = account.mailbox.create_label("Made elsewhere")
    account.mailbox.modify_thread(kept.thread_id, add=[elsewhere["id"]])
    account.mailbox.delete_thread(gone.thread_id)
    listing = inbox(guard, owner, account)
    assert shown(listing) == truth(account)
    assert shown(listing)[elsewhere["id"]][0] == "Made elsewhere"
    assert [t.subject for t in listing.page.threads] == ["Arrived meanwhile", "Stays"]

    account.mailbox.delete_label(elsewhere["id"])
    after_delete = inbox(guard, owner, account)
    assert elsewhere["id"] not in shown(after_delete)
    assert shown(after_delete) == truth(account)


def test_expired_history_resyncs_the_inbox_and_its_counts(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    add_message(account, subject="Before expiry")
    inbox(guard, owner, account)
    add_message(account, subject="After expiry")
    control(emulator, "POST", "faults", {"method": "history.list", "status": 404, "count": 1})
    trips = RoundTrips(guard)
    try:
        resynced = inbox(guard, owner, account)
    finally:
        control(emulator, "DELETE", "faults")
    assert trips.take() == 6  # the refused history call, then the cold listing
    assert shown(resynced) == truth(account)
    assert [t.subject for t in resynced.page.threads] == ["After expiry", "Before expiry"]
    again = inbox(guard, owner, account)
    assert trips.take() == 1
    assert shown(again) == truth(account)


@pytest.fixture
def clocked_guard(emulator: EmulatorServer, tmp_path: Path) -> Iterator[tuple[Guard, list]]:
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    with Guard.open(settings_for(emulator, tmp_path, clock=lambda: now[0])) as opened:
        yield opened, now


def test_a_label_renamed_elsewhere_shows_its_new_name_once_the_list_is_old(
        clocked_guard: tuple[Guard, list], account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    guard, now = clocked_guard
    guard.accounts.connect("qontak:" + account.email, email=account.email,
                           credentials=credentials_of(account, emulator),
                           granted_scopes=["https://mail.google.com/"])
    owner = guard.accounts.actor_for("qontak:" + account.email, account.email)
    add_message(account, subject="Renamed label")
    label = account.mailbox.create_label("Old name")
    inbox(guard, owner, account)
    account.mailbox.update_label(label["id"], {"name": "New name"}, replace_all=False)
    # History says nothing of a rename: the cached name stands until the list is old.
    assert shown(inbox(guard, owner, account))[label["id"]][0] == "Old name"
    now[0] += LABELS_MAX_AGE + timedelta(seconds=1)
    assert shown(inbox(guard, owner, account))[label["id"]][0] == "New name"


def test_a_smaller_first_page_than_the_cached_one_still_leads_to_the_older_page(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    # The cache held a first page of 10 and all four threads; a page of 2 served from it
    # said there was nothing older (the cached page's own token was none).
    for n in range(4):
        add_message(account, subject=f"Paged {n}")
    assert inbox(guard, owner, account).page.next_page_token is None  # 10: all of them

    small = guard.mail.list_inbox(actor=owner, mailbox=account.email, purpose="email.read",
                                  max_results=2)

    assert len(small.page.threads) == 2
    assert small.page.next_page_token is not None
    assert len(inbox(guard, owner, account).page.threads) == 4
