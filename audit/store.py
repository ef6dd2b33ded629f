"""Keep the audit log in SQL: the head lock, appends, and Merkle node storage.

The tables and triggers are in ``audit.schema``, the engine settings in ``audit.engine``.
SQLite (a file, WAL journal, ``synchronous=FULL``) is the default; a
``postgresql+psycopg://`` URL moves the log to PostgreSQL so several hosts append to one
linear log. Every append is one transaction that takes the head lock (``BEGIN IMMEDIATE``
on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), reads the size and the frontier
nodes, writes entries, resources, perfect-subtree nodes and the new head, and commits.

Security caveats: triggers reject UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the
entry, resource, node, checkpoint and meta tables and any shrinking of the head, but anyone who
can drop a trigger can still rewrite rows; that is what verification and exported
checkpoints are for. There is no retention or deletion path: the log only grows.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from audit import pg_append
from audit.batch_rows import place_batch
from audit.engine import make_engine, sqlite_file
from audit.errors import AuditError, AuditUnavailable
from audit.merkle import MerkleAccumulator, Node, frontier_positions
from audit.schema import (
    ENTRY_COLUMNS,
    PG_SCHEMA_LOCK,
    PG_TRIGGERS,
    SQLITE_TRIGGERS,
    head,
    meta,
    metadata,
)


@dataclass(frozen=True, slots=True)
class PendingLeaf:
    """One entry ready to be written: its rows (in column order) and its leaf hash."""

    entry_row: tuple[Any, ...]
    resource_rows: tuple[tuple[Any, ...], ...]
    leaf_hash: bytes

    @property
    def time(self) -> str:
        """Return the entry's recorded time."""
        return str(self.entry_row[1])


LeafBuilder = Callable[[int, Any], PendingLeaf]
"""Build the rows of the entry at ``seq`` (first argument) from a caller's item."""


def unavailable(action: str, exc: BaseException, *, reading: bool = False) -> AuditUnavailable:
    """Wrap a database failure as AuditUnavailable without echoing statements or parameters.

    ``reading`` says the failure stopped a read (a review, a verification), which refuses
    no one's access: the message then says what to check instead.
    """
    kind = type(getattr(exc, "orig", None) or exc).__name__
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200] if str(exc) else ""
    advice = ("check that the audit database is reachable and may be read from here"
              if reading else "the access must be refused until the audit database is "
              "writable and reachable again")
    return AuditUnavailable(f"the audit log could not {action} ({kind}: {detail}); {advice}")


class Store:
    """Own the engine and the SQL of one audit log; thread-safe, one head cache per process."""

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self.engine = engine
        self.read_only = read_only
        self.dialect = engine.dialect.name
        self._sql = _driver_sql(self.dialect)
        self._write_errors: tuple[type[BaseException], ...] = (
            SQLAlchemyError, pg_append.LostBeforeWriting, *_driver_errors(self.dialect))
        self._cache_lock = threading.Lock()
        self._cached: MerkleAccumulator | None = None
        self._writer_lock = threading.Lock()
        self._writer: Any = None  # the driver's connection, detached from the pool
        self._file = sqlite_file(engine.url.database) if self.dialect == "sqlite" else None
        self._file_id: tuple[int, int] | None = None

    @classmethod
    def open(cls, url: str | Path, *, lock_timeout: float = 10.0,
             read_only: bool = False, create: bool = True) -> Store:
        """Connect to ``url`` (an SQLAlchemy URL or an SQLite file path) and create the schema.

        With ``read_only`` nothing is created or written: the log must exist, SQLite opens
        the file read-only and PostgreSQL sessions are read-only, so a reviewer can verify
        and search a copy, a read replica or through a role that may only SELECT.

        With ``create=False`` (and always with ``read_only``) a database that holds no audit
        log is refused with AuditError instead of having one created in it.

        Raises AuditUnavailable when the database cannot be reached or created.
        """
        engine = make_engine(url, lock_timeout=lock_timeout, read_only=read_only)
        store = cls(engine, read_only=read_only)
        if not create and store._file is not None and not store._file.exists():
            engine.dispose()  # connecting would create an empty file where a log belongs
            raise AuditError(f"there is no audit database at {str(store._file)!r}; check "
                             "the path (nothing was created)")
        try:
            if (read_only or not create) and not store.has_log():
                engine.dispose()
                raise AuditError("this database holds no audit log (it has no audit tables); "
                                 "check that the URL names the log's database")
            if read_only:
                store.size()  # the log must be there: nothing is created for a reader
            else:
                store.create_schema()
            store._file_id = store._current_file_id()
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            if read_only:
                raise unavailable("be read (is there an audit log at this URL?)", exc,
                                  reading=True) from exc
            raise unavailable("create or open its tables", exc) from exc
        return store

    def has_log(self) -> bool:
        """Say whether the database holds an audit log (its head table)."""
        with self.engine.connect() as conn:
            return inspect(conn).has_table(head.name)

    def _current_file_id(self) -> tuple[int, int] | None:
        """Return the SQLite file's (device, inode), or None for PostgreSQL."""
        if self._file is None:
            return None
        st = os.stat(self._file)
        return st.st_dev, st.st_ino

    def check_file(self) -> None:
        """Raise AuditUnavailable if the SQLite file was deleted or replaced since opening.

        SQLite keeps writing to an unlinked file through its open descriptors, which would
        make appends "succeed" into a file nobody will ever read again.
        """
        if self._file is None or self._file_id is None:
            return
        try:
            same = self._current_file_id() == self._file_id
        except OSError:
            same = False
        if not same:
            self._drop_writer()
            raise AuditUnavailable(
                f"the audit database file {self._file.name} was removed or replaced while "
                "open; the access must be refused until the log is restored and reopened"
            )

    def close(self) -> None:
        """Release the writer and every pooled connection."""
        with self._writer_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.close()
        self.engine.dispose()

    # -- schema ---------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create the tables, indexes, triggers and head row if missing (safe to repeat)."""
        with self.write() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_SCHEMA_LOCK})
                # An append locks audit_head first (FOR UPDATE), then writes the other tables
                # in an order of the planner's choosing; the trigger DDL below locks them one
                # by one. Taking audit_head first here too means an open and a running append
                # wait for each other whole, never crosswise (a deadlock).
                if conn.execute(text("SELECT to_regclass('audit_head')")).scalar():
                    conn.execute(text("LOCK TABLE audit_head IN EXCLUSIVE MODE"))
            metadata.create_all(conn)
            if self.dialect == "postgresql":
                for ddl in PG_TRIGGERS:
                    conn.exec_driver_sql(ddl.replace("%", "%%"))
            else:
                for ddl in SQLITE_TRIGGERS:
                    conn.exec_driver_sql(ddl)
            if conn.execute(select(head.c.size).where(head.c.id == 1)).first() is None:
                conn.execute(head.insert().values(id=1, size=0))

    def meta_get(self, key: str) -> str | None:
        """Return one audit_meta value, or None."""
        with self.engine.connect() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def meta_setdefault(self, key: str, value: str) -> str:
        """Store ``value`` under ``key`` unless a value is there; return the stored value."""
        with self.write() as conn:
            stored = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
            if stored is None:
                conn.execute(meta.insert().values(key=key, value=value))
                return value
            return str(stored)

    def meta_items(self, prefix: str) -> dict[str, str]:
        """Return every audit_meta row whose key starts with ``prefix``."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(meta.c.key, meta.c.value).where(
                meta.c.key.startswith(prefix, autoescape=True)))
            return {k: v for k, v in rows}

    # -- transactions ---------------------------------------------------------------------

    def check_writable(self) -> None:
        """Raise AuditError when the log was opened read-only."""
        if self.read_only:
            raise AuditError("this audit log was opened read-only (for review); open it "
                             "without read_only to append or checkpoint")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Open a write transaction (SQLite: BEGIN IMMEDIATE) that commits on success."""
        self.check_writable()
        self.check_file()
        with self.engine.connect() as conn:
            conn = conn.execution_options(audit_write=True)
            with conn.begin():
                yield conn

    # -- appending --------------------------------------------------------------------------

    def append(self, items: Sequence[Any], build: LeafBuilder) -> list[tuple[int, PendingLeaf]]:
        """Append ``items`` as consecutive entries in one transaction; return (seq, leaf) pairs.

        ``build(seq, item)`` runs while the head lock is held, so times taken inside it follow
        the sequence. Raises AuditUnavailable (and writes nothing) on any database failure.
        Uses one long-lived writer connection (no pool round trip per commit).
        """
        self.check_writable()
        pg = self.dialect == "postgresql"
        with self._writer_lock:
            self.check_file()
            try:
                reused = self._writer is not None
                if self._writer is None:
                    self._writer = self._connect_writer()
                try:
                    if pg:
                        try:
                            built, acc = pg_append.append_batch(self._writer, items, build,
                                                                self._take_cached())
                        except pg_append.LostBeforeWriting:
                            # The server restarted or the link dropped while the writer
                            # sat idle; nothing was sent past the first read, so one
                            # retry on a new connection cannot record anything twice.
                            if not reused:
                                raise
                            self._drop_writer()
                            self._writer = self._connect_writer()
                            built, acc = pg_append.append_batch(self._writer, items, build,
                                                                None)
                    else:
                        built, acc = self._append_sqlite(self._writer, items, build)
                except BaseException:
                    self._rollback_writer()
                    raise
            except self._write_errors as exc:
                self._drop_writer()
                raise unavailable("record the entry durably", exc) from exc
            except BaseException:
                self._forget()
                raise
        with self._cache_lock:
            self._cached = acc
        return built

    def _connect_writer(self) -> Any:
        """Open the long-lived writer connection, outside the pool.

        On PostgreSQL it runs in autocommit mode and issues BEGIN/COMMIT itself (see
        ``audit.pg_append``); detached, it is closed for good instead of returning to the
        pool in that mode.
        """
        fairy = self.engine.raw_connection()
        writer: Any = fairy.driver_connection
        fairy.detach()
        if self.dialect == "postgresql":
            writer.autocommit = True
        return writer

    def _append_sqlite(self, dbapi: Any, items: Sequence[Any], build: LeafBuilder
                       ) -> tuple[list[tuple[int, PendingLeaf]], MerkleAccumulator]:
        """Append in one BEGIN IMMEDIATE transaction through the driver cursor."""
        cur = dbapi.cursor()
        try:
            cur.execute("BEGIN IMMEDIATE")
            built, acc = self._append_rows(cur, items, build)
            cur.execute("COMMIT")
        finally:
            cur.close()
        return built, acc

    def _take_cached(self) -> MerkleAccumulator | None:
        """Take this process's cached frontier (put back only after a successful commit)."""
        with self._cache_lock:
            cached, self._cached = self._cached, None
        return cached

    def _rollback_writer(self) -> None:
        """Roll back the writer's open transaction, if any; forget the cached frontier."""
        self._forget()
        writer = self._writer
        if writer is None:
            return
        try:
            dbapi = writer
            if self.dialect == "postgresql":
                pg_append.rollback(dbapi)
            elif dbapi.in_transaction:
                dbapi.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - the connection is dropped below anyway
            self._drop_writer()

    def _drop_writer(self) -> None:
        """Discard the writer connection (it may be broken); the next append reconnects."""
        self._forget()
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer.close()  # detached: the pool would not close it
            except Exception:  # noqa: BLE001, S110 - nothing more to do with a dead connection
                pass

    def _append_rows(self, cur: Any, items: Sequence[Any], build: LeafBuilder
                     ) -> tuple[list[tuple[int, PendingLeaf]], MerkleAccumulator]:
        """Lock the head, assign seqs, insert every row through the driver cursor."""
        cur.execute(self._sql["lock_head"])
        row = cur.fetchone()
        if row is None:
            raise AuditError("the audit_head row is missing; reopen the log to recreate it")
        size = int(row[0])
        acc = self._accumulator(cur, size)
        rows = place_batch(items, build, acc)
        cur.executemany(self._sql["insert_entry"], rows.entry_rows)
        if rows.resource_rows:
            cur.executemany(self._sql["insert_resource"], rows.resource_rows)
        if rows.node_rows:
            cur.executemany(self._sql["insert_node"], rows.node_rows)
        cur.execute(self._sql["set_head"], (acc.size,))
        return rows.built, acc

    def _accumulator(self, cur: Any, size: int) -> MerkleAccumulator:
        """Return the accumulator at ``size``: the cached one, or rebuilt from the frontier."""
        cached = self._take_cached()
        if cached is not None and cached.size == size:
            return cached
        found = []
        for level, index in frontier_positions(size):
            cur.execute(self._sql["leaf" if level == 0 else "node"],
                        (index,) if level == 0 else (level, index))
            row = cur.fetchone()
            if row is None:
                raise AuditError(
                    f"the Merkle node ({level}, {index}) is missing from the audit store; "
                    "run verification to find what was removed")
            found.append(Node(level, index, bytes(row[0])))
        return MerkleAccumulator.from_frontier(size, found)

    def _forget(self) -> None:
        """Drop the cached frontier (after a failed transaction)."""
        with self._cache_lock:
            self._cached = None

    # -- reading ----------------------------------------------------------------------------

    def size(self, conn: Connection | None = None) -> int:
        """Return the committed number of entries."""
        if conn is None:
            with self.engine.connect() as own:
                return self.size(own)
        return int(conn.execute(select(head.c.size).where(head.c.id == 1)).scalar() or 0)

    def node_at(self, conn: Connection, level: int, index: int) -> bytes:
        """Return a stored perfect-subtree hash (level 0 reads the entry's leaf hash)."""
        if level == 0:
            value = conn.exec_driver_sql(self._sql["leaf"], (index,)).scalar()
        else:
            value = conn.exec_driver_sql(self._sql["node"], (level, index)).scalar()
        if value is None:
            raise AuditError(
                f"the Merkle node ({level}, {index}) is missing from the audit store; run "
                "verification to find what was removed"
            )
        return bytes(value)


def _driver_sql(dialect: str) -> dict[str, str]:
    """Return the hot-path statements in the driver's parameter style."""
    cols = ", ".join(ENTRY_COLUMNS)
    marks = ", ".join("?" for _ in ENTRY_COLUMNS)
    sql = {
        "lock_head": "SELECT size FROM audit_head WHERE id = 1"  # noqa: S608
                     + (" FOR UPDATE" if dialect == "postgresql" else ""),
        "set_head": "UPDATE audit_head SET size = ? WHERE id = 1",
        "insert_entry": f"INSERT INTO audit_entries ({cols}) VALUES ({marks})",  # noqa: S608
        "insert_resource": "INSERT INTO audit_resources (seq, kind, resource_id) "
                           "VALUES (?, ?, ?)",
        "insert_node": "INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)",
        "leaf": "SELECT leaf_hash FROM audit_entries WHERE seq = ?",
        "node": "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?",
    }
    if dialect == "postgresql":
        sql = {k: v.replace("?", "%s") for k, v in sql.items()}
    return sql


def _driver_errors(dialect: str) -> tuple[type[BaseException], ...]:
    """Return the driver's base error classes (raw cursors raise them unwrapped)."""
    if dialect == "postgresql":
        import psycopg

        return (psycopg.Error,)
    import sqlite3

    return (sqlite3.Error,)
