"""The outbound record: what the emulator sent to addresses outside it, and why."""

from __future__ import annotations

import base64
import email
import json
import urllib.error
import urllib.request
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document

from fakegmail.discovery import GMAIL_SCOPE_FULL, document_with_root
from fakegmail.pytest_plugin import new_account, outbound_mail
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from tests.fakegmail.api.conftest import b64, make_raw

AWAY = {"enableAutoReply": True, "responseSubject": "Sedang cuti",
        "responseBodyPlainText": "Saya kembali tanggal 10."}


def control(url: str, path: str, method: str = "GET",
            body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Call the control API; return the status and the JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def send(users: Any, **fields: Any) -> dict[str, Any]:
    return users.messages().send(  # type: ignore[no-any-return]
        userId="me", body={"raw": b64(make_raw(**fields))}).execute()


def message_id_of(users: Any, message: dict[str, Any]) -> str:
    headers = users.messages().get(userId="me", id=message["id"], format="metadata",
                                   metadataHeaders=["Message-ID"]).execute()
    return str(headers["payload"]["headers"][0]["value"])


def test_mail_sent_outside_is_recorded_for_its_outside_recipients_only(
        fake_gmail, service_for, account, users):
    colleague = new_account(fake_gmail.state, fake_gmail.url)
    sent = send(users, sender=account.email, to=f"klien@luar.example, {colleague.email}",
                subject="Penawaran", headers={"Bcc": "diam@luar.example"})
    status, listed = control(fake_gmail.url, f"/_emulator/outbound?account={account.email}")
    assert status == 200
    (record,) = listed["outbound"]
    assert record["account"] == account.email
    assert record["recipients"] == ["klien@luar.example", "diam@luar.example"]
    assert record["reason"] == "sent"
    assert record["message_id"] == message_id_of(users, sent)
    assert record["time"].endswith("Z") and record["time_ms"] > 0
    status, full = control(fake_gmail.url, f"/_emulator/outbound/{record['id']}")
    assert status == 200
    left = email.message_from_bytes(base64.urlsafe_b64decode(full["raw"]))
    assert left["Subject"] == "Penawaran"
    assert left["Bcc"] is None  # what left carries no Bcc field
    assert [m.id for m in account.outbound()] == [record["id"]]
    assert outbound_mail(fake_gmail.state, colleague.email) == []


def test_mail_only_to_emulator_accounts_leaves_no_record(fake_gmail, account, users):
    colleague = new_account(fake_gmail.state, fake_gmail.url)
    send(users, sender=account.email, to=colleague.email)
    assert account.outbound() == []


def test_a_sent_draft_is_recorded(account, users):
    draft = users.drafts().create(userId="me", body={"message": {"raw": b64(make_raw(
        sender=account.email, to="klien@luar.example", subject="Draf"))}}).execute()
    users.drafts().send(userId="me", body={"id": draft["id"]}).execute()
    (record,) = account.outbound()
    assert (record.reason, record.recipients) == ("sent", ("klien@luar.example",))
    assert email.message_from_bytes(record.raw)["Subject"] == "Draf"


def test_filter_forwards_and_auto_forwarding_are_recorded_from_the_forwarder(
        fake_gmail, service_for, account, settings):
    peer = new_account(fake_gmail.state, fake_gmail.url)
    for address in ("arsip@luar.example", "cadangan@luar.example"):
        settings.forwardingAddresses().create(userId="me",
                                              body={"forwardingEmail": address}).execute()
    settings.filters().create(userId="me", body={
        "criteria": {"subject": "kwitansi"},
        "action": {"forward": "arsip@luar.example"}}).execute()
    settings.updateAutoForwarding(userId="me", body={
        "enabled": True, "emailAddress": "cadangan@luar.example",
        "disposition": "leaveInInbox"}).execute()
    outbox = service_for(peer).users()
    sent = send(outbox, sender=peer.email, to=account.email, subject="Kwitansi Juni")
    records = account.outbound()
    assert [(r.reason, r.recipients) for r in records] == [
        ("forwarded", ("arsip@luar.example",)),
        ("auto-forwarded", ("cadangan@luar.example",))]
    assert {r.message_id for r in records} == {message_id_of(outbox, sent)}
    assert email.message_from_bytes(records[0].raw)["X-Forwarded-To"] == "arsip@luar.example"
    assert peer_has_no_record(fake_gmail, peer.email)


def peer_has_no_record(server: EmulatorServer, address: str) -> bool:
    return control(server.url, f"/_emulator/outbound?account={address}")[1] == {
        "outbound": []}


def test_a_vacation_reply_to_an_outside_sender_is_recorded(
        fake_gmail, service_for, account, settings):
    status, partner = control(fake_gmail.url, "/_emulator/accounts", "POST", {
        "email": "mitra.kerja@fakegmail.test",  # sends as a verified alias outside
        "send_as": [{"email": "mitra@luar.example", "name": "Mitra"}]})
    assert status == 201
    settings.updateVacation(userId="me", body=AWAY).execute()
    outbox = build_from_document(document_with_root(fake_gmail.url),
                                 credentials=Credentials(partner["access_token"])).users()
    send(outbox, sender="mitra@luar.example", to=account.email, subject="Rapat")
    (record,) = account.outbound()
    assert (record.reason, record.recipients) == ("vacation", ("mitra@luar.example",))
    reply = email.message_from_bytes(record.raw)
    assert reply["Subject"] == "Sedang cuti" and reply["Message-ID"] == record.message_id


def test_the_record_keeps_the_last_n_per_account_and_reset_clears_it():
    with EmulatorServer(EmulatorState(outbound_limit=2)) as server:
        sender = new_account(server.state, server.url, "penjual@fakegmail.test")
        users = build_from_document(document_with_root(server.url),
                                    credentials=Credentials(sender.token)).users()
        for number in range(3):
            send(users, sender=sender.email, to="klien@luar.example", subject=f"Ke-{number}")
        _, listed = control(server.url, "/_emulator/outbound")
        kept = [email.message_from_bytes(m.raw)["Subject"] for m in sender.outbound()]
        assert kept == ["Ke-1", "Ke-2"]
        assert [r["id"] for r in listed["outbound"]] == [m.id for m in sender.outbound()]
        dropped = int(listed["outbound"][0]["id"].removeprefix("out-")) - 1
        status, error = control(server.url, f"/_emulator/outbound/out-{dropped}")
        assert status == 404 and "notFound" in json.dumps(error)
        assert control(server.url, "/_emulator/reset", "POST")[0] == 200
        assert control(server.url, "/_emulator/outbound")[1] == {"outbound": []}


def test_a_gmail_responses_mock_offers_the_record(gmail_responses):
    import requests

    token = gmail_responses.add_account("kasir@fakegmail.test", (GMAIL_SCOPE_FULL,))
    answer = requests.post(
        "https://gmail.googleapis.com/gmail/v1/users/me/messages/send",
        headers={"Authorization": f"Bearer {token}"},
        json={"raw": b64(make_raw(sender="kasir@fakegmail.test", to="klien@luar.example"))},
        timeout=10)
    assert answer.status_code == 200
    (record,) = gmail_responses.outbound("kasir@fakegmail.test")
    assert record.recipients == ("klien@luar.example",)

