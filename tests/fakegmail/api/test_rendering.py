"""Pre-serialised Message and Thread JSON: byte-for-byte what the dictionaries encode to."""

from __future__ import annotations

import json

import pytest

from fakegmail.control import fill_mailbox
from fakegmail.rendered import clear_cache, message_json_bytes, thread_json_bytes
from fakegmail.resources import MessageFormat, message_json, thread_json
from fakegmail.seed import generate_mailbox
from fakegmail.state import EmulatorState
from tests.fakegmail.api.conftest import make_raw

HEADER_CHOICES = [(), ("Subject",), ("from", "To", "X-Not-There")]


def encoded(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def mailbox():
    state = EmulatorState(clock=lambda: 1_750_000_000.0)
    account = state.ensure_account("render@example.test", "Render Owner")
    fill_mailbox(account, generate_mailbox(account.email, account.name, 60, seed=11,
                                           now=state.clock()))
    account.mailbox.add_message(make_raw(subject="Ünïcödé ☃ \"quoted\" \\ back",
                                         body="Grüße\n\tand a tab\n"))
    return account.mailbox


@pytest.mark.parametrize("fmt", list(MessageFormat), ids=lambda f: f.value)
@pytest.mark.parametrize("headers", HEADER_CHOICES, ids=lambda h: ",".join(h) or "all")
def test_messages_render_exactly_as_their_dictionaries(mailbox, fmt, headers):
    clear_cache()
    for message in mailbox.list_messages(include_spam_trash=True):
        expected = encoded(message_json(message, fmt, headers))
        assert message_json_bytes(message, fmt, headers) == expected
        assert message_json_bytes(message, fmt, headers) == expected  # from the cache


@pytest.mark.parametrize("fmt", [MessageFormat.FULL, MessageFormat.METADATA,
                                 MessageFormat.MINIMAL], ids=lambda f: f.value)
def test_threads_render_exactly_as_their_dictionaries(mailbox, fmt):
    for summary in mailbox.list_threads(include_spam_trash=True):
        thread = mailbox.get_thread(summary.id)
        assert thread_json_bytes(thread, fmt, ("Subject",)) == encoded(
            thread_json(thread, fmt, ("Subject",)))


def test_a_label_change_shows_in_the_next_rendering(mailbox):
    message = mailbox.add_message(make_raw(subject="relabel me"), label_ids=("INBOX",))
    before = json.loads(message_json_bytes(message, MessageFormat.METADATA))
    (changed,) = mailbox.modify_messages([message.id], add=["STARRED"], remove=["INBOX"])
    after = json.loads(message_json_bytes(changed, MessageFormat.METADATA))
    assert before["labelIds"] == ["INBOX"]
    assert after["labelIds"] == ["STARRED"]
    assert int(after["historyId"]) > int(before["historyId"])
    assert after["payload"] == before["payload"]


def test_get_answers_with_and_without_fields_agree(gmail, account):
    message_id = account.mailbox.add_message(make_raw(subject="fields or not")).id
    get = gmail.users().messages().get
    whole = get(userId="me", id=message_id, format="metadata").execute()
    part = get(userId="me", id=message_id, format="metadata",
               fields="id,payload/headers").execute()
    assert part == {"id": whole["id"], "payload": {"headers": whole["payload"]["headers"]}}
    assert whole["snippet"] and whole["labelIds"] == ["INBOX", "UNREAD"]
