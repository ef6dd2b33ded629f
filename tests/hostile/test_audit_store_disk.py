"""The web client's database on a disk that fills up or turns read-only: no mail, then mail.

The SQLite database (guard tables and audit log) lives on a small tmpfs (``small_disk``).
While the disk is full, or read-only, the inbox, a search and a conversation answer the
503 refusal page, Gmail is not called, and no audit entry appears; once space (or write
access) returns, the same pages work again and the log verifies with every entry whole.
On PostgreSQL, the database is switched to read-only transactions and back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from audit import AuditQuery
from fakegmail.server import EmulatorServer
from tests.hostile.small_disk import SmallDisk
from tests.hostile.test_audit_store_failures import REFUSAL, gmail_calls
from tests.webclient.conftest import Mailbox, app_config, inbox_threads, new_mailbox, sign_in
from webclient import create_app

PAGES = ("/u/0/f/inbox", "/u/0/search?q=invoice", "/u/0/t/{thread}")


def _web(emulator: EmulatorServer, tmp_path: Any, database_url: str
         ) -> Iterator[tuple[Flask, Any, Mailbox]]:
    mailbox = new_mailbox(emulator, messages=5)
    app = create_app(app_config(emulator, tmp_path, DATABASE_URL=database_url))
    try:
        client = app.test_client()
        assert sign_in(client, emulator, mailbox.email).status_code == 302
        yield app, client, mailbox
    finally:
        app.extensions["mailguard.guard"].close()


@pytest.fixture
def on_small_disk(web_emulator: EmulatorServer, tmp_path: Any, small_disk: SmallDisk
                  ) -> Iterator[tuple[Flask, Any, Mailbox]]:
    """Return (app, signed-in client, mailbox) with the database on ``small_disk``."""
    yield from _web(web_emulator, tmp_path, f"sqlite:///{small_disk.path / 'mailguard.db'}")


def _entries_whole(app: Flask) -> int:
    """Check the log verifies and holds exactly ``size`` readable entries; return the size."""
    audit = app.extensions["mailguard.guard"].audit
    audit.verify().raise_for_problems()
    size = audit.size()
    seqs = [entry.seq for entry in audit.query(AuditQuery(limit=size + 10))]
    assert sorted(seqs) == list(range(size)), "an entry is missing or half-written"
    return int(size)


def refuses_then_recovers(app: Flask, client: Any, mailbox: Mailbox, *,
                          cut: Callable[[], None], restore: Callable[[], None]) -> None:
    """Pages work; after ``cut`` they answer the refusal without Gmail; after ``restore``
    they work again; the log stays whole and records nothing for refused pages."""
    thread = inbox_threads(mailbox)[0]
    pages = [page.format(thread=thread) for page in PAGES]
    for page in pages:
        assert client.get(page).status_code == 200, page
    recorded = _entries_whole(app)
    cut()
    before = gmail_calls(mailbox.emulator)
    for page in pages * 2:
        answer = client.get(page)
        assert answer.status_code == 503, (page, answer.status_code)
        assert REFUSAL in answer.get_data(as_text=True), page
    assert gmail_calls(mailbox.emulator) == before, "Gmail was called while nothing could " \
                                                    "be recorded"
    restore()
    assert _entries_whole(app) == recorded, "a refused page left an audit entry"
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, (page, answer.status_code)
    assert gmail_calls(mailbox.emulator) > before
    assert _entries_whole(app) > recorded


def release_database_files(app: Flask) -> None:
    """Close the app's open database files (pools and the audit writer reconnect later).

    Linux remounts a filesystem read-only only when no file on it is open for writing.
    """
    guard = app.extensions["mailguard.guard"]
    for engine in [guard.engine, *(e for e in app.extensions.values() if isinstance(e, Engine))]:
        engine.dispose()
    guard.audit.store.close()


@pytest.mark.sqlite_only
def test_a_full_disk_refuses_mail_then_recovers(on_small_disk, small_disk):
    app, client, mailbox = on_small_disk
    refuses_then_recovers(app, client, mailbox, cut=small_disk.fill, restore=small_disk.free)


@pytest.mark.sqlite_only
def test_a_full_disk_refuses_a_send_and_sends_nothing(on_small_disk, small_disk):
    from tests.webclient.conftest import post

    app, client, mailbox = on_small_disk
    assert client.get("/u/0/f/inbox").status_code == 200
    sent = len(mailbox.state.list_messages(label_ids=["SENT"]))
    small_disk.fill()
    before = gmail_calls(mailbox.emulator)
    answer = post(client, "/u/0/compose", {"action": "send", "to": "rina@example.org",
                                           "subject": "Disk full send", "body": "Isi."})
    assert answer.status_code == 503
    assert REFUSAL in answer.get_data(as_text=True)
    assert gmail_calls(mailbox.emulator) == before
    assert len(mailbox.state.list_messages(label_ids=["SENT"])) == sent
    small_disk.free()
    _entries_whole(app)


@pytest.mark.sqlite_only
def test_a_read_only_disk_refuses_mail_then_recovers(on_small_disk, small_disk):
    app, client, mailbox = on_small_disk

    def read_only() -> None:
        release_database_files(app)
        small_disk.read_only()
        assert small_disk.is_read_only()

    refuses_then_recovers(app, client, mailbox, cut=read_only, restore=small_disk.writable)


@pytest.mark.postgres
def test_a_read_only_postgres_database_refuses_mail_then_recovers(web_emulator, tmp_path,
                                                                   postgres_url):
    name = make_url(postgres_url).database
    admin = create_engine(make_url(postgres_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)

    def read_only(on: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = '
                              + ("on" if on else "off")))
            # the setting applies to new sessions: end the app's current ones
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})

    try:
        for app, client, mailbox in _web(web_emulator, tmp_path, postgres_url):
            refuses_then_recovers(app, client, mailbox, cut=lambda: read_only(True),
                                  restore=lambda: read_only(False))
    finally:
        admin.dispose()
