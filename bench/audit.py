"""Benchmark the audit log: raw fsync, durable appends, verification and inclusion proofs.

Every number sits beside what bounds it: appends beside the disk's raw fsync rate,
verification beside raw SHA-256 over the same bytes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import sqlite3
import tempfile
import threading
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import AuditEvent, AuditLog
from audit.verify import BATCH, PARALLEL_MIN

HMAC_KEY = b"bench-audit-hmac-key-0123456789ab"


def _event(n: int) -> AuditEvent:
    """Return a realistic event."""
    return AuditEvent(
        actor_kind="user", actor_id=f"user{n % 50}@example.com", actor_role="owner",
        mailbox=f"user{n % 50}@example.com", action="message.get", purpose="email.read",
        basis="owner", resources=({"kind": "message", "id": f"18c{n:013x}"},),  # type: ignore[arg-type]
        decision="allow", rule_id="owner-reads-own-mail", policy_version="p1",
        request_id=f"req-{n}", outcome="ok", client_ip="192.0.2.10")


def _load() -> str:
    """Return the one-minute load average, to read a wall-clock figure by."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def _result(name: str, value: float, unit: str, goal: str, notes: str) -> dict[str, Any]:
    return {"name": f"audit.{name}", "value": round(value, 3), "unit": unit, "goal": goal,
            "notes": notes}


def fsync_rate(folder: Path, seconds: float) -> float:
    """Return write+fsync pairs per second on the disk holding ``folder``."""
    path = folder / "fsync.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            os.write(fd, b"x" * 512)
            os.fsync(fd)
            n += 1
        return n / (time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()


@dataclass(frozen=True, slots=True)
class AppendRate:
    """Durable appends per second, and this process's CPU time (user + system) per append."""

    per_second: float
    cpu_us: float


def append_rate(url: str, threads: int, per_thread: int) -> AppendRate:
    """Measure durable appends through ``AuditLog.append`` from ``threads`` concurrent callers.

    The CPU time is the whole process's (every thread), so it counts SQLite's work and the
    threads' hand-offs too, but not a PostgreSQL server's; on a shared machine it is the
    steadier figure to compare runs by.
    """
    log = AuditLog.open(url, hmac_key=HMAC_KEY, checkpoint_every=0)
    try:
        log.append(_event(0))
        events = [_event(i) for i in range(per_thread)]

        def work() -> None:
            for event in events:
                log.append(event)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        cpu, start = time.process_time(), time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        total = threads * per_thread
        return AppendRate(total / elapsed, cpu / total * 1e6)
    finally:
        log.close()


def appends_per_second(url: str, threads: int, per_thread: int) -> float:
    """Return durable appends per second with ``threads`` concurrent callers."""
    return append_rate(url, threads, per_thread).per_second


def sqlite_commit_rate(folder: Path, seconds: float) -> float:
    """Return bare SQLite commits per second (WAL, synchronous=FULL, one small row each)."""
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, b BLOB)")
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t VALUES (?, ?)", (n, b"x" * 600))
            db.execute("COMMIT")
            n += 1
        return n / (time.perf_counter() - start)
    finally:
        db.close()


def _process_writer(url: str, threads: int, count: int, ready: Any, go: Any,
                    done: Any) -> None:
    """Open the log, wait for the start signal, append ``count`` events from each of
    ``threads`` threads, report the time."""
    log = AuditLog.open(url, hmac_key=HMAC_KEY, checkpoint_every=0)
    try:
        events = [_event(i) for i in range(count)]

        def work() -> None:
            for event in events:
                log.append(event)

        workers = [threading.Thread(target=work) for _ in range(threads)]
        ready.put(os.getpid())
        go.wait()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        done.put(time.perf_counter())
    finally:
        log.close()


def verify_peak(log: AuditLog, *, columns: bool) -> int:
    """Return the most memory Python held at once verifying ``log`` in one process (bytes).

    tracemalloc slows the run; only the peak is taken from it.
    """
    tracemalloc.start()
    try:
        if not log.verify(workers=1, columns=columns).ok:
            raise RuntimeError("benchmark log failed verification")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fill(url: str, size: int, signing_key: Ed25519PrivateKey) -> AuditLog:
    """Return a log holding ``size`` entries (written in large atomic batches)."""
    log = AuditLog.open(url, hmac_key=HMAC_KEY, signing_key=signing_key,
                        checkpoint_every=100_000)
    batch = 20_000
    while (have := log.size()) < size:
        log.append_many(_event(have + i) for i in range(min(batch, size - have)))
    return log


def run(quick: bool) -> list[dict[str, Any]]:
    """Run the audit benchmarks; ``quick`` uses 100,000 entries instead of 1,000,000."""
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        folder = Path(tmp)
        fsyncs = fsync_rate(folder, 0.5 if quick else 2.0)
        results.append(_result("raw_fsync", fsyncs, "fsync/s", "context",
                               "512-byte write + fsync loop in the bench folder"))
        bare = sqlite_commit_rate(folder, 0.5 if quick else 2.0)
        results.append(_result("raw_sqlite_commit", bare, "commits/s", "context",
                               "bare SQLite WAL synchronous=FULL commit of one row"))
        single = append_rate(str(folder / "one.db"), 1, 500 if quick else 3000)
        results.append(_result("append_1_thread_sqlite", single.per_second, "entries/s",
                               ">= 4000 or the fsync rate",
                               f"durable (WAL, synchronous=FULL); raw fsync {fsyncs:.0f}/s, "
                               f"bare SQLite commit {bare:.0f}/s; CPU {single.cpu_us:.0f} us "
                               f"per append; {_load()}"))
        eight = append_rate(str(folder / "eight.db"), 8, 250 if quick else 1500)
        results.append(_result("append_8_threads_sqlite", eight.per_second, "entries/s",
                               ">= 20000",
                               f"group commit; bound 8 x bare commit = {8 * bare:.0f}/s; "
                               f"raw fsync {fsyncs:.0f}/s; CPU {eight.cpu_us:.0f} us per "
                               f"append (all threads); {_load()}"))

        size = 100_000 if quick else 1_000_000
        key = Ed25519PrivateKey.generate()
        start = time.perf_counter()
        log = fill(str(folder / "big.db"), size, key)
        fill_rate = size / (time.perf_counter() - start)
        try:
            start = time.perf_counter()
            tree_only = log.verify(columns=False)
            tree_elapsed = time.perf_counter() - start
            start = time.perf_counter()
            report = log.verify()
            elapsed = time.perf_counter() - start
            start = time.process_time()
            alone = log.verify(workers=1)  # CPU time: other work on the machine barely moves it
            cpu_per_entry = (time.process_time() - start) / size * 1e6
            peaks = {columns: verify_peak(log, columns=columns) for columns in (True, False)}
            if not (report.ok and tree_only.ok and alone.ok):
                raise RuntimeError(f"benchmark log failed verification: {report.problems}")
            db = sqlite3.connect(folder / "big.db")
            blobs = [b for (b,) in db.execute("SELECT entry FROM audit_entries")]
            db.close()
            start = time.perf_counter()
            for b in blobs:
                hashlib.sha256(b"\x00" + b).digest()
            raw_rate = len(blobs) / (time.perf_counter() - start)
            del blobs
            workers = 2 if size >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 else 1
            results.append(_result(
                "verify_sqlite", size / elapsed, "entries/s", ">= 500000",
                f"{size} entries in {workers} process(es), columns and resource index "
                f"checked in the same pass; raw SHA-256 over the same bytes {raw_rate:.0f}/s "
                f"(one core); filled with append_many at {fill_rate:.0f}/s; {_load()}"))
            results.append(_result(
                "verify_tree_only_sqlite", size / tree_elapsed, "entries/s", ">= 500000",
                f"{size} entries in {workers} process(es), verify(columns=False); raw SHA-256 "
                f"{raw_rate:.0f}/s (one core)"))
            results.append(_result(
                "verify_peak_memory_sqlite", peaks[True] / 2**20, "MiB", "flat",
                f"{size} entries in one process, columns checked: Python's peak allocation "
                f"(tracemalloc), one batch of {BATCH} entries held at a time; tree only "
                f"{peaks[False] / 2**20:.1f} MiB"))
            results.append(_result(
                "verify_cpu_per_entry_sqlite", cpu_per_entry, "us CPU", "context",
                f"{size} entries, columns checked, in one process (workers=1): CPU time per "
                "entry, which bounds the rate on N free CPUs at N / this"))
            rng = random.Random(1)
            seqs = [rng.randrange(size) for _ in range(200)]
            start = time.perf_counter()
            for seq in seqs:
                log.prove_inclusion(seq, tree_size=size)
            per_proof = (time.perf_counter() - start) / len(seqs) * 1000
            results.append(_result("inclusion_proof_sqlite", per_proof, "ms", "< 5",
                                   f"tree of {size}, 200 random leaves"))
        finally:
            log.close()
    # The million-entry SQLite log above leaves its writes queued for the disk; deleted
    # with its folder and with the rest flushed, PostgreSQL's commits do not wait behind
    # that writeback (it cost them ~20% when they ran right after it).
    os.sync()
    results.extend(_postgres(quick))
    return results


def _processes(url: str, processes: int, threads: int, per: int) -> float:
    """Return entries/s of ``processes`` spawned writers x ``threads`` threads x ``per``."""
    ctx = multiprocessing.get_context("spawn")
    ready, done, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_process_writer, args=(url, threads, per, ready, go, done))
             for _ in range(processes)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)  # every writer has started and opened the log
    start = time.perf_counter()
    go.set()
    finished = max(done.get(timeout=600) for _ in procs)
    for p in procs:
        p.join()
    return processes * threads * per / (finished - start)


def postgres_commit_rate(url: str, seconds: float, connections: int = 1) -> float:
    """Return bare PostgreSQL commits per second of one small row each, summed over
    ``connections`` concurrent connections (threads).

    With several connections the server flushes their commit records together (the WAL
    flush is the physical limit of durable appends); one connection shows one flush per
    commit.
    """
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    table = f"bench_bare_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f"CREATE TABLE {table} (n bigint PRIMARY KEY, b bytea)")
        counts = [0] * connections
        go = threading.Event()

        def commit_loop(k: int) -> None:
            with psycopg.connect(dsn, autocommit=True) as conn:
                go.wait()
                n, start = 0, time.perf_counter()
                while time.perf_counter() - start < seconds:
                    with conn.transaction():
                        conn.execute(f"INSERT INTO {table} VALUES (%s, %s)",  # noqa: S608
                                     (k << 40 | n, b"x" * 600))
                    n += 1
                counts[k] = n

        loops = [threading.Thread(target=commit_loop, args=(k,)) for k in range(connections)]
        for loop in loops:
            loop.start()
        start = time.perf_counter()
        go.set()
        for loop in loops:
            loop.join()
        elapsed = time.perf_counter() - start
        admin.execute(f"DROP TABLE {table}")
    return sum(counts) / elapsed


def _postgres(quick: bool) -> list[dict[str, Any]]:
    """Measure 4 writer processes (1 and 8 threads each) on PostgreSQL, given a server URL."""
    admin = os.environ.get("MAILGUARD_BENCH_PG_URL") or os.environ.get("MAILGUARD_TEST_PG_URL")
    if not admin:
        return []
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_audit_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        AuditLog.open(url, hmac_key=HMAC_KEY).close()
        seconds = 0.5 if quick else 2.0
        bare = postgres_commit_rate(url, seconds)
        bare4 = postgres_commit_rate(url, seconds, connections=4)
        results = [
            _result("raw_postgres_commit", bare, "commits/s", "context",
                    "bare PostgreSQL commit of one row (synchronous_commit=on), one "
                    "connection"),
            _result("raw_postgres_commit_4_connections", bare4, "commits/s", "context",
                    "the same from 4 connections at once (their WAL flushes are shared): "
                    "the rate a durable append's flush can reach")]
        expected = 0
        for threads, per in ((1, 500 if quick else 2500), (8, 100 if quick else 400)):
            rate = _processes(url, 4, threads, per)
            expected += 4 * threads * per
            results.append(_result(
                f"append_4_processes_x{threads}_threads_postgres", rate, "entries/s",
                ">= 5000" if threads > 1 else "context",
                f"4 spawned processes x {threads} appending thread(s) x {per}, steady state "
                "(timed from a start signal after every writer opened the log); bare "
                f"commits {bare:.0f}/s on 1 connection, {bare4:.0f}/s on 4; "
                f"{_load()}"))
        log = AuditLog.open(url, hmac_key=HMAC_KEY)
        try:
            ok = log.verify().ok and log.size() == expected
        finally:
            log.close()
        if not ok:
            raise RuntimeError("the PostgreSQL benchmark log did not verify as one linear log")
        return results
    finally:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()
