"""The inbox cache under concurrent writers and a failing database: never a failed page."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from guard.db import create_schema, open_engine
from guard.mail_cache import MailCache
from guard.mail_values import ThreadPage, ThreadSummary
from guard.vault import VaultKeys, generate_key
from tests.conftest import POSTGRES, backend_params

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MAILBOX = "ada.lovelace@example.org"
KEYS = VaultKeys([generate_key()])


@pytest.fixture(params=backend_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return an empty database on each backend this run covers."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cache.db'}"
        return
    url = POSTGRES.create()
    try:
        yield url
    finally:
        POSTGRES.drop(url)


def _page(tag: str, count: int = 5) -> ThreadPage:
    threads = tuple(
        ThreadSummary(id=f"t{i}", subject=f"{tag} {i}", snippet="", participants=("a",),
                      message_count=1, last_date=datetime(2024, 4, 1, 0, i, tzinfo=UTC),
                      unread=False, starred=False, important=False, has_attachments=False,
                      label_ids=("INBOX",))
        for i in range(count))
    return ThreadPage(threads=threads, next_page_token=None, result_size_estimate=count)


def _start_together(engines: list[Engine]) -> list[tuple[Engine, str, Any]]:
    """Hold each engine's next write transaction at its first statement until all are there.

    Return the listeners, for ``event.remove``.
    """
    barrier = threading.Barrier(len(engines))
    listeners: list[tuple[Engine, str, Any]] = []
    for engine in engines:
        waiting = threading.local()

        @event.listens_for(engine, "begin")
        def _armed(conn: Any, waiting: Any = waiting) -> None:
            waiting.first = True

        @event.listens_for(engine, "before_cursor_execute")
        def _hold(conn: Any, cursor: Any, statement: str, *_: Any,
                  waiting: Any = waiting) -> None:
            if getattr(waiting, "first", False) and not statement.lstrip().upper().startswith(
                    ("SELECT", "PRAGMA")):
                waiting.first = False
                barrier.wait()

        listeners += [(engine, "begin", _armed), (engine, "before_cursor_execute", _hold)]
    return listeners


def test_two_processes_loading_one_inbox_at_once_both_succeed(db_url: str) -> None:
    engines = [open_engine(db_url) for _ in range(2)]
    create_schema(engines[0])
    caches = [MailCache(e, KEYS, lambda: NOW) for e in engines]
    errors: list[BaseException] = []

    def load(cache: MailCache, tag: str, mailbox: str) -> None:
        try:
            cache.replace_inbox(mailbox, _page(tag), history_id="7", page_size=25)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    failures: list[str] = []
    handler = _Collect()
    logging.getLogger("guard.mail_cache").addHandler(handler)
    try:
        for round_ in range(8):
            mailbox = f"user{round_}@example.org"
            listeners = _start_together(engines)
            workers = [threading.Thread(target=load, args=(c, tag, mailbox))
                       for c, tag in zip(caches, ("first", "second"), strict=True)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            for target, name, fn in listeners:
                event.remove(target, name, fn)
            page = caches[0].page(mailbox, 25)
            if page is None:
                failures.append(mailbox)
                continue
            assert len(page.threads) == 5
            assert len({t.subject.split()[0] for t in page.threads}) == 1  # one writer's page
    finally:
        logging.getLogger("guard.mail_cache").removeHandler(handler)
    assert errors == []
    assert failures == [], handler.messages
    assert handler.messages == []


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_failed_cache_write_is_logged_without_parameters_and_not_raised(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = open_engine(db_url)
    create_schema(engine)
    cache = MailCache(engine, KEYS, lambda: NOW)
    cache.replace_inbox(MAILBOX, _page("old"), history_id="5", page_size=25)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE guard_thread_cache"))

    with caplog.at_level(logging.DEBUG):
        cache.replace_inbox(MAILBOX, _page("new"), history_id="9", page_size=25)
        cache.apply(MAILBOX, upserts=_page("newer").threads, removed=["t1"], history_id="10",
                    expected_history_id="5")

    assert cache.page(MAILBOX, 25) is None  # the listing goes to Gmail
    assert "failed" in caplog.text
    assert MAILBOX not in caplog.text
    assert "ada.lovelace" not in caplog.text
