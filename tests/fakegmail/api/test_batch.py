"""Batch requests (``new_batch_http_request``) through the Gmail client."""

from __future__ import annotations

import json

import pytest
from googleapiclient.errors import HttpError

from tests.fakegmail.api.conftest import make_raw


def test_fifty_gets_in_one_round_trip(gmail, account, fake_gmail):
    ids = [account.mailbox.add_message(make_raw(subject=f"n{i}")).id for i in range(50)]
    calls_before = fake_gmail.state.stats.calls["gmail.users.messages.get"]
    results: dict[str, dict] = {}

    def collect(request_id, response, exception):
        assert exception is None
        results[request_id] = response

    batch = gmail.new_batch_http_request(callback=collect)
    for message_id in ids:
        batch.add(gmail.users().messages().get(userId="me", id=message_id, format="metadata",
                                               metadataHeaders=["Subject"]),
                  request_id=message_id)
    batch.execute()
    assert set(results) == set(ids)
    assert results[ids[7]]["payload"]["headers"] == [{"name": "Subject", "value": "n7"}]
    assert fake_gmail.state.stats.calls["gmail.users.messages.get"] - calls_before == 50


def test_a_failing_part_does_not_fail_the_batch(gmail, account):
    good = account.mailbox.add_message(make_raw()).id
    outcomes: dict[str, object] = {}
    batch = gmail.new_batch_http_request(
        callback=lambda rid, response, exc: outcomes.__setitem__(rid, exc or response))
    batch.add(gmail.users().messages().get(userId="me", id=good), request_id="good")
    batch.add(gmail.users().messages().get(userId="me", id="00000000000000ff"),
              request_id="missing")
    batch.add(gmail.users().labels().create(userId="me", body={"name": "From batch"}),
              request_id="create")
    batch.execute()
    assert outcomes["good"]["id"] == good
    assert isinstance(outcomes["missing"], HttpError)
    assert outcomes["missing"].resp.status == 404
    assert json.loads(outcomes["missing"].content)["error"]["code"] == 404
    assert outcomes["create"]["name"] == "From batch"


def test_each_part_carries_its_own_credentials(gmail, account, fake_gmail, service_for):
    from fakegmail.pytest_plugin import new_account

    other = new_account(fake_gmail.state, fake_gmail.url)
    others_client = service_for(other)
    outcomes: dict[str, object] = {}
    batch = gmail.new_batch_http_request(
        callback=lambda rid, response, exc: outcomes.__setitem__(rid, exc or response))
    batch.add(gmail.users().getProfile(userId="me"), request_id="mine")
    batch.add(others_client.users().getProfile(userId="me"), request_id="theirs")
    batch.execute()
    assert outcomes["mine"]["emailAddress"] == account.email
    assert outcomes["theirs"]["emailAddress"] == other.email


def test_more_than_100_parts_is_refused_in_gmails_words(gmail):
    batch = gmail.new_batch_http_request()
    for _ in range(101):
        batch.add(gmail.users().getProfile(userId="me"))
    with pytest.raises(HttpError) as caught:
        batch.execute()
    assert caught.value.resp.status == 400
    assert json.loads(caught.value.content)["error"]["message"] == (
        "Inner request count exceeds the limit. Received: 101, Limit: 100")


def _raw_batch(url: str, parts: list[tuple[str, dict[str, str]]],
               outer: dict[str, str]) -> list[tuple[int, dict]]:
    """POST a hand-written multipart/mixed batch; return each part's (status, JSON body)."""
    import requests

    boundary = "outer_boundary_1"
    chunks = []
    for number, (path, headers) in enumerate(parts):
        lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        chunks.append(f"--{boundary}\r\nContent-Type: application/http\r\n"
                      f"Content-ID: <part{number}>\r\n\r\n" + "\r\n".join(lines) + "\r\n\r\n")
    body = "".join(chunks) + f"--{boundary}--\r\n"
    answer = requests.post(url + "batch/gmail/v1", data=body.encode(), timeout=10,
                           headers={**outer, "Content-Type": f"multipart/mixed; "
                                                             f"boundary={boundary}"})
    assert answer.status_code == 200
    boundary_in = answer.headers["Content-Type"].split("boundary=")[1]
    found = []
    for chunk in answer.content.split(b"--" + boundary_in.encode())[1:-1]:
        http = chunk.split(b"\r\n\r\n", 1)[1]
        status_line, rest = http.split(b"\r\n", 1)
        found.append((int(status_line.split()[1]), json.loads(rest.split(b"\r\n\r\n", 1)[1])))
    return found


def test_parts_without_authorization_inherit_the_outer_one(fake_gmail, account):
    from fakegmail.pytest_plugin import new_account

    other = new_account(fake_gmail.state, fake_gmail.url)
    profile = "/gmail/v1/users/me/profile"
    answers = _raw_batch(fake_gmail.url, [
        (profile, {}),
        (profile, {"Authorization": f"Bearer {other.token}"}),
        (profile, {"Accept": "application/json"}),
    ], outer={"Authorization": f"Bearer {account.token}"})
    assert [status for status, _ in answers] == [200, 200, 200]
    assert [body["emailAddress"] for _, body in answers] == [
        account.email, other.email, account.email]


def test_parts_without_any_authorization_are_401(fake_gmail, account):
    answers = _raw_batch(fake_gmail.url, [
        ("/gmail/v1/users/me/profile", {}),
        ("/gmail/v1/users/me/profile", {"Authorization": f"Bearer {account.token}"}),
    ], outer={})
    assert answers[0][0] == 401
    assert answers[0][1]["error"]["status"] == "UNAUTHENTICATED"
    assert answers[1][0] == 200
    assert answers[1][1]["emailAddress"] == account.email


@pytest.mark.parametrize("path", ["/_emulator/outbound", "/token", "/batch/gmail/v1",
                                  "/gmail/v1/users/me/../../../_emulator/outbound"])
def test_a_part_aimed_outside_the_gmail_api_is_404(fake_gmail, account, path):
    # Google's Gmail batch endpoint carries Gmail calls only; the emulator ran any of its
    # routes, its control routes among them.
    answers = _raw_batch(fake_gmail.url, [(path, {}), ("/gmail/v1/users/me/profile", {})],
                         outer={"Authorization": f"Bearer {account.token}"})
    assert answers[0][0] == 404
    assert answers[0][1]["error"]["status"] == "NOT_FOUND"
    assert answers[1][0] == 200
