"""Fail closed: when an entry cannot be made durable, append raises and nothing half-stays."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from audit import AuditError, AuditLog, AuditUnavailable

from .conftest import HMAC_KEY, make_event

# audit_meta holds the identifier-hashing key's id and the trusted verifier keys: deleting
# the key id would let a writer reopen the log under another hashing key.
TABLES = ("audit_entries", "audit_resources", "audit_nodes", "audit_checkpoints", "audit_meta")


def _url(db_url: str) -> str:
    return db_url if "://" in db_url else f"sqlite:///{db_url}"


@pytest.mark.parametrize(("url", "says"), [
    ("postgresql+nonsense://reviewer@h/audit", r"'postgresql\+nonsense' is not available"),
    ("postgresql+asyncpg://reviewer@127.0.0.1:1/audit", r"'postgresql\+asyncpg' is not available"),
    ("postgresql+psycopg://reviewer@[::1/audit", "URL is not valid"),
])
def test_an_unknown_driver_or_malformed_url_is_an_audit_error(url, says):
    with pytest.raises(AuditError, match=says):
        AuditLog.open(url, hmac_key=HMAC_KEY)


@pytest.mark.parametrize("table", TABLES)
def test_triggers_reject_update_and_delete(db_url, open_log, table):
    log = open_log(db_url, checkpoint_every=2)
    log.append_many([make_event(i) for i in range(4)])
    engine = create_engine(_url(db_url))
    column = {"audit_nodes": "idx", "audit_checkpoints": "size", "audit_meta": "value"}.get(
        table, "seq")
    for statement in (f"UPDATE {table} SET {column} = 99",
                      f"DELETE FROM {table}"):
        with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))
    with engine.connect() as conn, pytest.raises(DatabaseError, match="only grows"):
        conn.execute(text("UPDATE audit_head SET size = 1"))
    engine.dispose()
    assert log.verify().ok


def test_read_only_database_refuses_appends(sqlite_path, open_log):
    open_log(sqlite_path).append(make_event(0))
    ro = open_log(f"sqlite:///file:{sqlite_path}?mode=ro&uri=true")
    with pytest.raises(AuditUnavailable, match="must be refused"):
        ro.append(make_event(1))
    assert open_log(sqlite_path).size() == 1


def test_directory_removed_under_an_open_log(tmp_path, open_log):
    folder = tmp_path / "instance"
    folder.mkdir()
    log = open_log(folder / "audit.db")
    log.append(make_event(0))
    shutil.rmtree(folder)
    with pytest.raises(AuditUnavailable):
        log.append(make_event(1))
    with pytest.raises(AuditUnavailable):
        AuditLog.open(folder / "audit.db", hmac_key=HMAC_KEY)


def test_lock_timeout_refuses_and_writes_nothing(sqlite_path, open_log):
    log = open_log(sqlite_path, lock_timeout=0.2)
    log.append(make_event(0))
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(AuditUnavailable):
        log.append_many([make_event(1), make_event(2)])
    holder.execute("ROLLBACK")
    holder.close()
    assert log.size() == 1
    assert log.append(make_event(3)).seq == 1
    assert log.verify().ok


def test_postgres_going_away_refuses_appends(pg_url, open_log):
    log = open_log(pg_url, lock_timeout=2)
    log.append(make_event(0))
    admin = create_engine(pg_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = pg_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :n"), {"n": name})
    with pytest.raises(AuditUnavailable):
        log.append(make_event(1))
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
    admin.dispose()
    assert log.append(make_event(2)).seq == 1  # nothing half-written: seq 1 is still free
    assert log.verify().ok


def test_postgres_restart_while_idle_costs_no_refusal(pg_url, open_log):
    """A writer connection killed while idle is replaced on the next append, once."""
    log = open_log(pg_url, lock_timeout=2)
    log.append(make_event(0))
    admin = create_engine(pg_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) "
                                   "FROM pg_stat_activity WHERE datname = :n"),
                              {"n": pg_url.rsplit("/", 1)[1]}).scalar()
    admin.dispose()
    assert killed >= 1
    assert log.append(make_event(1)).seq == 1
    assert log.append(make_event(2)).seq == 2
    assert log.size() == 3  # recorded once each, not twice
    assert log.verify().ok
