"""Attachment ids are issued afresh on every fetch, and every issued id keeps working.

Gmail's attachmentId is an opaque token, not a stable name: two fetches of one message
show different ids for the same part, and each of them fetches the attachment. An id of
another message, of another account or altered by the client is refused as before.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from fakegmail.pytest_plugin import new_account
from tests.fakegmail.api.conftest import b64, gmail_error, insert, make_raw
from tests.fakegmail.conformance import check_schema, execute_checked

DATA = bytes(range(256)) * 4
URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _attachment_id(message: dict[str, Any]) -> str:
    part = next(p for p in message["payload"]["parts"] if p.get("filename") == "data.bin")
    return str(part["body"]["attachmentId"])


def _get(users: Any, message_id: str, attachment_id: str) -> Any:
    return execute_checked(users.messages().attachments().get(
        userId="me", messageId=message_id, id=attachment_id))


def _refusal(users: Any, message_id: str, attachment_id: str) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HttpError) as caught:
        users.messages().attachments().get(userId="me", messageId=message_id,
                                           id=attachment_id).execute()
    return caught.value.resp.status, gmail_error(caught.value)


@pytest.fixture
def stored(users: Any) -> dict[str, Any]:
    return insert(users, make_raw(attachment=("data.bin", DATA)))


def test_each_fetch_issues_a_new_id_and_every_one_fetches_the_bytes(users, stored):
    first = execute_checked(users.messages().get(userId="me", id=stored["id"]))
    second = execute_checked(users.messages().get(userId="me", id=stored["id"]))
    ids = [_attachment_id(first), _attachment_id(second)]
    assert ids[0] != ids[1]
    for attachment_id in ids:
        assert URL_SAFE.match(attachment_id) and 40 <= len(attachment_id) <= 400
    answers = [_get(users, stored["id"], attachment_id) for attachment_id in reversed(ids)]
    assert [base64.urlsafe_b64decode(a["data"]) for a in answers] == [DATA, DATA]
    assert [a["size"] for a in answers] == [len(DATA), len(DATA)]
    # Nothing else of the message changed between the fetches.
    for message in (first, second):
        for part in message["payload"]["parts"]:
            part["body"].pop("attachmentId", None)
    assert first == second


def test_threads_and_drafts_issue_ids_that_work_too(users, stored):
    thread = execute_checked(users.threads().get(userId="me", id=stored["threadId"]))
    from_thread = _attachment_id(thread["messages"][0])
    raw = make_raw(attachment=("data.bin", DATA), to="ann@example.org")
    draft = execute_checked(users.drafts().create(userId="me",
                                                  body={"message": {"raw": b64(raw)}}))
    got = execute_checked(users.drafts().get(userId="me", id=draft["id"]))
    from_draft = _attachment_id(got["message"])
    again = execute_checked(users.drafts().get(userId="me", id=draft["id"]))
    assert _attachment_id(again["message"]) != from_draft
    assert base64.urlsafe_b64decode(_get(users, stored["id"], from_thread)["data"]) == DATA
    assert base64.urlsafe_b64decode(
        _get(users, got["message"]["id"], from_draft)["data"]) == DATA


def test_partial_answers_and_batches_carry_working_ids(users, gmail, stored):
    partial = execute_checked(users.messages().get(
        userId="me", id=stored["id"], fields="payload/parts(filename,body/attachmentId)"))
    part = next(p for p in partial["payload"]["parts"] if p.get("filename") == "data.bin")
    assert set(part) == {"filename", "body"} and set(part["body"]) == {"attachmentId"}
    answers: dict[str, Any] = {}

    def keep(request_id: str, response: Any, exception: Any) -> None:
        assert exception is None
        answers[request_id] = response

    batch = gmail.new_batch_http_request(callback=keep)
    assert isinstance(batch, BatchHttpRequest)
    for name in ("a", "b"):
        batch.add(users.messages().get(userId="me", id=stored["id"]), request_id=name)
    batch.execute()
    for message in answers.values():
        check_schema("Message", message)
    ids = {_attachment_id(answers["a"]), _attachment_id(answers["b"]),
           part["body"]["attachmentId"]}
    assert len(ids) == 3
    for attachment_id in ids:
        assert base64.urlsafe_b64decode(_get(users, stored["id"], attachment_id)["data"]) == DATA


def test_an_indented_and_a_compact_answer_both_carry_fresh_ids(users, fake_gmail, account,
                                                               stored):
    texts = [requests.get(f"{fake_gmail.url}gmail/v1/users/me/messages/{stored['id']}",
                          params={"prettyPrint": pretty},
                          headers={"Authorization": f"Bearer {account.token}"},
                          timeout=10).text for pretty in ("true", "false")]
    ids = [_attachment_id(json.loads(text)) for text in texts]
    assert ids[0] != ids[1]
    for attachment_id in ids:
        assert base64.urlsafe_b64decode(_get(users, stored["id"], attachment_id)["data"]) == DATA


def test_an_altered_id_or_one_of_another_message_is_400_invalid_token(users, stored):
    other = insert(users, make_raw(attachment=("data.bin", DATA)))
    issued = _attachment_id(execute_checked(users.messages().get(userId="me", id=stored["id"])))
    flipped = issued[:30] + ("A" if issued[30] != "A" else "B") + issued[31:]
    for message_id, attachment_id in ((stored["id"], flipped), (stored["id"], issued[:-4]),
                                      (stored["id"], issued + "AAAA"),
                                      (other["id"], issued)):
        status, error = _refusal(users, message_id, attachment_id)
        assert (status, error["message"]) == (400, "Invalid attachment token")
        assert error["errors"][0]["reason"] == "invalidArgument"


def test_an_id_issued_to_another_account_is_refused(fake_gmail, users, stored, service_for):
    stranger = new_account(fake_gmail.state, fake_gmail.url)
    theirs = service_for(stranger).users()
    their_message = insert(theirs, make_raw(attachment=("data.bin", DATA)))
    their_id = _attachment_id(execute_checked(theirs.messages().get(
        userId="me", id=their_message["id"])))
    # Their message id is not in this mailbox: 404, as for any unknown message.
    status, _ = _refusal(users, their_message["id"], their_id)
    assert status == 404
    # In this mailbox's own message the id does not resolve either.
    status, error = _refusal(users, stored["id"], their_id)
    assert (status, error["message"]) == (400, "Invalid attachment token")
