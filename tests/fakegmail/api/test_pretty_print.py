"""Answers are indented by default and compact with ``prettyPrint=false``, as Google's.

The discovery document's ``prettyPrint`` parameter: "Returns response with indentations
and line breaks", default true. Either way the body is the same JSON value.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from fakegmail.pytest_plugin import FakeGmailAccount
from fakegmail.server import EmulatorServer
from tests.fakegmail.api.conftest import insert, make_raw


def _get(server: EmulatorServer, account: FakeGmailAccount, path: str,
         **params: str) -> requests.Response:
    return requests.get(server.url + "gmail/v1/users/me/" + path, params=params,
                        headers={"Authorization": f"Bearer {account.token}"}, timeout=10)


def _indented(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2)


def _compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def _ids_masked(value: Any) -> Any:
    """Return ``value`` with every attachment id replaced by one marker: Gmail issues a
    new id on each fetch, so two answers for one message differ there and only there."""
    if isinstance(value, dict):
        return {k: "<attachment id>" if k == "attachmentId" else _ids_masked(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_ids_masked(v) for v in value]
    return value


@pytest.fixture
def stored(users: Any) -> dict[str, Any]:
    raw = make_raw(subject="Résumé attached", body="Halo, terlampir.\n",
                   attachment=("cv.pdf", b"%PDF-1.4 cv"), message_id="<cv-1@example.org>")
    first = insert(users, raw, labels=("INBOX", "UNREAD", "STARRED"))
    reply = insert(users, make_raw(subject="Re: Résumé attached",
                                   headers={"In-Reply-To": "<cv-1@example.org>"}))
    assert reply["threadId"] == first["threadId"]
    return first


@pytest.mark.parametrize("path", [
    "messages/{id}", "messages/{id}?format=minimal", "messages/{id}?format=raw",
    "messages/{id}?format=metadata&metadataHeaders=Subject", "threads/{thread}",
    "threads/{thread}?format=metadata", "messages", "labels", "profile",
    "messages/{id}?fields=id,payload/mimeType",
])
def test_answers_are_indented_by_default_and_compact_on_request(
        fake_gmail: EmulatorServer, account: FakeGmailAccount, stored: dict[str, Any],
        path: str) -> None:
    resource, _, query = path.format(id=stored["id"], thread=stored["threadId"]).partition("?")
    params = dict(pair.split("=") for pair in query.split("&")) if query else {}

    pretty = _get(fake_gmail, account, resource, **params)
    compact = _get(fake_gmail, account, resource, **params, prettyPrint="false")

    assert pretty.status_code == compact.status_code == 200
    assert pretty.text == _indented(pretty.text)
    assert "\n  " in pretty.text
    assert compact.text == _compact(compact.text)
    assert _ids_masked(json.loads(pretty.text)) == _ids_masked(json.loads(compact.text))


def test_errors_are_indented_by_default_too(
        fake_gmail: EmulatorServer, account: FakeGmailAccount) -> None:
    pretty = _get(fake_gmail, account, "messages/0000000000000001")
    compact = _get(fake_gmail, account, "messages/0000000000000001", prettyPrint="false")

    assert pretty.status_code == compact.status_code == 404
    assert pretty.text.strip() == _indented(pretty.text)
    assert compact.text.strip() == _compact(compact.text)


def test_an_explicit_true_indents(fake_gmail: EmulatorServer, account: FakeGmailAccount,
                                  stored: dict[str, Any]) -> None:
    answer = _get(fake_gmail, account, f"messages/{stored['id']}", prettyPrint="true")

    assert answer.text == _indented(answer.text)
