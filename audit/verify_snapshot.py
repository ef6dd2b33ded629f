"""Hold one read-only transaction that every read of a verification goes through.

Verification reads the head, the checkpoints, the entries, the nodes, the searchable columns
and the rows beyond the head. Read on separate statements or connections, appends that land
in between look like tampering (a node beyond the head, a checkpoint past the end); read in
one snapshot, the log is seen exactly as it was at one instant.

PostgreSQL: a REPEATABLE READ READ ONLY transaction; worker processes join it through
``pg_export_snapshot()`` and ``SET TRANSACTION SNAPSHOT``. SQLite: one deferred read
transaction, which WAL keeps at one snapshot while writers carry on; worker processes
cannot join it, so they read only the rows of the range they were given, all of which
existed when the head was read (appends add rows beyond it and never change rows before).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from audit.errors import AuditError

_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")


@dataclass(frozen=True, slots=True)
class ReadSnapshot:
    """A driver connection inside one read-only transaction; ``pg`` names the dialect."""

    db: Any
    pg: bool

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run one statement (``?`` placeholders) and return all its rows."""
        cur = self.db.cursor()
        try:
            cur.execute(sql.replace("?", "%s") if self.pg else sql, params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def cursor(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """Run one statement (``?`` placeholders) and return its cursor; the caller closes it.

        Rows are then read as the caller iterates, without a list of them all.
        """
        cur = self.db.cursor()
        try:
            cur.execute(sql.replace("?", "%s") if self.pg else sql, params)
        except BaseException:
            cur.close()
            raise
        return cur

    def execute(self, sql: str) -> None:
        """Run one statement that returns no rows (a savepoint command)."""
        cur = self.db.cursor()
        try:
            cur.execute(sql)
        finally:
            cur.close()

    def export(self) -> str | None:
        """Return an id other PostgreSQL sessions can join this snapshot by (None on SQLite)."""
        if not self.pg:
            return None
        return str(self.query("SELECT pg_export_snapshot()")[0][0])


@contextmanager
def read_snapshot(engine: Any, *, join: str | None = None) -> Iterator[ReadSnapshot]:
    """Open one read-only transaction on a raw connection of ``engine``; end it on exit.

    ``join`` is an id from ``ReadSnapshot.export`` (PostgreSQL only): the transaction then
    sees exactly what the exporting one sees. The exporting transaction must stay open
    until every joiner has started.
    """
    pg = engine.dialect.name == "postgresql"
    if join is not None and (not pg or not _SNAPSHOT_ID.fullmatch(join)):
        raise AuditError("a verification snapshot id must come from pg_export_snapshot() "
                         "on PostgreSQL; verify again without one")
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        if pg:
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            if join is not None:
                # SET cannot take a bound parameter; the id was checked against its format
                db.execute(f"SET TRANSACTION SNAPSHOT '{join}'")
        else:
            db.execute("BEGIN")
        try:
            yield ReadSnapshot(db, pg)
        finally:
            if pg:
                db.rollback()
            else:
                db.execute("ROLLBACK")
    finally:
        raw.close()
