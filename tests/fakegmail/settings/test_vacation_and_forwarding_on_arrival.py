"""The vacation responder and auto-forwarding act on mail delivered to the account."""

from __future__ import annotations

import secrets

import pytest

from fakegmail.discovery import GMAIL_SCOPE_FULL
from fakegmail.pytest_plugin import new_account
from tests.fakegmail.api.conftest import b64, make_raw
from tests.fakegmail.settings.conftest import BASIC, SHARING

DAY_MS = 24 * 3600 * 1000
AWAY = {"enableAutoReply": True, "responseSubject": "Sedang cuti",
        "responseBodyPlainText": "Saya kembali tanggal 10."}


@pytest.fixture
def clock(fake_gmail):
    """Let the test move the emulator's clock; put it back afterwards."""
    state = fake_gmail.state
    real = state.clock
    now = [real()]
    state.clock = lambda: now[0]
    state.tokens._clock = state.clock
    yield now
    state.clock = real
    state.tokens._clock = real


@pytest.fixture
def peer(fake_gmail, service_for):
    """Return (address, users()) of another emulator account."""
    other = new_account(fake_gmail.state, fake_gmail.url)
    return other.email, service_for(other, scopes=[GMAIL_SCOPE_FULL, BASIC, SHARING]).users()


def send(users, **fields) -> dict:
    return users.messages().send(userId="me", body={"raw": b64(make_raw(**fields))}).execute()


def subjects(users, q: str) -> list[str]:
    found = users.messages().list(userId="me", q=q).execute().get("messages", [])
    return [next(h["value"] for h in users.messages().get(
        userId="me", id=m["id"], format="metadata", metadataHeaders=["Subject"],
    ).execute()["payload"]["headers"]) for m in found]


def test_the_responder_answers_each_sender_once_until_four_days_pass(
        fake_gmail, service_for, clock, account, users, settings):
    other = new_account(fake_gmail.state, fake_gmail.url)
    address, outbox = other.email, service_for(other).users()
    settings.updateVacation(userId="me", body=AWAY).execute()
    first = send(outbox, sender=address, to=account.email, subject="Rapat")
    send(outbox, sender=address, to=account.email, subject="Rapat lagi")
    assert subjects(outbox, "in:inbox") == ["Sedang cuti"]
    reply = outbox.messages().list(userId="me", q="in:inbox").execute()["messages"][0]
    assert reply["threadId"] != first["threadId"]  # a subject of its own: a new thread
    headers = {h["name"]: h["value"] for h in outbox.messages().get(
        userId="me", id=reply["id"], format="metadata").execute()["payload"]["headers"]}
    assert headers["Auto-Submitted"] == "auto-replied"
    assert account.email in headers["From"]
    assert subjects(users, "in:sent") == ["Sedang cuti"]
    clock[0] += 4 * DAY_MS / 1000
    outbox = service_for(other).users()  # a token from four days ago has expired
    send(outbox, sender=address, to=account.email, subject="Masih cuti?")
    assert subjects(outbox, "in:inbox") == ["Sedang cuti", "Sedang cuti"]


def test_a_reply_without_a_subject_of_its_own_joins_the_senders_thread(
        account, settings, peer):
    address, outbox = peer
    settings.updateVacation(userId="me", body={**AWAY, "responseSubject": ""}).execute()
    first = send(outbox, sender=address, to=account.email, subject="Rapat")
    reply = outbox.messages().list(userId="me", q="in:inbox").execute()["messages"][0]
    assert reply["threadId"] == first["threadId"]
    assert subjects(outbox, "in:inbox") == ["Re: Rapat"]


def test_editing_the_responder_starts_over(account, settings, peer):
    address, outbox = peer
    settings.updateVacation(userId="me", body=AWAY).execute()
    send(outbox, sender=address, to=account.email, subject="Satu")
    settings.updateVacation(userId="me", body={**AWAY, "responseSubject": "Masih cuti"}
                            ).execute()
    send(outbox, sender=address, to=account.email, subject="Dua")
    assert sorted(subjects(outbox, "in:inbox")) == ["Masih cuti", "Sedang cuti"]


@pytest.mark.parametrize(("window", "answered"), [
    ({"startTime": +1}, False),
    ({"endTime": -1}, False),
    ({"startTime": -1, "endTime": +1}, True),
    ({"enableAutoReply": False}, False),
])
def test_the_responder_answers_only_while_on_and_within_its_times(
        clock, account, settings, peer, window, answered):
    address, outbox = peer
    now_ms = int(clock[0] * 1000)
    body = {**AWAY, **{k: str(now_ms + v * DAY_MS) if k.endswith("Time") else v
                       for k, v in window.items()}}
    settings.updateVacation(userId="me", body=body).execute()
    send(outbox, sender=address, to=account.email, subject="Halo")
    assert subjects(outbox, "in:inbox") == (["Sedang cuti"] if answered else [])


def test_no_reply_to_automatic_mail_lists_or_imported_mail(account, users, settings, peer):
    address, outbox = peer
    settings.updateVacation(userId="me", body=AWAY).execute()
    send(outbox, sender=address, to=account.email, subject="Otomatis",
         headers={"Auto-Submitted": "auto-generated"})
    send(outbox, sender=address, to=account.email, subject="Milis",
         headers={"List-Id": "<warga.example.org>"})
    users.messages().import_(userId="me", body={"raw": b64(make_raw(
        sender=address, to=account.email, subject="Impor"))}).execute()
    assert subjects(outbox, "in:inbox") == []


def test_restrict_to_contacts_answers_only_people_the_account_has_written_to(
        fake_gmail, service_for, account, users, settings, peer):
    address, outbox = peer
    stranger = new_account(fake_gmail.state, fake_gmail.url)
    strangers = service_for(stranger).users()
    send(users, sender=account.email, to=address, subject="Kenalan")
    settings.updateVacation(userId="me", body={**AWAY, "restrictToContacts": True}).execute()
    send(outbox, sender=address, to=account.email, subject="Re: Kenalan")
    send(strangers, sender=stranger.email, to=account.email, subject="Siapa")
    assert "Sedang cuti" in subjects(outbox, "in:inbox")
    assert subjects(strangers, "in:inbox") == []


def test_restrict_to_domain_answers_only_the_accounts_own_domain(
        fake_gmail, service_for, account, settings, peer):
    address, outbox = peer  # the same domain as the account
    outsider = new_account(fake_gmail.state, fake_gmail.url, email="tamu@luar.example")
    outsiders = service_for(outsider).users()
    settings.updateVacation(userId="me", body={**AWAY, "restrictToDomain": True}).execute()
    send(outbox, sender=address, to=account.email, subject="Dari dalam")
    send(outsiders, sender=outsider.email, to=account.email, subject="Dari luar")
    assert subjects(outbox, "in:inbox") == ["Sedang cuti"]
    assert subjects(outsiders, "in:inbox") == []


def test_two_responders_do_not_answer_each_other(service_for, account, settings, peer):
    address, outbox = peer
    settings.updateVacation(userId="me", body=AWAY).execute()
    outbox.settings().updateVacation(userId="me", body={
        **AWAY, "responseSubject": "Juga cuti"}).execute()
    send(outbox, sender=address, to=account.email, subject="Halo")
    assert subjects(outbox, "in:inbox") == ["Sedang cuti"]


@pytest.mark.parametrize(("disposition", "kept"), [
    ("leaveInInbox", ["INBOX", "UNREAD"]),
    ("archive", ["UNREAD"]),
    ("trash", ["INBOX", "TRASH", "UNREAD"]),
    ("markRead", ["INBOX"]),
])
def test_auto_forwarding_delivers_a_copy_and_leaves_the_original_as_disposed(
        fake_gmail, service_for, account, users, settings, peer, disposition, kept):
    address, outbox = peer
    archive = new_account(fake_gmail.state, fake_gmail.url)
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": archive.email}).execute()
    settings.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": archive.email, "disposition": disposition}).execute()
    send(outbox, sender=address, to=account.email, subject="Laporan")
    (mine,) = users.messages().list(userId="me", includeSpamTrash=True).execute()["messages"]
    labels = users.messages().get(userId="me", id=mine["id"], format="minimal").execute()
    assert sorted(labels.get("labelIds", [])) == kept
    assert subjects(service_for(archive).users(), "in:inbox") == ["Laporan"]


def test_accounts_forwarding_to_each_other_deliver_one_copy_each(
        fake_gmail, service_for, account, settings, peer):
    address, outbox = peer
    partner = new_account(fake_gmail.state, fake_gmail.url)
    partners = service_for(partner, scopes=[GMAIL_SCOPE_FULL, BASIC, SHARING],
                           delegated=True).users()
    for mine, other in ((settings, partner.email), (partners.settings(), account.email)):
        mine.forwardingAddresses().create(userId="me",
                                          body={"forwardingEmail": other}).execute()
        mine.updateAutoForwarding(userId="me", body={"enabled": True, "emailAddress": other,
                                                     "disposition": "leaveInInbox"}).execute()
    send(outbox, sender=address, to=account.email, subject="Putar")
    assert subjects(partners, "subject:putar") == ["Putar"]
    assert subjects(service_for(account).users(), "subject:putar") == ["Putar"]


def test_auto_forwarding_sends_nothing_for_imported_mail(
        fake_gmail, service_for, account, users, settings):
    archive = new_account(fake_gmail.state, fake_gmail.url)
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": archive.email}).execute()
    settings.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": archive.email, "disposition": "archive"}).execute()
    users.messages().import_(userId="me", body={"raw": b64(make_raw(
        sender="a@luar.example", to=account.email, subject="Impor"))}).execute()
    assert subjects(users, "in:inbox") == ["Impor"]
    assert subjects(service_for(archive).users(), "in:inbox") == []


def test_restrict_to_domain_is_kept_but_not_applied_for_a_consumer_account(
        fake_gmail, service_for, peer):
    # Gmail offers restrictToDomain to Workspace users only and documents no answer for
    # a gmail.com account that sets it: the emulator keeps the flag and answers everyone.
    consumer = new_account(fake_gmail.state, fake_gmail.url,
                           email=f"liburan.{secrets.token_hex(4)}@gmail.com")
    mine = service_for(consumer, scopes=[GMAIL_SCOPE_FULL, BASIC, SHARING]).users()
    saved = mine.settings().updateVacation(
        userId="me", body={**AWAY, "restrictToDomain": True}).execute()
    assert saved["restrictToDomain"] is True
    assert mine.settings().getVacation(userId="me").execute()["restrictToDomain"] is True
    address, outbox = peer  # in fakegmail.test, not gmail.com
    send(outbox, sender=address, to=consumer.email, subject="Dari luar")
    assert subjects(outbox, "in:inbox") == ["Sedang cuti"]
