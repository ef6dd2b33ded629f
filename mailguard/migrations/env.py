"""Alembic environment: run migrations on the engine handed over by ``mailguard.migrations``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import guard.service  # noqa: F401 - imports every guard module, so each declares its tables
from audit.schema import metadata as audit_metadata
from guard.db import PG_SCHEMA_LOCK, open_engine
from guard.db import metadata as guard_metadata
from webclient.preferences import metadata as webclient_metadata

target_metadata = [guard_metadata, audit_metadata, webclient_metadata]


def run_migrations() -> None:
    """Run the pending revisions in one transaction, one upgrading process at a time.

    PostgreSQL serialises on an advisory lock. On SQLite, Alembic commits after each
    revision and the driver runs DDL outside any transaction unless one is begun, so two
    upgrades at once both created the same tables; there, DDL is declared transactional
    (SQLite's is) and ``BEGIN IMMEDIATE`` takes the write lock first: a second upgrade
    waits, up to the busy timeout, then finds the work done. (The connection's switch to
    WAL before it, also a write, is retried by ``guard.db``.)
    """
    config = context.config
    engine = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no database given; run `mailguard db upgrade --db URL`")
        engine = open_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              transaction_per_migration=False, transactional_ddl=True)
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                       {"k": PG_SCHEMA_LOCK})
                else:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; give a database")
run_migrations()
