"""When the audit store fails, the web client shows no mail (fail closed) and recovers.

The SQLite file's folder is moved away under a running web client (the disk was
unmounted, the folder deleted) and moved back; on PostgreSQL, the connection path to the
server is cut (connections refused) and restored through a loopback relay.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import POSTGRES
from tests.webclient.conftest import app_config, new_mailbox, sign_in
from webclient import create_app

REFUSAL = "MailGuard cannot record access to your mail right now"


def gmail_calls(emulator: Any) -> int:
    stats = requests.get(emulator.url + "_emulator/stats", timeout=10).json()
    return int(stats["total_calls"])


def _refuses_then_recovers(client: Any, emulator: Any, app: Any, *, cut: Any,
                           restore: Any) -> None:
    assert client.get("/u/0/f/inbox").status_code == 200
    cut()
    before = gmail_calls(emulator)
    for path in ("/u/0/f/inbox", "/u/0/f/inbox", "/u/0/search?q=invoice"):
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.status_code)
        assert REFUSAL in answer.get_data(as_text=True)
    assert gmail_calls(emulator) == before, "Gmail was called while nothing could be recorded"
    restore()
    assert client.get("/u/0/f/inbox").status_code == 200
    assert gmail_calls(emulator) > before
    app.extensions["mailguard.guard"].audit.verify().raise_for_problems()


def test_sqlite_folder_removed_refuses_mail_then_recovers(web_emulator, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    mailbox = new_mailbox(web_emulator, messages=5)
    app = create_app(app_config(web_emulator, tmp_path,
                                DATABASE_URL=f"sqlite:///{state / 'mailguard.db'}"))
    try:
        client = app.test_client()
        assert sign_in(client, web_emulator, mailbox.email).status_code == 302
        away = tmp_path / "away"
        _refuses_then_recovers(client, web_emulator, app,
                               cut=lambda: os.rename(state, away),
                               restore=lambda: os.rename(away, state))
    finally:
        app.extensions["mailguard.guard"].close()


class Relay:
    """A loopback TCP relay to PostgreSQL that can refuse connections and come back."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                inbound, _ = listener.accept()
            except OSError:
                return
            outbound = socket.create_connection(self.target)
            with self._lock:
                self._open += [inbound, outbound]
            for a, b in ((inbound, outbound), (outbound, inbound)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Close the listener and every relayed connection (new ones are refused)."""
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._open.clear()


@pytest.fixture
def pg_relay() -> Iterator[tuple[Relay, str]]:
    """Return a relay to a fresh test PostgreSQL database and its URL through the relay."""
    from sqlalchemy.engine import make_url

    parsed = make_url(POSTGRES.create())
    relay = Relay(parsed.host or "127.0.0.1", parsed.port or 5432)
    relay.start()
    yield relay, parsed.set(host="127.0.0.1", port=relay.port).render_as_string(
        hide_password=False)
    relay.cut()


@pytest.mark.postgres
def test_postgres_connections_refused_refuse_mail_then_recover(web_emulator, tmp_path,
                                                               pg_relay):
    relay, url = pg_relay
    mailbox = new_mailbox(web_emulator, messages=5)
    app = create_app(app_config(web_emulator, tmp_path, DATABASE_URL=url))
    try:
        client = app.test_client()
        assert sign_in(client, web_emulator, mailbox.email).status_code == 302
        _refuses_then_recovers(client, web_emulator, app, cut=relay.cut, restore=relay.start)
    finally:
        app.extensions["mailguard.guard"].close()
