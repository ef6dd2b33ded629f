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


def test_more_than_100_parts_is_refused(gmail):
    batch = gmail.new_batch_http_request()
    for _ in range(101):
        batch.add(gmail.users().getProfile(userId="me"))
    with pytest.raises(HttpError) as caught:
        batch.execute()
    assert caught.value.resp.status == 400
    assert "at most 100" in json.loads(caught.value.content)["error"]["message"]
