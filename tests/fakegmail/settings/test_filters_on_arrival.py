"""Filters run on mail as it arrives: sent by another account, or messages.import; never
on messages.insert."""

from __future__ import annotations

import pytest

from fakegmail.pytest_plugin import new_account
from tests.fakegmail.api.conftest import b64, make_raw

ARCHIVE_AND_READ = {"removeLabelIds": ["INBOX", "UNREAD"]}


@pytest.fixture
def sender(fake_gmail, service_for):
    """Return (address, users()) of another emulator account that sends mail."""
    other = new_account(fake_gmail.state, fake_gmail.url)
    return other.email, service_for(other).users()


def send(users, raw: bytes) -> None:
    users.messages().send(userId="me", body={"raw": b64(raw)}).execute()


def labels_of(users, subject: str) -> list[str]:
    """Return the labels of the one message with ``subject`` in the mailbox."""
    found = users.messages().list(userId="me", q=f'subject:"{subject}"',
                                  includeSpamTrash=True).execute()
    (ref,) = found["messages"]
    return sorted(users.messages().get(userId="me", id=ref["id"],
                                       format="minimal").execute().get("labelIds", []))


@pytest.mark.parametrize(("criteria", "matching", "other"), [
    ({"from": "SENDER"}, {}, None),  # "other" None: the filter is mailed by someone else
    ({"to": "tim@"}, {"to": "tim@example.org", "headers": {"Cc": "ME"}}, {}),
    ({"to": "tim"}, {"to": "Tim <TIM@example.org>", "headers": {"Bcc": "ME"}}, {}),
    ({"subject": "invoice   due"}, {"subject": "Match one: your invoice due soon"},
     {"subject": "Other one: invoice was due"}),
    ({"query": "tagihan OR faktur"}, {"body": "faktur terlampir"}, {"body": "halo"}),
    ({"negatedQuery": "penting"}, {"body": "biasa saja"}, {"body": "ini penting"}),
    ({"hasAttachment": True, "excludeChats": True},
     {"attachment": ("a.pdf", b"%PDF-1.4")}, {}),
    ({"size": 3000, "sizeComparison": "larger"}, {"body": "x" * 4000}, {}),
    ({"size": 3000, "sizeComparison": "smaller"}, {}, {"body": "x" * 4000}),
])
def test_a_filter_archives_and_marks_read_the_mail_it_matches(
        fake_gmail, service_for, account, users, settings, sender, criteria, matching, other):
    address, outbox = sender
    wanted = {k: v.replace("SENDER", address).replace("LOCAL", account.email.split("@")[0])
              if isinstance(v, str) else v for k, v in criteria.items()}
    settings.filters().create(userId="me", body={"criteria": wanted,
                                                 "action": ARCHIVE_AND_READ}).execute()
    fields = {"sender": address, "to": account.email}
    if "headers" in matching:
        matching = {**matching, "headers": {k: v.replace("ME", account.email)
                                            for k, v in matching["headers"].items()}}
    send(outbox, make_raw(**{**fields, "subject": "Match one", **matching}))
    if other is None:
        third = new_account(fake_gmail.state, fake_gmail.url)
        send(service_for(third).users(), make_raw(sender=third.email, to=account.email,
                                                  subject="Other one"))
    else:
        send(outbox, make_raw(**{**fields, "subject": "Other one", **other}))
    assert labels_of(users, "Match one") == []
    assert labels_of(users, "Other one") == ["INBOX", "UNREAD"]


def test_every_matching_filter_acts_in_the_order_they_were_made(
        account, users, settings, sender):
    address, outbox = sender
    label = users.labels().create(userId="me", body={"name": "Tagihan"}).execute()["id"]
    filters = settings.filters()
    filters.create(userId="me", body={"criteria": {"from": address},
                                      "action": {"addLabelIds": [label, "STARRED"]}}).execute()
    filters.create(userId="me", body={"criteria": {"query": "label:tagihan"},
                                      "action": {"addLabelIds": ["IMPORTANT"]}}).execute()
    filters.create(userId="me", body={"criteria": {"subject": "tagihan"},
                                      "action": {"removeLabelIds": ["INBOX"]}}).execute()
    send(outbox, make_raw(sender=address, to=account.email, subject="Tagihan Mei"))
    # the label: query sees the message as it arrived, before any filter labelled it
    assert labels_of(users, "Tagihan Mei") == sorted([label, "STARRED", "UNREAD"])


def test_import_is_classified_by_filters_and_insert_is_not(account, users, settings):
    settings.filters().create(userId="me", body={
        "criteria": {"from": "toko.example"},
        "action": {"removeLabelIds": ["INBOX"], "addLabelIds": ["STARRED"]}}).execute()
    users.messages().import_(userId="me", body={"raw": b64(make_raw(
        sender="promo@toko.example", to=account.email, subject="Imported"))}).execute()
    users.messages().insert(userId="me", body={"raw": b64(make_raw(
        sender="promo@toko.example", to=account.email, subject="Inserted")),
        "labelIds": ["INBOX", "UNREAD"]}).execute()
    assert labels_of(users, "Imported") == ["STARRED", "UNREAD"]
    assert labels_of(users, "Inserted") == ["INBOX", "UNREAD"]


def test_a_filter_forwards_delivered_mail_but_not_imported_mail(
        fake_gmail, service_for, account, users, settings, sender):
    address, outbox = sender
    archive = new_account(fake_gmail.state, fake_gmail.url)
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": archive.email}).execute()
    settings.filters().create(userId="me", body={
        "criteria": {"subject": "kwitansi"}, "action": {"forward": archive.email}}).execute()
    send(outbox, make_raw(sender=address, to=account.email, subject="Kwitansi 1"))
    users.messages().import_(userId="me", body={"raw": b64(make_raw(
        sender=address, to=account.email, subject="Kwitansi 2"))}).execute()
    archived = service_for(archive).users()
    assert labels_of(users, "Kwitansi 1") == ["INBOX", "UNREAD"]
    assert labels_of(archived, "Kwitansi 1") == ["INBOX", "UNREAD"]
    assert archived.messages().list(userId="me", q="subject:kwitansi").execute()[
        "resultSizeEstimate"] == 1
    got = archived.messages().list(userId="me").execute()["messages"][0]
    headers = {h["name"]: h["value"] for h in archived.messages().get(
        userId="me", id=got["id"], format="metadata").execute()["payload"]["headers"]}
    assert headers["X-Forwarded-To"] == archive.email
    assert headers["From"] == address


def test_a_filter_on_a_label_deleted_since_still_runs_its_other_actions(
        account, users, settings, sender):
    address, outbox = sender
    label = users.labels().create(userId="me", body={"name": "Lama"}).execute()["id"]
    settings.filters().create(userId="me", body={
        "criteria": {"from": address},
        "action": {"addLabelIds": [label], "removeLabelIds": ["UNREAD"]}}).execute()
    users.labels().delete(userId="me", id=label).execute()
    send(outbox, make_raw(sender=address, to=account.email, subject="After delete"))
    assert labels_of(users, "After delete") == ["INBOX"]


def test_filters_run_on_mail_the_account_sends_itself(account, users, settings, sender):
    label = users.labels().create(userId="me", body={"name": "Catatan"}).execute()["id"]
    settings.filters().create(userId="me", body={
        "criteria": {"from": account.email},
        "action": {"addLabelIds": [label], "removeLabelIds": ["INBOX"]}}).execute()
    address, _ = sender
    send(users, make_raw(sender=account.email, to=account.email, subject="Untuk diri"))
    send(users, make_raw(sender=account.email, to=address, subject="Untuk orang"))
    assert labels_of(users, "Untuk diri") == sorted(["SENT", "UNREAD", label])
    assert labels_of(users, "Untuk orang") == ["SENT"]  # sent mail alone is not arriving


def test_a_filter_forwards_mail_the_account_sends_itself(account, users, settings):
    settings.forwardingAddresses().create(
        userId="me", body={"forwardingEmail": "arsip@luar.example"}).execute()
    settings.filters().create(userId="me", body={
        "criteria": {"subject": "pengingat"},
        "action": {"forward": "arsip@luar.example"}}).execute()
    send(users, make_raw(sender=account.email, to=account.email, subject="Pengingat"))
    assert labels_of(users, "Pengingat") == ["INBOX", "SENT", "UNREAD"]
    (record,) = account.outbound()
    assert (record.reason, record.recipients) == ("forwarded", ("arsip@luar.example",))
