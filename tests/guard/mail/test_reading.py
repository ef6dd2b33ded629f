"""Reading through the guard: decided, recorded before Gmail is called, returned as values."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from audit import AuditQuery, AuditUnavailable, IdentifierHasher, ResourceKind, ResourceRef
from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from guard.errors import AccessDenied, ProhibitedPurpose
from guard.mail_values import Message, ThreadPage
from guard.policy import Actor, ActorKind
from guard.service import Guard
from tests.guard.mail.conftest import add_message, calls


def entries(guard: Guard, **filters: object) -> list:
    return list(guard.audit.query(AuditQuery(**filters)))  # type: ignore[arg-type]


def test_owner_reads_a_message_and_the_audit_entry_names_it(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    stored = add_message(account, subject="Quarterly numbers", body="Revenue is up.")
    message = guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                                     message_id=stored.id, request_id="req-1")
    assert isinstance(message, Message)
    assert message.id == stored.id
    assert message.thread_id == stored.thread_id
    assert message.headers.subject == "Quarterly numbers"
    assert message.headers.from_ == "Ann Sender <ann@example.org>"
    assert message.text_body is not None and "Revenue is up." in message.text_body
    [entry] = entries(guard, request_id="req-1")
    assert entry.action == "messages.get"
    assert entry.purpose == "email.read"
    assert entry.decision.value == "allow"
    assert entry.rule_id == "user.own_mailbox"
    assert entry.policy_version == guard.policy.version
    assert entry.resources == (ResourceRef(ResourceKind.MESSAGE, stored.id),)


def test_no_gmail_call_when_the_audit_log_cannot_record(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    stored = add_message(account, subject="Private")
    before = calls(emulator, "gmail.users.messages.get")
    guard.audit.close()  # the store is gone: every append now fails
    with pytest.raises(AuditUnavailable):
        guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                               message_id=stored.id)
    assert calls(emulator, "gmail.users.messages.get") == before


def test_the_entry_is_durable_before_gmail_answers(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    stored = add_message(account, subject="Order check")
    seen: list[int] = []
    original = account.mailbox.get_message if hasattr(account.mailbox, "get_message") else None
    size_before = guard.audit.size()

    # Look at the log from inside the emulator while it serves the Gmail call.
    def spy(*args: object, **kwargs: object) -> object:
        seen.append(guard.audit.size())
        assert original is not None
        return original(*args, **kwargs)

    if original is None:
        pytest.fail("the emulator mailbox has no get_message to observe")
    account.mailbox.get_message = spy  # type: ignore[method-assign]
    try:
        guard.mail.get_message(actor=owner, mailbox=account.email, purpose="email.read",
                               message_id=stored.id)
    finally:
        del account.mailbox.get_message
    assert seen and seen[0] == size_before + 1


def test_advertising_purpose_is_refused_recorded_and_never_reaches_gmail(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    stored = add_message(account, subject="Shoes on sale")
    before = calls(emulator)
    with pytest.raises(ProhibitedPurpose) as raised:
        guard.mail.get_message(actor=owner, mailbox=account.email,
                               purpose="advertising.targeting", message_id=stored.id,
                               request_id="ads-1")
    assert raised.value.rule_id == "prohibited.advertising"
    assert calls(emulator) == before
    [entry] = entries(guard, request_id="ads-1")
    assert entry.decision.value == "deny"
    assert entry.rule_id == "prohibited.advertising"
    assert entry.purpose == "advertising.targeting"
    assert entry.resources == (ResourceRef(ResourceKind.MESSAGE, stored.id),)


def test_another_users_mailbox_is_refused_and_recorded(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    before = calls(emulator)
    with pytest.raises(AccessDenied) as raised:
        guard.accounts.actor_for("qontak:mallory@example.com", account.email,
                                 request_id="steal-1")
    assert raised.value.rule_id == "account.not_connected"
    [entry] = entries(guard, request_id="steal-1")
    assert entry.decision.value == "deny"
    # An actor forged for another mailbox is refused by the policy too.
    forged = Actor(kind=ActorKind.USER, id="mallory@example.com")
    with pytest.raises(AccessDenied) as denied:
        guard.mail.list_threads(actor=forged, mailbox=account.email, purpose="email.read",
                                label_ids=["INBOX"], request_id="steal-2")
    assert denied.value.rule_id == "user.other_mailbox"
    assert entries(guard, request_id="steal-2")[0].decision.value == "deny"
    assert calls(emulator) == before


def test_cold_inbox_listing_costs_two_round_trips_and_a_warm_one_costs_one(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    for n in range(7):
        add_message(account, subject=f"Inbox item {n}", body=f"Body {n}")
    round_trips: list[str] = []
    guard.http_session.hooks["response"].append(
        lambda response, *args, **kwargs: round_trips.append(response.request.method))
    before = calls(emulator)
    cold = guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                                   label_ids=["INBOX"], max_results=5)
    assert isinstance(cold, ThreadPage)
    assert len(cold.threads) == 5
    assert cold.next_page_token
    top = cold.threads[0]
    assert top.subject.startswith("Inbox item") and top.unread
    assert top.participants == ("Ann Sender",)
    # threads.list, then one batch whose five parts the emulator counts one by one.
    assert calls(emulator) - before == 1 + 5
    assert len(round_trips) == 2
    before = calls(emulator)
    warm = guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                                   label_ids=["INBOX"], max_results=5)
    assert calls(emulator) - before == 1
    assert len(round_trips) == 3
    assert [t.id for t in warm.threads] == [t.id for t in cold.threads]
    assert [t.subject for t in warm.threads] == [t.subject for t in cold.threads]


def test_warm_listing_picks_up_new_mail_through_history(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    add_message(account, subject="First")
    guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                            label_ids=["INBOX"], max_results=10)
    newest = add_message(account, subject="Arrived later")
    page = guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                                   label_ids=["INBOX"], max_results=10)
    assert {t.id for t in page.threads} >= {newest.thread_id}
    guard.mail.modify_thread(actor=owner, mailbox=account.email, purpose="email.organize",
                             thread_id=newest.thread_id, remove=["INBOX"])
    archived = guard.mail.list_threads(actor=owner, mailbox=account.email,
                                       purpose="email.read", label_ids=["INBOX"],
                                       max_results=10)
    assert newest.thread_id not in {t.id for t in archived.threads}


def test_send_as_is_decided_under_its_own_action(
        guard: Guard, owner: Actor, account: FakeGmailAccount,
        emulator: EmulatorServer) -> None:
    aliases = guard.mail.send_as(actor=owner, mailbox=account.email, purpose="email.send",
                                 request_id="req-alias")
    assert [a.send_as_email for a in aliases if a.is_default] == [account.email]
    [entry] = entries(guard, request_id="req-alias")
    assert (entry.action, entry.rule_id, entry.decision.value) == (
        "settings.sendAs.list", "user.own_mailbox", "allow")
    before = calls(emulator)
    with pytest.raises(AccessDenied) as caught:
        guard.mail.send_as(actor=owner, mailbox=account.email, purpose="email.organize",
                           request_id="req-alias-2")
    assert caught.value.rule_id == "purpose.action_not_allowed"
    [refused] = entries(guard, request_id="req-alias-2")
    assert (refused.action, refused.decision.value) == ("settings.sendAs.list", "deny")
    assert calls(emulator) == before


def _ip_calls(guard: Guard, owner: Actor, account: FakeGmailAccount, message_id: str,
              ip: str) -> dict[str, Callable[[], object]]:
    """Return one call of each kind carrying ``ip``, keyed by the action it is recorded as."""
    common = {"actor": owner, "mailbox": account.email, "client_ip": ip}
    mail = guard.mail
    return {
        "threads.list": lambda: mail.list_threads(purpose="email.read", label_ids=["INBOX"],
                                                  request_id="ip-list", **common),
        "messages.get": lambda: mail.get_message(purpose="email.read", message_id=message_id,
                                                 request_id="ip-get", **common),
        "labels.list": lambda: mail.list_labels(purpose="email.read", request_id="ip-labels",
                                                **common),
        "messages.modify": lambda: mail.modify(purpose="email.organize",
                                               message_ids=[message_id], add=["STARRED"],
                                               request_id="ip-modify", **common),
        "messages.trash": lambda: mail.trash(purpose="email.organize",
                                             message_ids=[message_id], request_id="ip-trash",
                                             **common),
    }


def test_the_client_ip_is_recorded_keyed_hashed_on_every_call(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    stored = add_message(account, subject="From the office")
    hasher = IdentifierHasher(guard.settings.audit_hmac_key)
    for action, run in _ip_calls(guard, owner, account, stored.id, "203.0.113.7").items():
        run()
        recorded = [e for e in entries(guard) if e.action == action]
        assert recorded and recorded[-1].client_ip_h == hasher.hash("203.0.113.7"), action
    # The warm inbox records its history lookup under the same address.
    guard.mail.list_threads(actor=owner, mailbox=account.email, purpose="email.read",
                            label_ids=["INBOX"], request_id="ip-warm",
                            client_ip="2001:db8::7")
    warm = entries(guard, request_id="ip-warm")
    assert {e.action for e in warm} >= {"threads.list", "history.list"}
    assert {e.client_ip_h for e in warm} == {hasher.hash("2001:db8::7")}
    text = b"".join(e.canonical_bytes() for e in entries(guard))
    assert b"203.0.113.7" not in text and b"2001:db8::7" not in text


def test_a_refused_call_records_the_client_ip_too(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    with pytest.raises(ProhibitedPurpose):
        guard.mail.list_labels(actor=owner, mailbox=account.email,
                               purpose="advertising.targeting", request_id="ip-ads",
                               client_ip="198.51.100.4")
    [entry] = entries(guard, request_id="ip-ads")
    assert entry.decision.value == "deny"
    assert entry.client_ip_h == IdentifierHasher(guard.settings.audit_hmac_key).hash(
        "198.51.100.4")


def test_a_call_without_a_client_ip_records_none(
        guard: Guard, owner: Actor, account: FakeGmailAccount) -> None:
    guard.mail.profile(actor=owner, mailbox=account.email, purpose="email.read",
                       request_id="ip-none")
    [entry] = entries(guard, request_id="ip-none")
    assert entry.client_ip_h == ""
