"""Create the audit log's database engine: SQLite (WAL, durable settings) or PostgreSQL.

A file path or ``sqlite:///`` URL gets WAL, ``synchronous=FULL``, a busy timeout and
IMMEDIATE write transactions; a ``postgresql+psycopg://`` URL gets a lock timeout and
synchronous commits. Statement parameters never reach error messages or logs
(``hide_parameters``), and PostgreSQL's DETAIL lines, which echo key values, are dropped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from audit.errors import AuditError
from audit.sqlite_journal import switch_to_wal


def without_server_detail(ctx: ExceptionContext) -> BaseException | None:
    """Drop PostgreSQL's DETAIL lines from an error's text: they echo key values (addresses).

    The structured diagnostics stay on ``exc.orig.diag`` for code; only the text that reaches
    logs and tracebacks loses them.
    """
    orig, wrapped = ctx.original_exception, ctx.sqlalchemy_exception
    if not isinstance(wrapped, DBAPIError) or not orig.args or not isinstance(orig.args[0], str):
        return None
    first = orig.args[0].split("\n", 1)[0]
    if first == orig.args[0]:
        return None
    orig.args = (first,)
    return type(wrapped)(ctx.statement, ctx.parameters, orig, hide_parameters=True,
                         connection_invalidated=ctx.is_disconnect, code=wrapped.code)


def make_engine(url: str | Path, *, lock_timeout: float = 10.0,
                read_only: bool = False) -> Engine:
    """Create an engine for an SQLite path/URL or a PostgreSQL URL with the log's settings.

    ``read_only`` opens SQLite files with ``mode=ro`` and makes PostgreSQL transactions
    read-only. Statement parameters are hidden from error messages and logs
    (``hide_parameters``).
    """
    if isinstance(url, Path) or "://" not in str(url):
        url = f"sqlite:///{Path(url)}"
    try:
        parsed = make_url(str(url))
    except (ArgumentError, ValueError) as exc:  # ValueError: e.g. a port that is no number
        raise AuditError(
            "the audit database URL is not valid; use a file path, sqlite:///path or "
            "postgresql+psycopg://user@host/db"
        ) from exc
    try:
        return _create_engine(parsed, lock_timeout=lock_timeout, read_only=read_only)
    except (ArgumentError, ImportError) as exc:  # an unknown or uninstalled driver
        raise AuditError(
            f"the database driver {parsed.drivername!r} is not available "
            f"({type(exc).__name__}); use sqlite:///path or postgresql+psycopg://user@host/db"
        ) from None


def _create_engine(parsed: URL, *, lock_timeout: float, read_only: bool) -> Engine:
    """Create the engine for a parsed SQLite or PostgreSQL URL (see ``make_engine``)."""
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise AuditError(
                "an in-memory SQLite audit log is not durable; give a file path"
            )
        if read_only:
            parsed = _read_only_sqlite(parsed)
        engine = create_engine(parsed, connect_args={"timeout": lock_timeout},
                               hide_parameters=True)
        _configure_sqlite(engine, lock_timeout, read_only=read_only)
        return engine
    if backend == "postgresql":
        ms = int(lock_timeout * 1000)
        options = f"-c lock_timeout={ms} -c synchronous_commit=on"
        if read_only:
            options += " -c default_transaction_read_only=on"
        engine = create_engine(
            parsed,
            pool_pre_ping=True,
            hide_parameters=True,
            connect_args={"connect_timeout": max(1, int(lock_timeout)), "options": options},
        )
        event.listen(engine, "handle_error", without_server_detail)
        return engine
    raise AuditError(
        f"audit logs are kept in SQLite or PostgreSQL, not {backend!r}; use a file path or a "
        "postgresql+psycopg:// URL"
    )


def sqlite_file(database: str | None) -> Path | None:
    """Return the file an SQLite URL's database part names (a path or a ``file:`` URI)."""
    if database and database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database) if database else None


def _read_only_sqlite(parsed: URL) -> URL:
    """Return the SQLite URL opening the same file read-only (an SQLite ``file:`` URI).

    A copy on read-only media (a mounted snapshot, evidence disk or backup) cannot get the
    ``-shm`` file a WAL database needs, so SQLite refuses to open it. When the folder is
    not writable, no ``-shm`` is there and no ``-wal`` holds entries, the file is all there
    is: it is opened ``immutable``. With a non-empty ``-wal`` it is not, since immutable
    would ignore the entries in it and verify an older log.
    """
    database = str(parsed.database)
    if not database.startswith("file:"):
        database = "file:" + str(Path(database).resolve())
    query = {**parsed.query, "mode": "ro", "uri": "true"}
    path = sqlite_file(database)
    if path is not None and path.exists() and not os.access(path.parent, os.W_OK):
        wal = Path(f"{path}-wal")
        if not Path(f"{path}-shm").exists():
            if wal.exists() and wal.stat().st_size > 0:
                raise AuditError(
                    f"{path.name} is on read-only media with entries in {wal.name} but no "
                    f"{path.name}-shm; copy the three files together, or checkpoint the log "
                    "(PRAGMA wal_checkpoint) before copying it")
            query["immutable"] = "1"
    return parsed.set(database=database, query=query)


def _configure_sqlite(engine: Engine, lock_timeout: float, *, read_only: bool = False) -> None:
    """Set WAL, synchronous=FULL and a busy timeout; make write transactions IMMEDIATE.

    A read-only connection leaves the journal mode as the file has it: switching a copy in
    rollback-journal mode (VACUUM INTO, a backup) to WAL is a write, which it may not do.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(lock_timeout * 1000)}")
        if not read_only:
            switch_to_wal(dbapi_conn, timeout=lock_timeout)
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("audit_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
