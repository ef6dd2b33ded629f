"""Gmail slower than the guard's read timeout: the guard gives up, the user is told, no harm.

A private emulator holds every matching call in its latency fault until the test releases
it (the fault's sleep waits on an event), so each call certainly outlasts the guard's read
timeout (``GMAIL_READ_TIMEOUT``, three seconds here) however busy the machine is: nothing
depends on how long anything takes. The reader gets the "Gmail is not answering" page (a
503, never a 500), the access was recorded before the call, and the log verifies; once
the fault is removed the same page works. A send that times out is not sent twice: when
the held calls finally complete, Sent holds the message once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from audit import AuditQuery
from fakegmail.server import EmulatorServer
from fakegmail.state import EmulatorState
from guard.retry import Retrier, RetryPolicy
from guard.settings import SettingsError
from tests.webclient.conftest import (
    Mailbox,
    app_config,
    control,
    inbox_threads,
    new_mailbox,
    post,
    register_web_client,
    sign_in,
)
from webclient import create_app

READ_TIMEOUT = 3.0
#: Far above READ_TIMEOUT; the held calls end when the test releases them.
HELD_MS = 110_000
NOT_ANSWERING = "Gmail is not answering"


class HeldEmulator:
    """An emulator whose latency faults wait until ``release()``."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self.server = EmulatorServer(EmulatorState(sleep=self._hold))

    def _hold(self, seconds: float) -> None:
        self._released.wait(seconds)

    def hold(self, method: str) -> None:
        """Make every call of ``method`` wait until released."""
        control(self.server, "POST", "faults", {"method": method, "latency_ms": HELD_MS})

    def release(self) -> None:
        """Remove the faults, let the held calls finish, and wait until they have."""
        requests.delete(self.server.url + "_emulator/faults", timeout=10).raise_for_status()
        self._released.set()
        deadline = time.monotonic() + 60
        while self.server.state.stats.in_flight and time.monotonic() < deadline:
            threading.Event().wait(0.02)
        assert not self.server.state.stats.in_flight, "held calls did not finish"


@pytest.fixture
def held() -> Iterator[HeldEmulator]:
    emulator = HeldEmulator()
    with emulator.server:
        register_web_client(emulator.server)
        try:
            yield emulator
        finally:
            emulator._released.set()


@pytest.fixture
def web(held: HeldEmulator, tmp_path: Any) -> Iterator[tuple[Any, Any, Mailbox]]:
    """Return (app, signed-in client, mailbox) with a short Gmail read timeout."""
    mailbox = new_mailbox(held.server, messages=6)
    app = create_app(app_config(held.server, tmp_path, GMAIL_READ_TIMEOUT=READ_TIMEOUT,
                                GUARD_RETRIER=Retrier(RetryPolicy(max_attempts=2),
                                                      sleep=lambda _s: None,
                                                      random=lambda: 0.0)))
    try:
        client = app.test_client()
        assert sign_in(client, held.server, mailbox.email).status_code == 302
        yield app, client, mailbox
    finally:
        app.extensions["mailguard.guard"].close()


def _audit(app: Any) -> Any:
    return app.extensions["mailguard.guard"].audit


def test_a_page_that_outlasts_the_read_timeout_says_gmail_is_not_answering(held, web):
    app, client, mailbox = web
    thread = inbox_threads(mailbox)[0]
    pages = ("/u/0/search?q=invoice", f"/u/0/t/{thread}")
    for page in pages:
        assert client.get(page).status_code == 200, page
    held.hold("*")
    for page in pages:
        recorded = _audit(app).size()
        answer = client.get(page)
        assert answer.status_code == 503, (page, answer.status_code)
        assert NOT_ANSWERING in answer.get_data(as_text=True), page
        attempt = list(_audit(app).query(AuditQuery(after_seq=recorded - 1)))
        assert attempt, f"{page}: the attempt was not recorded before Gmail was called"
        assert all(entry.mailbox_h and entry.decision.value == "allow" for entry in attempt)
    _audit(app).verify().raise_for_problems()
    held.release()
    for page in pages:
        assert client.get(page).status_code == 200, page
    _audit(app).verify().raise_for_problems()


def test_a_send_that_outlasts_the_read_timeout_is_not_sent_twice(held, web):
    app, client, mailbox = web
    assert client.get("/u/0/f/inbox").status_code == 200
    subject = "Timed out send"
    held.hold("messages.send")
    answer = post(client, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                           "subject": subject, "body": "Isi pesan."})
    assert answer.status_code != 500
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503, (answer.status_code, page[:400])
    assert "Your message may still be sent" in page
    assert "Look in Sent before you send it again" in page
    held.release()
    sent = [m for m in mailbox.state.list_messages(label_ids=["SENT"])
            if f"Subject: {subject}".encode() in m.raw]
    assert len(sent) == 1, f"{len(sent)} copies in Sent"
    _audit(app).verify().raise_for_problems()


@pytest.mark.parametrize("value", [0, -1, "2", True])
def test_a_read_timeout_that_is_not_a_positive_number_stops_start_up(tmp_path, value):
    from fakegmail.server import EmulatorServer as Server

    with Server() as server, pytest.raises(SettingsError, match="gmail_read_timeout"):
        create_app(app_config(server, tmp_path, GMAIL_READ_TIMEOUT=value))
