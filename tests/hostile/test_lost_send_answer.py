"""Gmail accepted the send, but the answer was lost: the message is in Sent once, not twice.

The emulator's ``after_commit`` fault lets the send really happen and then answers 503 or
500, or drops the connection. Through the web client (compose and send; a large
attachment that goes through a resumable upload; a saved draft sent from compose) and the
guard's ``drafts.send``, the guard looks in Sent before sending again, finds the message
by the Message-ID it gave it, and reports the send as done: the user reads "Message
sent.", Sent holds exactly one copy, Gmail was asked to send once, the log verifies.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from guard.policy import Actor, ActorKind
from guard.uploads import SIMPLE_UPLOAD_LIMIT
from tests.webclient.conftest import (
    Mailbox,
    app_config,
    control,
    new_mailbox,
    post,
    register_web_client,
    sign_in,
)
from webclient import create_app

LOST_ANSWERS = [
    pytest.param({"drop_connection": True}, id="dropped"),
    pytest.param({"status": 503}, id="503"),
    pytest.param({"status": 500}, id="500"),
]


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A private emulator (faults are emulator-wide) whose latency does not sleep."""
    with EmulatorServer(EmulatorState(sleep=lambda _seconds: None)) as server:
        register_web_client(server)
        yield server


@pytest.fixture
def web(emulator: EmulatorServer, tmp_path: Any) -> Iterator[tuple[Any, Any, Mailbox]]:
    mailbox = new_mailbox(emulator, messages=4)
    app = create_app(app_config(emulator, tmp_path))
    try:
        client = app.test_client()
        assert sign_in(client, emulator, mailbox.email).status_code == 302
        yield app, client, mailbox
    finally:
        app.extensions["mailguard.guard"].close()


def lose_next_answer(emulator: EmulatorServer, method: str, rule: dict[str, Any]) -> None:
    """Let the next ``method`` call take effect, then lose its answer as ``rule`` says."""
    control(emulator, "POST", "faults", {"method": method, "after_commit": True, "count": 1,
                                         **rule})


def send_calls(emulator: EmulatorServer, method: str) -> int:
    stats = requests.get(emulator.url + "_emulator/stats", timeout=10).json()
    return int(stats["methods"].get(method, {}).get("calls", 0))


def in_sent(mailbox: Mailbox, subject: str) -> int:
    return sum(1 for m in mailbox.state.list_messages(label_ids=["SENT"])
               if f"Subject: {subject}\r\n".encode() in m.raw)


def _sent_clearly(client: Any, answer: Any) -> None:
    assert answer.status_code == 302, (answer.status_code, answer.get_data(as_text=True)[:600])
    assert "/t/" in answer.headers["Location"]
    page = client.get(answer.headers["Location"])
    assert page.status_code == 200
    assert "Message sent." in page.get_data(as_text=True)


def _no_rule_left(emulator: EmulatorServer) -> None:
    assert control(emulator, "GET", "faults")["faults"] == [], "the lost answer never happened"


@pytest.mark.parametrize("rule", LOST_ANSWERS)
def test_a_send_whose_answer_is_lost_is_in_sent_once(emulator, web, rule):
    app, client, mailbox = web
    subject = "Sent once although the answer was lost"
    before = send_calls(emulator, "gmail.users.messages.send")
    lose_next_answer(emulator, "messages.send", rule)
    answer = post(client, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                           "subject": subject, "body": "Isi pesan."})
    _no_rule_left(emulator)
    _sent_clearly(client, answer)
    assert in_sent(mailbox, subject) == 1
    assert send_calls(emulator, "gmail.users.messages.send") == before + 1
    app.extensions["mailguard.guard"].audit.verify().raise_for_problems()


@pytest.mark.parametrize("rule", LOST_ANSWERS)
def test_a_resumable_send_whose_last_answer_is_lost_is_in_sent_once(emulator, web, rule):
    app, client, mailbox = web
    subject = "Large attachment sent once"
    attachment = bytes(range(256)) * ((SIMPLE_UPLOAD_LIMIT + 2 * 1024 * 1024) // 256)
    before = send_calls(emulator, "gmail.users.messages.send")
    lose_next_answer(emulator, "messages.send", rule)
    answer = post(client, "/u/0/compose", {
        "action": "send", "to": "rina@example.org", "subject": subject, "body": "Lampiran.",
        "attachments": (io.BytesIO(attachment), "laporan.bin")},
        content_type="multipart/form-data")
    _no_rule_left(emulator)
    _sent_clearly(client, answer)
    [sent] = [m for m in mailbox.state.list_messages(label_ids=["SENT"])
              if f"Subject: {subject}\r\n".encode() in m.raw]
    assert len(sent.raw) > SIMPLE_UPLOAD_LIMIT, "the message did not need a resumable upload"
    assert send_calls(emulator, "gmail.users.messages.send") == before + 1
    app.extensions["mailguard.guard"].audit.verify().raise_for_problems()


@pytest.mark.parametrize("rule", LOST_ANSWERS)
def test_a_saved_draft_sent_from_compose_whose_answer_is_lost_is_in_sent_once(
        emulator, web, rule):
    app, client, mailbox = web
    subject = "Draft sent once"
    form = {"to": "rina@example.org", "subject": subject, "body": "Draf."}
    saved = post(client, "/u/0/compose", {"action": "save", **form})
    assert saved.status_code == 302
    draft_id = saved.headers["Location"].split("draft=")[1]
    lose_next_answer(emulator, "messages.send", rule)
    answer = post(client, "/u/0/compose", {"action": "send", "draft_id": draft_id, **form})
    _no_rule_left(emulator)
    _sent_clearly(client, answer)
    assert in_sent(mailbox, subject) == 1
    assert draft_id not in [d.id for d in mailbox.state.list_drafts()]
    app.extensions["mailguard.guard"].audit.verify().raise_for_problems()


@pytest.mark.parametrize("rule", LOST_ANSWERS)
def test_drafts_send_whose_answer_is_lost_is_in_sent_once(emulator, web, rule):
    app, client, mailbox = web
    subject = "drafts.send once"
    saved = post(client, "/u/0/compose", {"action": "save", "to": "rina@example.org",
                                          "subject": subject, "body": "Draf."})
    draft_id = saved.headers["Location"].split("draft=")[1]
    guard = app.extensions["mailguard.guard"]
    before = send_calls(emulator, "gmail.users.drafts.send")
    lose_next_answer(emulator, "drafts.send", rule)
    sent = guard.mail.send_draft(actor=Actor(kind=ActorKind.USER, id=mailbox.email),
                                 mailbox=mailbox.email, purpose="email.send",
                                 draft_id=draft_id, request_id="lost-draft-send")
    _no_rule_left(emulator)
    assert sent.id and sent.message_id_header
    assert in_sent(mailbox, subject) == 1
    assert send_calls(emulator, "gmail.users.drafts.send") == before + 1
    assert draft_id not in [d.id for d in mailbox.state.list_drafts()]
    guard.audit.verify().raise_for_problems()
