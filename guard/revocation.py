"""Revoke a consent or a grant exactly once, however many requests ask at the same moment.

Two revocations of one row used to both pass a "not yet revoked" read, both be recorded
as the revocation, and the later one overwrote ``revoked_at``. Here the row is claimed
with a conditional update (``revoked_at IS NULL``), committed on its own: the database
lets exactly one request win, on SQLite and PostgreSQL, across threads and processes.
Only the winner's audit entry says the row was revoked; every other request learns that
it was already revoked (and its caller records that, truthfully).

Security caveat: the claim is committed before the winner's audit entry is appended (an
open write transaction on SQLite would block the audit log sharing its file, so the two
cannot be one transaction). If the entry cannot be appended the claim is undone and
``AuditUnavailable`` propagates, so no revocation stands without its entry; a process
killed between the two leaves the row revoked without one, the safe side (no access).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Table, update


def revoke_once(engine: Engine, table: Table, row_id: str, *, values: Mapping[str, Any],
                record: Callable[[], object]) -> bool:
    """Set ``values`` (``revoked_at`` and the like) on an unrevoked row, then ``record`` it.

    Return True when this call revoked the row, False when it was already revoked (then
    nothing is changed and ``record`` is not called). ``record`` appends the audit entry;
    when it raises, the row is restored and the error propagates.
    """
    with engine.begin() as conn:
        claimed = conn.execute(update(table)
                               .where(table.c.id == row_id, table.c.revoked_at.is_(None))
                               .values(**values)).rowcount
    if claimed != 1:
        return False
    try:
        record()
    except BaseException:
        # The row is ours alone until restored: any other request found it revoked.
        with engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == row_id)
                         .values(**{column: None for column in values}))
        raise
    return True
