"""The guard's database: one SQLAlchemy ``MetaData`` for all guard tables, and engines.

Each guard module that keeps state (token vault, consents, grants, metadata cache...)
declares its tables on ``metadata`` here, so one ``create_schema`` builds them all. The
default is an SQLite file; a ``postgresql+psycopg://`` URL moves all of it to PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event

from audit.store import without_server_detail

metadata = MetaData()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(url: str) -> Engine:
    """Return an engine for ``url`` with durable, concurrent-safe settings.

    Security caveat: ``hide_parameters`` keeps statement parameters (addresses, ids, sealed
    tokens) out of every SQLAlchemy error message and log line, which end up in server logs.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                           hide_parameters=True)
    event.listen(engine, "handle_error", without_server_detail)
    return engine


def create_schema(engine: Engine) -> None:
    """Create every guard table that does not exist yet."""
    metadata.create_all(engine)
