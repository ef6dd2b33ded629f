"""A reviewer verifies and searches the log on a real PostgreSQL streaming replica.

The test copies the running test server with ``pg_basebackup`` and starts it as a hot
standby (as the ``postgres`` user when run as root, like scripts/with-postgres.sh). On the
standby a read-only open verifies with two processes and searches; opening it for writing
is refused, as nothing may be written there.

The standby streams through a replication slot of its own. Without one the server keeps no
WAL for it: other tests' ``DROP DATABASE`` forces a checkpoint and ``CREATE DATABASE``
writes megabytes of WAL, so the segment the standby asks for once started could already be
removed ("requested WAL segment ... has already been removed"), and its WAL receiver then
failed at every retry, leaving it at the entries the copy held.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit import AuditLog, AuditQuery, AuditUnavailable

from .conftest import HMAC_KEY, make_event

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(*args: str) -> list[str]:
    """Run a PostgreSQL program as the postgres user when we are root (it refuses root)."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def standby_url(pg_url: str) -> Iterator[str]:
    """Return ``pg_url``'s database on a hot standby of the test server, started now."""
    primary = make_url(pg_url)
    slot = f"mailguard_standby_{uuid.uuid4().hex[:12]}"
    folder = Path(tempfile.mkdtemp(prefix="mailguard-standby-"))
    os.chmod(folder, 0o700)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    yield_url = primary.set(port=port).render_as_string(hide_password=False)
    try:
        subprocess.run(_as_postgres(
            str(PG_BIN / "pg_basebackup"), "-h", str(primary.host), "-p", str(primary.port),
            "-U", str(primary.username), "-D", str(data), "-R", "-X", "stream", "-c", "fast",
            "-C", "-S", slot),  # -R also writes primary_slot_name
            check=True, cwd="/", capture_output=True, timeout=120)
        subprocess.run(_as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
            f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c hot_standby=on "
            "-c max_connections=200", "start"),
            check=True, cwd="/", capture_output=True, timeout=120)
        yield yield_url
    finally:
        subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                                    "-w", "stop"), cwd="/", capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
        _drop_slot(pg_url, slot)


def _drop_slot(url: str, slot: str) -> None:
    """Drop ``slot`` on the server, which would otherwise keep every WAL segment from now on.

    The primary may not have seen the stopped standby's connection close yet; its WAL
    sender is ended first (and waited for), as an active slot cannot be dropped.
    """
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(active_pid, 60000) "
                              "FROM pg_replication_slots "
                              "WHERE slot_name = :s AND active_pid IS NOT NULL"), {"s": slot})
            conn.execute(text("SELECT pg_drop_replication_slot(slot_name) "
                              "FROM pg_replication_slots WHERE slot_name = :s"), {"s": slot})
    finally:
        engine.dispose()


def _wait_for(url: str, size: int) -> AuditLog:
    """Open the standby read-only once it has replayed ``size`` entries.

    Fails naming the standby's WAL receiver state when it has not within the deadline, so
    a slow replay and a broken stream can be told apart.
    """
    deadline = time.monotonic() + 300  # replay waits for CPU on a busy machine
    while True:
        reader = AuditLog.open(url, hmac_key=HMAC_KEY, read_only=True)
        if reader.size() >= size:
            return reader
        seen = reader.size()
        reader.close()
        if time.monotonic() > deadline:
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    receiver = conn.execute(text(
                        "SELECT status, flushed_lsn::text, latest_end_lsn::text "
                        "FROM pg_stat_wal_receiver")).all()
                    replayed = conn.execute(text(
                        "SELECT pg_last_wal_replay_lsn()::text")).scalar()
            finally:
                engine.dispose()
            raise AssertionError(f"the standby replayed {seen} of {size} entries in 300 s; "
                                 f"WAL receiver {receiver}, replayed up to {replayed}")
        time.sleep(0.05)


def test_a_hot_standby_is_verified_and_searched_read_only(pg_url, open_log, monkeypatch,
                                                          request):
    monkeypatch.setattr("audit.verify.BATCH", 64)  # 720 entries: 12 batches, 2 ranges
    log = open_log(pg_url, checkpoint_every=100)
    log.append_many([make_event(i) for i in range(700)])
    url = request.getfixturevalue("standby_url")
    log.append_many([make_event(i) for i in range(700, 720)])  # streamed after the copy
    reader = _wait_for(url, 720)
    try:
        report = reader.verify(workers=2)
        assert report.ok, report.problems
        assert report.size == 720
        mailbox = AuditQuery(mailbox="user3@example.com")
        assert [e.seq for e in reader.query(mailbox)] == list(range(3, 720, 7))
    finally:
        reader.close()
    with pytest.raises(AuditUnavailable, match="recovery"):
        AuditLog.open(url, hmac_key=HMAC_KEY)
