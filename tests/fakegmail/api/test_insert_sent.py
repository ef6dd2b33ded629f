"""messages.insert labels SENT a message whose From is the mailbox owner, as Gmail does.

Gmail's labels guide: SENT is "applied automatically to messages that are ... inserted with
messages.insert and the user's email in the From header". The emulator stored such a message
with only the labels asked for, so a migration that inserts the user's sent mail found
nothing under in:sent or labelIds=SENT.
"""

from __future__ import annotations

from typing import Any

import pytest

from fakegmail.pytest_plugin import FakeGmailAccount
from tests.fakegmail.api.conftest import b64, make_raw


def _insert(users: Any, sender: str, labels: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"raw": b64(make_raw(sender=sender))}
    if labels is not None:
        body["labelIds"] = labels
    return users.messages().insert(userId="me", body=body).execute()  # type: ignore[no-any-return]


@pytest.mark.parametrize("form", ["{}", "Me Myself <{}>", "{upper}"])
def test_inserting_the_owners_own_message_labels_it_sent(
        users: Any, account: FakeGmailAccount, form: str) -> None:
    sender = form.format(account.email, upper=account.email.upper())

    inserted = _insert(users, sender)

    assert inserted["labelIds"] == ["SENT"]
    listed = users.messages().list(userId="me", labelIds=["SENT"]).execute()
    assert [m["id"] for m in listed["messages"]] == [inserted["id"]]
    assert users.messages().list(userId="me", q="in:sent").execute()["resultSizeEstimate"] == 1


def test_sent_joins_the_labels_the_insert_names(users: Any, account: FakeGmailAccount) -> None:
    inserted = _insert(users, account.email, ["INBOX", "UNREAD"])

    assert sorted(inserted["labelIds"]) == ["INBOX", "SENT", "UNREAD"]


def test_a_message_from_someone_else_gets_only_the_labels_asked_for(users: Any) -> None:
    assert _insert(users, "carol@example.org", ["INBOX"])["labelIds"] == ["INBOX"]
    assert _insert(users, "carol@example.org").get("labelIds", []) == []
