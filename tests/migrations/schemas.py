"""Build databases the way MailGuard's parts do, and describe a schema for comparison."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, inspect, text

import guard.service  # noqa: F401 - imports every guard module, so each declares its tables
from audit import AuditLog
from guard.db import metadata as guard_metadata
from guard.db import open_engine
from webclient import preferences
from webclient.auth import session_records

HMAC_KEY = b"migration-tests-hmac-key-0123456789"


def create_all(url: str) -> None:
    """Build a database the way MailGuard did before migrations: each part's create_all.

    It has every table of this release and no revision (``guard.db.create_schema`` now
    stamps a new database; releases before migrations did not).
    """
    engine = open_engine(url)
    try:
        guard_metadata.create_all(engine)
        preferences.metadata.create_all(engine)
        session_records.metadata.create_all(engine)
    finally:
        engine.dispose()
    AuditLog.open(url, hmac_key=HMAC_KEY).close()


def schema_of(url: str) -> dict[str, Any]:
    """Describe every table, column, key, index, trigger and trigger function at ``url``."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        tables: dict[str, Any] = {}
        for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            tables[name] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"],
                             str(c.get("default") or "")) for c in inspector.get_columns(name)],
                "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
                "indexes": sorted((ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                                  for ix in inspector.get_indexes(name)),
                "unique": sorted(tuple(u["column_names"])
                                 for u in inspector.get_unique_constraints(name)),
                "foreign_keys": sorted((tuple(fk["constrained_columns"]), fk["referred_table"],
                                        tuple(fk["referred_columns"]))
                                       for fk in inspector.get_foreign_keys(name)),
            }
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                objects = {name: sql for name, sql in conn.execute(text(
                    "SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'table') "
                    "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'"))}
            else:
                objects = {name: sql for name, sql in conn.execute(text(
                    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                    "WHERE NOT tgisinternal"))}
                objects.update({name: src for name, src in conn.execute(text(
                    "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n "
                    "ON n.oid = p.pronamespace WHERE n.nspname = 'public'"))})
            head_rows = conn.execute(text("SELECT id, size FROM audit_head")).all()
        return {"tables": tables, "objects": objects, "head": [tuple(r) for r in head_rows]}
    finally:
        engine.dispose()
