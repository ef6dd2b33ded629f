"""Processes opening a new SQLite file at the same moment all get it in WAL mode.

Switching a new file to WAL is a write SQLite makes by upgrading a read; two processes
doing it at once made one fail at once with "database is locked", whatever the busy
timeout. ``switch_to_wal`` retries; here groups of processes released together by a
barrier open fresh files through it, and through the audit and guard engines.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from audit.engine import make_engine
from audit.sqlite_journal import switch_to_wal
from guard.db import open_engine

pytestmark = pytest.mark.sqlite_only

PROCESSES = 6
ROUNDS = 60  # without the retry about one round in fifteen failed here


def _plain(path: str, barrier: Any) -> str:
    # Connected before the barrier, so the switches themselves start together.
    connection = sqlite3.connect(path, timeout=5.0, isolation_level=None)
    barrier.wait()
    try:
        switch_to_wal(connection, timeout=5.0)
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        connection.close()


def _journal_mode(engine: Any, barrier: Any) -> str:
    """Wait for the others, then connect (the engine's connect hook switches to WAL)."""
    barrier.wait()
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())
    finally:
        engine.dispose()


def _audit(path: str, barrier: Any) -> str:
    return _journal_mode(make_engine(f"sqlite:///{path}"), barrier)


def _guard(path: str, barrier: Any) -> str:
    return _journal_mode(open_engine(f"sqlite:///{path}"), barrier)


OPENERS = {"plain": _plain, "audit": _audit, "guard": _guard}


def _open_together(kind: str, path: str, barrier: Any, results: Any) -> None:
    try:
        results.put(OPENERS[kind](path, barrier))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("kind", sorted(OPENERS))
def test_processes_opening_a_new_file_together_all_switch_it_to_wal(
        tmp_path: Path, kind: str) -> None:
    context = multiprocessing.get_context("fork")
    outcomes: list[str] = []
    for round_number in range(ROUNDS):
        path = str(tmp_path / f"new-{round_number}.db")
        barrier, results = context.Barrier(PROCESSES), context.Queue()
        workers = [context.Process(target=_open_together,
                                   args=(kind, path, barrier, results))
                   for _ in range(PROCESSES)]
        for worker in workers:
            worker.start()
        outcomes += [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
    assert set(outcomes) == {"wal"}, sorted(set(outcomes))
