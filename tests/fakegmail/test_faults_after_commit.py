"""``after_commit`` faults: the call takes effect, then its answer is lost (503 or dropped).

Without ``after_commit`` a status or dropped-connection fault answers instead of the call
and nothing changes; with it the message is really sent or inserted (or the draft really
sent) and only the answer is replaced. Dropped connections are sent with ``requests``
(httplib2 would silently repeat the POST after a drop, which is the client's behaviour,
not the emulator's).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import make_raw
from tests.fakegmail.test_faults_and_quota import FULL, add_fault

EMAIL = "lost-answer@example.test"


@pytest.fixture()
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def _token(server: EmulatorServer) -> str:
    answer = requests.post(server.url + "_emulator/accounts",
                           json={"email": EMAIL, "name": "Lost", "scopes": [FULL]}, timeout=5)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _gmail(server: EmulatorServer) -> Any:
    import google.oauth2.credentials
    from googleapiclient.discovery import build_from_document

    from fakegmail.discovery import document_with_root

    creds = google.oauth2.credentials.Credentials(_token(server))
    return build_from_document(document_with_root(server.url), credentials=creds)


def _with_subject(server: EmulatorServer, subject: str, label: str | None = None) -> int:
    mailbox = server.state.account(EMAIL).mailbox
    return sum(1 for m in mailbox.list_messages(label_ids=[label] if label else [])
               if f"Subject: {subject}\n".encode() in m.raw.replace(b"\r\n", b"\n"))


def _post(server: EmulatorServer, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(server.url + "gmail/v1/users/me/" + path, json=body, timeout=10,
                         headers={"Authorization": "Bearer " + _token(server)})


def _raw(subject: str, **kwargs: Any) -> str:
    return base64.urlsafe_b64encode(make_raw(subject=subject, **kwargs)).decode()


@pytest.mark.parametrize(("rule", "expect"), [
    ({"status": 503}, 503),
    ({"status": 500, "retry_after": 2}, 500),
    ({"drop_connection": True}, "dropped"),
])
def test_a_send_takes_effect_then_its_answer_is_lost(server, rule, expect):
    add_fault(server, method="messages.send", after_commit=True, count=1, **rule)
    try:
        answer = _post(server, "messages/send", {"raw": _raw("Lost answer")})
    except requests.exceptions.ConnectionError:
        assert expect == "dropped"
    else:
        assert expect != "dropped", "the connection was not dropped"
        assert answer.status_code == expect
        assert answer.json()["error"]["code"] == expect
        if "retry_after" in rule:
            assert answer.headers["Retry-After"] == "2"
    assert _with_subject(server, "Lost answer", "SENT") == 1
    # count=1: the next send answers normally
    assert _post(server, "messages/send", {"raw": _raw("Answered")}).status_code == 200
    assert _with_subject(server, "Answered", "SENT") == 1


@pytest.mark.parametrize("rule", [{"status": 503}, {"drop_connection": True}])
def test_without_after_commit_the_call_does_not_take_effect(server, rule):
    add_fault(server, method="messages.send", count=1, **rule)
    try:
        answer = _post(server, "messages/send", {"raw": _raw("Never sent")})
        assert answer.status_code == 503
    except requests.exceptions.ConnectionError:
        pass
    assert _with_subject(server, "Never sent") == 0


def test_an_insert_through_the_client_library_takes_effect_with_a_500(server):
    gmail = _gmail(server)
    add_fault(server, method="messages.insert", status=500, after_commit=True, count=1)
    with pytest.raises(HttpError) as caught:
        gmail.users().messages().insert(userId="me", body={
            "raw": _raw("Inserted anyway"), "labelIds": ["INBOX"]}).execute(num_retries=0)
    assert caught.value.resp.status == 500
    assert _with_subject(server, "Inserted anyway", "INBOX") == 1


@pytest.mark.parametrize("rule", [{"status": 503}, {"drop_connection": True}])
def test_a_draft_send_takes_effect_then_its_answer_is_lost(server, rule):
    gmail = _gmail(server)
    draft = gmail.users().drafts().create(userId="me", body={"message": {
        "raw": _raw("Draft gone out")}}).execute()
    add_fault(server, method="drafts.send", after_commit=True, count=1, **rule)
    try:
        answer = _post(server, "drafts/send", {"id": draft["id"]})
        assert answer.status_code == 503
    except requests.exceptions.ConnectionError:
        assert rule.get("drop_connection")
    assert _with_subject(server, "Draft gone out", "SENT") == 1
    drafts = gmail.users().drafts().list(userId="me").execute().get("drafts", [])
    assert draft["id"] not in [d["id"] for d in drafts]


@pytest.mark.parametrize("rule", [{"status": 503}, {"drop_connection": True}])
def test_a_resumable_upload_loses_the_answer_to_its_last_chunk(server, rule):
    """The start and the first chunks answer normally; the last chunk sends, then fails."""
    token = _token(server)
    raw = make_raw(subject="Resumable lost", body="x" * (600 * 1024) + "\n")
    add_fault(server, method="messages.send", after_commit=True, count=1, **rule)
    auth = {"Authorization": "Bearer " + token}
    start = requests.post(server.url + "upload/gmail/v1/users/me/messages/send",
                          params={"uploadType": "resumable"}, json={}, timeout=10,
                          headers={**auth, "X-Upload-Content-Type": "message/rfc822",
                                   "X-Upload-Content-Length": str(len(raw))})
    assert start.status_code == 200, start.text
    session = start.headers["Location"]
    chunk = 256 * 1024
    first = requests.put(session, data=raw[:chunk], timeout=10, headers={
        "Content-Range": f"bytes 0-{chunk - 1}/{len(raw)}"})
    assert first.status_code == 308
    assert _with_subject(server, "Resumable lost") == 0
    try:
        last = requests.put(session, data=raw[chunk:], timeout=10, headers={
            "Content-Range": f"bytes {chunk}-{len(raw) - 1}/{len(raw)}"})
        assert last.status_code == 503
    except requests.exceptions.ConnectionError:
        assert rule.get("drop_connection")
    assert _with_subject(server, "Resumable lost", "SENT") == 1
    # the session is over: asking for its status says so, as Gmail does
    status = requests.put(session, data=b"", timeout=10,
                          headers={"Content-Range": f"bytes */{len(raw)}"})
    assert status.status_code == 404


def test_a_resumable_upload_through_the_client_library(server):
    gmail = _gmail(server)
    raw = make_raw(subject="Library resumable", body="y" * (300 * 1024) + "\n")
    add_fault(server, method="messages.send", status=503, after_commit=True, count=1)
    request = gmail.users().messages().send(userId="me", body={}, media_body=MediaIoBaseUpload(
        io.BytesIO(raw), mimetype="message/rfc822", resumable=True, chunksize=256 * 1024))
    with pytest.raises(HttpError) as caught:
        answer = None
        while answer is None:
            _status, answer = request.next_chunk(num_retries=0)
    assert caught.value.resp.status == 503
    assert _with_subject(server, "Library resumable", "SENT") == 1


def test_the_rule_shows_after_commit(server):
    rule = add_fault(server, method="messages.send", status=503, after_commit=True)
    listed = requests.get(server.url + "_emulator/faults", timeout=5).json()["faults"]
    assert rule["after_commit"] is True
    assert [r["after_commit"] for r in listed] == [True]
    assert add_fault(server, status=503)["after_commit"] is False


@pytest.mark.parametrize(("rule", "says"), [
    ({"after_commit": True}, "give it a status or drop_connection"),
    ({"after_commit": True, "latency_ms": 10}, "give it a status or drop_connection"),
    ({"after_commit": "yes", "status": 503}, "after_commit must be true or false"),
    ({"after_commit": 1, "status": 503}, "after_commit must be true or false"),
    ({"drop_connection": "true"}, "drop_connection must be true or false"),
    ({"after_commit": True, "status": 503, "colour": "red"}, "Unknown fields"),
])
def test_a_bad_after_commit_rule_is_refused_with_a_clear_message(server, rule, says):
    answer = requests.post(server.url + "_emulator/faults", json=rule, timeout=5)
    assert answer.status_code == 400
    assert says in answer.json()["error"]["message"]
    assert requests.get(server.url + "_emulator/faults", timeout=5).json()["faults"] == []
