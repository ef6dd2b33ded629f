"""Searchable columns and resource rows edited behind the log's back are named, on each backend.

The attacker has write access to the database and switches the append-only triggers off.
The entry bytes, their hashes and the tree stay as written, so only the check of the
columns and the resource index against the bytes can see these edits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from audit import ProblemKind
from audit.merkle import MerkleAccumulator

from .conftest import make_event

SIZE = 24


@contextmanager
def attacker(log: Any) -> Iterator[Any]:
    """Yield a connection of ``log``'s database with the append-only triggers off."""
    tables = ("audit_entries", "audit_resources", "audit_nodes", "audit_checkpoints")
    with log.store.engine.begin() as conn:
        if log.store.dialect == "postgresql":
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for (name,) in conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).all():
                conn.execute(text(f"DROP TRIGGER {name}"))
        yield conn
        if log.store.dialect == "postgresql":
            for table in tables:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def edit_search_column(conn: Any) -> int:
    conn.execute(text("UPDATE audit_entries SET purpose = 'email.send' WHERE seq = 13"))
    return 13


def empty_search_column(conn: Any) -> int:
    conn.execute(text("UPDATE audit_entries SET request_id = '' WHERE seq = 5"))
    return 5


def edit_resource_row(conn: Any) -> int:
    conn.execute(text("UPDATE audit_resources SET resource_id = 'msg-999' WHERE seq = 17 "
                      "AND kind = 'message'"))
    return 17


def delete_resource_row(conn: Any) -> int:
    conn.execute(text("DELETE FROM audit_resources WHERE seq = 9 AND kind = 'thread'"))
    return 9


def insert_resource_row(conn: Any) -> int:
    conn.execute(text("INSERT INTO audit_resources (seq, kind, resource_id) "
                      "VALUES (20, 'label', 'INBOX')"))
    return 20


def duplicate_resource_row(conn: Any) -> int:
    conn.execute(text("INSERT INTO audit_resources (seq, kind, resource_id) "
                      "SELECT seq, kind, resource_id FROM audit_resources "
                      "WHERE seq = 14 AND kind = 'message'"))
    return 14


def move_resource_row(conn: Any) -> int:
    conn.execute(text("UPDATE audit_resources SET seq = 8 WHERE seq = 11 AND kind = 'message'"))
    return 8


EDITS: list[Callable[[Any], int]] = [edit_search_column, empty_search_column,
                                      edit_resource_row, delete_resource_row,
                                      insert_resource_row, duplicate_resource_row,
                                      move_resource_row]


@pytest.fixture(params=["one process", "two processes"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Verify in batches of 8, in this process alone or shared with a worker."""
    monkeypatch.setattr("audit.verify.BATCH", 8)
    return 1 if request.param == "one process" else 2


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_an_edited_column_or_resource_row_is_named(db_url, open_log, workers, edit):
    log = open_log(db_url, checkpoint_every=8)
    log.append_many([make_event(i) for i in range(SIZE)])
    assert log.verify(workers=workers).ok
    with attacker(log) as conn:
        seq = edit(conn)
    report = log.verify(workers=workers)
    assert (report.first_problem.kind, report.first_bad_seq) == (
        ProblemKind.COLUMN_MISMATCH, seq), report.problems
    assert log.verify(workers=workers, columns=False).ok  # the tree itself is intact


def rebuild_tree(conn: Any) -> None:
    """Recompute every leaf hash and node from the entries as they now are; drop checkpoints."""
    conn.execute(text("DELETE FROM audit_nodes"))
    conn.execute(text("DELETE FROM audit_checkpoints"))
    acc = MerkleAccumulator()
    for seq, raw in conn.execute(text("SELECT seq, entry FROM audit_entries ORDER BY seq")).all():
        leaf = hashlib.sha256(b"\x00" + bytes(raw)).digest()
        conn.execute(text("UPDATE audit_entries SET leaf_hash = :leaf WHERE seq = :seq"),
                     {"leaf": leaf, "seq": seq})
        for node in acc.append(leaf)[1:]:
            conn.execute(text("INSERT INTO audit_nodes (level, idx, hash) VALUES (:l, :i, :h)"),
                         {"l": node.level, "i": node.index, "h": node.hash})


@pytest.mark.parametrize("raw", [b"not json", b"\xff\xfe not text"], ids=["not JSON", "not UTF-8"])
def test_bytes_that_are_not_json_are_named_and_verification_goes_on(db_url, open_log,
                                                                    workers, raw):
    """The statement that checks the columns fails on such bytes; verification goes on."""
    log = open_log(db_url, checkpoint_every=8)
    log.append_many([make_event(i) for i in range(SIZE)])
    with attacker(log) as conn:
        conn.execute(text("UPDATE audit_entries SET entry = :raw WHERE seq = 6"), {"raw": raw})
        rebuild_tree(conn)
    report = log.verify(workers=workers)
    assert (report.first_problem.kind, report.first_bad_seq) == (
        ProblemKind.MODIFIED, 6), report.problems
    assert any(p.kind == ProblemKind.COLUMN_MISMATCH and p.seq is None
               for p in report.problems), report.problems
