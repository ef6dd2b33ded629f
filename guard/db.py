"""The guard's database: one SQLAlchemy ``MetaData`` for all guard tables, and engines.

Each guard module that keeps state (token vault, consents, grants, metadata cache...)
declares its tables on ``metadata`` here, so one ``create_schema`` builds them all. The
default is an SQLite file; a ``postgresql+psycopg://`` URL moves all of it to PostgreSQL.

The schema is versioned by the migrations of ``mailguard db`` (Alembic): ``create_schema``
builds and stamps a new database at ``SCHEMA_REVISION``, the revision these tables match,
and refuses one that a migration has yet to bring there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from audit.engine import without_server_detail
from audit.sqlite_journal import switch_to_wal
from guard.errors import GuardError

metadata = MetaData()

#: The migration revision the tables declared here (and the audit log's and the web
#: client's) match; a test keeps it equal to the newest migration.
SCHEMA_REVISION = "0007"

#: The PostgreSQL advisory lock that serialises schema changes: migrations, this module's
#: create_schema and the audit log's (``audit.schema`` uses the same key).
PG_SCHEMA_LOCK = 0x6D61696C67617564

#: Alembic's record of the revision a database is at, as Alembic itself creates it.
schema_version = Table(
    "alembic_version", MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


class SchemaOutOfDate(GuardError):
    """The database's tables are not those of this release; ``mailguard db upgrade`` them."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    switch_to_wal(dbapi_connection, timeout=10.0)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
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


def create_tables(engine: Engine, tables: MetaData) -> None:
    """Create the ``tables`` that do not exist yet; tolerate another process making them.

    Workers starting together on a new database race to create the same tables; the
    loser's ``CREATE TABLE`` fails with "already exists", which is no failure when every
    table is there afterwards.
    """
    try:
        tables.create_all(engine)
    except DBAPIError:
        if not all(inspect(engine).has_table(name) for name in tables.tables):
            raise


def create_schema(engine: Engine) -> None:
    """Create every guard table in a new database and stamp it; refuse an out-of-date one.

    A database is new when it holds no guard table and no revision (the audit log's tables
    may be there already); it gets this release's tables and revision, so ``mailguard db
    upgrade`` has nothing to do. A database at ``SCHEMA_REVISION`` is used as it is (any
    missing guard table is created). Anything else raises ``SchemaOutOfDate`` before a
    request could fail on it: a database at another revision, or one made by a release
    before migrations (guard tables, no revision), whose consent wordings, for one, are
    stored in a form this release does not read until a migration converts them.
    """
    with engine.connect() as conn:
        found = _revision(conn)
    if found == SCHEMA_REVISION:
        metadata.create_all(engine)
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_SCHEMA_LOCK})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the driver runs DDL outside one
        found = _revision(conn)  # another process may have stamped it meanwhile
        if found is None and not set(metadata.tables) & set(inspect(conn).get_table_names()):
            metadata.create_all(conn)
            schema_version.create(conn)
            conn.execute(schema_version.insert().values(version_num=SCHEMA_REVISION))
            return
    if found == SCHEMA_REVISION:
        return
    raise SchemaOutOfDate(_out_of_date(found))


def _revision(conn: Connection) -> str | None:
    """Return the database's migration revision, or None when it has never had one."""
    if not inspect(conn).has_table(schema_version.name):
        return None
    return conn.execute(select(schema_version.c.version_num)).scalar()


def _out_of_date(found: str | None) -> str:
    if found is None:
        return ("the database was made by a MailGuard release from before migrations; run "
                "`mailguard db upgrade` (with MAILGUARD_TOKEN_KEYS set) before starting "
                "MailGuard")
    return (f"the database is at schema revision {found} and this release needs "
            f"{SCHEMA_REVISION}; run `mailguard db upgrade` (with MAILGUARD_TOKEN_KEYS set) "
            "before starting MailGuard, or, if a newer release migrated it, run that release")
