"""A reviewer opens the log read-only: a copy, a read replica or a role that may only SELECT.

Verification, queries, proofs and counts work; nothing is created or written, and append
and checkpoint say why they cannot.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit import AuditError, AuditLog, AuditQuery, AuditUnavailable

from .conftest import HMAC_KEY, make_event


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sqlite_log_is_reviewed_without_a_write(sqlite_path, open_log):
    log = open_log(sqlite_path, checkpoint_every=8)
    log.append_many([make_event(i) for i in range(20)])
    log.close()
    before = _file_digest(sqlite_path)
    reader = AuditLog.open(sqlite_path, hmac_key=HMAC_KEY, read_only=True)
    try:
        assert reader.verify().ok
        assert reader.size() == 20
        mailbox = AuditQuery(mailbox="user3@example.com")
        assert [e.seq for e in reader.query(mailbox)] == [3, 10, 17]
        proof = reader.prove_inclusion(5, tree_size=16)
        proof.verify()  # raises if the path does not lead to the root
        assert (proof.seq, proof.tree_size) == (5, 16)
        with pytest.raises(AuditError, match="read-only"):
            reader.append(make_event(99))
        with pytest.raises(AuditError, match="read-only"):
            reader.checkpoint()
    finally:
        reader.close()
    assert _file_digest(sqlite_path) == before
    assert sqlite3.connect(sqlite_path).execute(
        "SELECT count(*) FROM audit_entries").fetchone()[0] == 20


def test_a_read_only_open_creates_no_log(tmp_path):
    missing = tmp_path / "none.db"
    with pytest.raises(AuditUnavailable, match="read"):
        AuditLog.open(missing, hmac_key=HMAC_KEY, read_only=True)
    assert not missing.exists()


def test_a_read_only_open_still_checks_the_key(sqlite_path, open_log):
    open_log(sqlite_path).append(make_event(0))
    with pytest.raises(AuditError, match="different identifier-hashing key"):
        AuditLog.open(sqlite_path, hmac_key=b"another key, 32 bytes long......",
                      read_only=True)


def test_a_select_only_postgres_role_verifies_and_searches(pg_url, open_log):
    log = open_log(pg_url, checkpoint_every=8)
    log.append_many([make_event(i) for i in range(20)])
    url = make_url(pg_url)
    role = f"reviewer_{url.database}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"'))
    try:
        reader_url = url.set(username=role).render_as_string(hide_password=False)
        with pytest.raises(AuditUnavailable):  # opening for writing needs DDL rights
            AuditLog.open(reader_url, hmac_key=HMAC_KEY)
        reader = AuditLog.open(reader_url, hmac_key=HMAC_KEY, read_only=True)
        try:
            assert reader.verify().ok
            mailbox = AuditQuery(mailbox="user3@example.com")
            assert [e.seq for e in reader.query(mailbox)] == [3, 10, 17]
            with pytest.raises(AuditError, match="read-only"):
                reader.append(make_event(99))
        finally:
            reader.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()
    assert log.size() == 20
